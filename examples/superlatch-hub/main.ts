/**
 * superlatch-hub: the same two demo apps as separate Deployments, guarded by
 * one latch master that publishes the status into a ConfigMap. The apps need
 * no egress and no API token; one poller serves every replica. app-java also
 * gets the readiness gate: a locked latch takes it out of its Service.
 *
 *   npx projen examples  ->  dist-examples/superlatch-hub/superlatch-hub.k8s.yaml
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Harden, HardenedNamespace, Latch, LatchMode, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';
import { AGENT_IMAGE, CREDENTIALS, DEMO_APPS, demoContainer, LATCH_API_CIDRS } from '../demo-apps';

/** The API server endpoint (what `kubectl get endpoints kubernetes` shows). */
export const API_SERVER_CIDRS = ['10.0.0.1/32'];

export class SuperlatchHubChart extends Chart {
  /** The latch, for constructs that build on this chart (e.g. guardrails). */
  public readonly latch: Latch;

  constructor(scope: Construct, id: string, namespace = 'superlatch-hub') {
    super(scope, id, { namespace, disableResourceNameHashes: true });

    new HardenedNamespace(this, 'namespace', { name: namespace });

    // Scheduling priority of the demo apps (cluster-scoped; usually owned by the platform).
    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'superlatch-hub-demo' },
      value: 1000,
      description: 'SuperLatch demo applications',
    });

    this.latch = new Latch(this, 'latch', {
      mode: LatchMode.hub({ apiServerCidrs: API_SERVER_CIDRS, apiServerPort: 443, priorityClassName: 'superlatch-hub-demo' }),
      credentials: CREDENTIALS,
      api: { cidrs: LATCH_API_CIDRS },
      image: AGENT_IMAGE,
    });

    for (const app of DEMO_APPS) {
      const web = new kplus.Deployment(this, app.name, {
        metadata: { name: app.name },
        replicas: 2,
        containers: [demoContainer(app)],
      });
      Harden.workload(web, { priorityClassName: 'superlatch-hub-demo' });
      web.exposeViaService({ name: app.name, ports: [{ port: app.port, targetPort: app.port }] });
      new WorkloadNetworkPolicy(this, `${app.name}-policy`, {
        workload: web,
        ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(app.port)] }],
      });
      this.latch.guard(web, { gate: app.name === 'app-java' });
    }
  }
}

export function buildApp(outdir = 'dist-examples/superlatch-hub'): App {
  const app = new App({ outdir });
  new SuperlatchHubChart(app, 'superlatch-hub');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
