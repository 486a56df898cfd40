/**
 * platform-guardrails: the hub-mode latch example inside a namespace with every
 * cluster guardrail of cdk8s-superlatch around it.
 *
 * - a hardened namespace with a ResourceQuota and a LimitRange;
 * - a ValidatingAdmissionPolicy enforcing the latch and hardening invariants at admission;
 * - image trust: a Kyverno policy requiring keyless signatures of our images;
 * - Falco rules derived from the workloads;
 * - pid limits: the workloads require pid-limited nodes, whose kubelet
 *   configuration is written to a separate directory for node bootstrap;
 * - the latch master runs a custom seccomp profile distributed by the
 *   Security Profiles Operator.
 *
 *   npx projen examples  ->  dist-examples/platform-guardrails/platform-guardrails.k8s.yaml  (GitOps)
 *                            dist-examples/platform-guardrails-node-config/kubelet-pid-limits.k8s.yaml  (node bootstrap)
 */
import { ApiObject, App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  FalcoRules, GuardrailAdmissionPolicy, Harden, HardenedNamespace, ImageSigner, ImageTrustEngine, ImageTrustPolicy,
  KubeletPidLimits, Latch, LatchMode, NetworkPeer, OperatorSeccompProfile, PidLimits, NetworkPeerPort, WorkloadNetworkPolicy,
} from '../../src';
import { AGENT_IMAGE, CREDENTIALS, DEMO_APPS, demoContainer, LATCH_API_CIDRS } from '../demo-apps';
import { API_SERVER_CIDRS } from '../superlatch-hub/main';

export const NAMESPACE = 'payments';

/** The repository of the agent image (the only image allowed to write a status volume). */
export const AGENT_REPOSITORY = AGENT_IMAGE.split('@')[0].replace(/:[^/:]*$/, '');

/** Who signs our images: the release workflow of the project, through Sigstore keyless signing (replace with yours). */
export const IMAGE_SIGNER = ImageSigner.keyless({
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'https://github.com/example/superlatch/.github/workflows/release.yml@refs/heads/main',
});

/** What the demo images' entrypoints run (Falco's proc.name): the Go binary and the JVM. */
export const DEMO_PROCESSES: Record<string, string[]> = { 'app-go': ['app-go'], 'app-java': ['java'] };

/** The podPidsLimit of the pid-limited node pools. */
export const POD_PIDS_LIMIT = 1024;

export class PlatformGuardrailsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: NAMESPACE, disableResourceNameHashes: true });

    new HardenedNamespace(this, 'namespace', {
      name: NAMESPACE,
      quota: {
        requestsCpu: '4',
        limitsCpu: '8',
        requestsMemory: Size.gibibytes(4),
        limitsMemory: Size.gibibytes(8),
        requestsEphemeralStorage: Size.gibibytes(2),
        limitsEphemeralStorage: Size.gibibytes(4),
        pods: 30,
      },
      limitRange: { maxCpu: '1', maxMemory: Size.gibibytes(1), maxEphemeralStorage: Size.gibibytes(1) },
    });

    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'payments-standard' },
      value: 1000,
      description: 'Payments workloads guarded by a latch',
    });

    // The agent's own seccomp profile, on every node (cluster-scoped), used by the latch's containers.
    const seccomp = new OperatorSeccompProfile(this, 'agent-seccomp');

    const latch = new Latch(this, 'latch', {
      mode: LatchMode.hub({ apiServerCidrs: API_SERVER_CIDRS, priorityClassName: 'payments-standard' }),
      credentials: CREDENTIALS,
      api: { cidrs: LATCH_API_CIDRS },
      image: AGENT_IMAGE,
      agentSeccompProfile: seccomp.seccompProfile,
    });

    for (const app of DEMO_APPS) {
      const web = new kplus.Deployment(this, app.name, { metadata: { name: app.name }, replicas: 2, containers: [demoContainer(app)] });
      Harden.workload(web, { priorityClassName: 'payments-standard' });
      web.exposeViaService({ name: app.name, ports: [{ port: app.port, targetPort: app.port }] });
      new WorkloadNetworkPolicy(this, `${app.name}-policy`, {
        workload: web,
        ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(app.port)] }],
      });
      latch.guard(web, { gate: app.name === 'app-java' });
      PidLimits.requireFor(web, { expectedPodPidsLimit: POD_PIDS_LIMIT });
    }

    new GuardrailAdmissionPolicy(this, 'admission', {
      namespaces: [NAMESPACE],
      allowedLocalhostProfiles: [seccomp.localhostProfile],
      statusWriterImages: [AGENT_REPOSITORY],
    });

    new ImageTrustPolicy(this, 'image-trust', {
      engine: ImageTrustEngine.KYVERNO,
      imageReferences: ['registry.example.com/superlatch/*'],
      signers: [IMAGE_SIGNER],
      namespaces: [NAMESPACE],
    });

    // The demo apps set no command (their images' entrypoints run): tell Falco what runs.
    new FalcoRules(this, 'falco-rules', {
      expectedProcesses: DEMO_APPS.map((app) => ({ container: app.name, processNames: DEMO_PROCESSES[app.name] })),
    });
  }
}

/** The GitOps app (tests call this; `main` below writes the YAML). */
export function buildApp(outdir = 'dist-examples/platform-guardrails'): App {
  const app = new App({ outdir });
  new PlatformGuardrailsChart(app, 'platform-guardrails');
  return app;
}

/**
 * The node configuration of the pid-limited node pools: a separate app and
 * directory, for node bootstrap, never synced to the cluster.
 */
export function buildNodeConfigApp(outdir = 'dist-examples/platform-guardrails-node-config'): App {
  const app = new App({ outdir });
  new KubeletPidLimits(new Chart(app, 'kubelet-pid-limits'), 'pid-limits', { podPidsLimit: POD_PIDS_LIMIT });
  return app;
}

if (require.main === module) {
  buildApp().synth();
  buildNodeConfigApp().synth();
}
