/**
 * superlatch-sidecar: the seed's demo rebuilt. Two small web apps in one pod,
 * guarded by one latch whose agent runs as a sidecar and writes the status to
 * an in-memory volume the apps mount read-only.
 *
 *   npx projen examples  ->  dist-examples/superlatch-sidecar/superlatch-sidecar.k8s.yaml
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Harden, HardenedNamespace, Latch, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';
import { AGENT_IMAGE, CREDENTIALS, DEMO_APPS, demoContainer, LATCH_API_CIDRS } from '../demo-apps';

export class SuperlatchSidecarChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'superlatch-sidecar', disableResourceNameHashes: true });

    new HardenedNamespace(this, 'namespace', { name: 'superlatch-sidecar' });

    // Scheduling priority of the demo apps (cluster-scoped; usually owned by the platform).
    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'superlatch-sidecar-demo' },
      value: 1000,
      description: 'SuperLatch demo applications',
    });

    const demo = new kplus.Deployment(this, 'demo', {
      metadata: { name: 'demo' },
      replicas: 2,
      containers: DEMO_APPS.map(demoContainer),
    });
    Harden.workload(demo, { priorityClassName: 'superlatch-sidecar-demo' });
    demo.exposeViaService({ name: 'demo', ports: DEMO_APPS.map((a) => ({ name: a.name, port: a.port, targetPort: a.port })) });

    new WorkloadNetworkPolicy(this, 'demo-policy', {
      workload: demo,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: DEMO_APPS.map((a) => NetworkPeerPort.tcp(a.port)) }],
    });

    const latch = new Latch(this, 'latch', {
      credentials: CREDENTIALS,
      api: { cidrs: LATCH_API_CIDRS },
      image: AGENT_IMAGE,
    });
    latch.guard(demo);
  }
}

export function buildApp(outdir = 'dist-examples/superlatch-sidecar'): App {
  const app = new App({ outdir });
  new SuperlatchSidecarChart(app, 'superlatch-sidecar');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
