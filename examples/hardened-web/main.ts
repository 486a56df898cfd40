/**
 * hardened-web: a namespace, a web Deployment with a Service and network
 * policies, all hardened by cdk8s-superlatch.
 *
 *   npx projen examples   ->   dist-examples/hardened-web/hardened-web.k8s.yaml
 */
import { ApiObject, App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Harden, HardenedNamespace, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';

/** nginx built to run as any non-root user on port 8080, pinned by digest. */
export const WEB_IMAGE = 'nginxinc/nginx-unprivileged:1.27-alpine@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0';

export class HardenedWebChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'web', disableResourceNameHashes: true });

    new HardenedNamespace(this, 'namespace', { name: 'web' });

    // Scheduling priority is cluster policy; the platform usually owns these classes.
    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'web-standard' },
      value: 1000,
      globalDefault: false,
      description: 'Customer-facing web workloads',
    });

    const web = new kplus.Deployment(this, 'web', {
      metadata: { name: 'web' },
      replicas: 2,
      containers: [{
        name: 'nginx',
        image: WEB_IMAGE,
        portNumber: 8080,
        // liveness: is the process up; readiness: can it serve a page
        liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
        readiness: kplus.Probe.fromHttpGet('/', { port: 8080 }),
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
          // ephemeral-storage comes from the profile's resourceDefaults
        },
        volumeMounts: [{ path: '/var/cache/nginx', volume: kplus.Volume.fromEmptyDir(this, 'cache', 'cache', { sizeLimit: Size.mebibytes(32) }) }],
      }],
    });
    Harden.workload(web, { component: 'frontend', priorityClassName: 'web-standard' });

    web.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080 }] });

    new WorkloadNetworkPolicy(this, 'web-policy', {
      workload: web,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
    });
  }
}

/** Builds the example app (tests call this; `main` below writes the YAML). */
export function buildApp(outdir = 'dist-examples/hardened-web'): App {
  const app = new App({ outdir });
  new HardenedWebChart(app, 'hardened-web');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
