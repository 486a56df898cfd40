/**
 * superlatch-native-sidecar: the sidecar latch on the newest supported Kubernetes
 * (1.36), where the agent is a native sidecar: an init container with
 * `restartPolicy: Always` whose startup probe passes once the first status is
 * published, so the applications start only after the latch has spoken.
 *
 * - a web Deployment guarded with the gate (a locked latch takes it out of its Service);
 * - a nightly report CronJob guarded in sidecar mode (its job checks the status file
 *   before it runs; the agent stops when the job's container finishes);
 * - a HardenedNamespace (PSA labels pinned to v1.36), network policies, and the
 *   guardrail admission policy on admissionregistration.k8s.io/v1.
 *
 *   npx projen examples  ->  dist-examples/superlatch-native-sidecar/superlatch-native-sidecar.k8s.yaml
 */
import { ApiObject, App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  GuardrailAdmissionPolicy, Harden, HardenedNamespace, KubernetesTarget, KubernetesVersion, Latch,
  NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy,
} from '../../src';
import { AGENT_IMAGE, CREDENTIALS, DEMO_APPS, demoContainer, LATCH_API_CIDRS } from '../demo-apps';

const NAMESPACE = 'superlatch-native';
const PRIORITY = 'superlatch-native-demo';
/** The report job's image (its entrypoint exits 0 when the latch is open, 3 when it is locked). */
const REPORT_IMAGE = 'registry.example.com/superlatch/demo-report:1.0.0@sha256:2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c';

/** Where the report job serves its metrics while it runs. */
const REPORT_METRICS_PORT = 9102;

export class SuperlatchNativeSidecarChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: NAMESPACE, disableResourceNameHashes: true });
    // The target comes before anything is added to the chart.
    KubernetesTarget.set(this, KubernetesVersion.V1_36);

    new HardenedNamespace(this, 'namespace', { name: NAMESPACE });

    // Scheduling priority of the demo apps (cluster-scoped; usually owned by the platform).
    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: PRIORITY },
      value: 1000,
      description: 'SuperLatch native sidecar demo applications',
    });

    const latch = new Latch(this, 'latch', {
      credentials: CREDENTIALS,
      api: { cidrs: LATCH_API_CIDRS },
      image: AGENT_IMAGE,
    });

    const app = DEMO_APPS[0];
    const web = new kplus.Deployment(this, 'web', {
      metadata: { name: 'web' },
      replicas: 2,
      containers: [demoContainer(app)],
    });
    Harden.workload(web, { priorityClassName: PRIORITY });
    web.exposeViaService({ name: 'web', ports: [{ port: app.port, targetPort: app.port }] });
    new WorkloadNetworkPolicy(this, 'web-policy', {
      workload: web,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(app.port)] }],
    });
    latch.guard(web, { gate: true });

    const report = new kplus.CronJob(this, 'report', {
      metadata: { name: 'nightly-report' },
      schedule: Cron.schedule({ minute: '15', hour: '2' }),
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      containers: [{ name: 'report', image: REPORT_IMAGE, portNumber: REPORT_METRICS_PORT }],
    });
    Harden.workload(report, { priorityClassName: PRIORITY });
    // While it runs, the job serves metrics to the monitoring namespace; its egress is only what the latch needs.
    new WorkloadNetworkPolicy(this, 'report-policy', {
      workload: report,
      ingress: [{ peer: NetworkPeer.namespace('monitoring'), ports: [NetworkPeerPort.tcp(REPORT_METRICS_PORT)] }],
    });
    latch.guard(report);

    new GuardrailAdmissionPolicy(this, 'admission', {
      namespaces: [NAMESPACE],
      statusWriterImages: [AGENT_IMAGE.split('@')[0].replace(/:[^/:]*$/, '')],
    });
  }
}

export function buildApp(outdir = 'dist-examples/superlatch-native-sidecar'): App {
  const app = new App({ outdir });
  new SuperlatchNativeSidecarChart(app, 'superlatch-native-sidecar');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
