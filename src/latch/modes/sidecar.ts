import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { LatchModeBinding, LatchModeContext, LatchModeContract, LatchModeStrategy, PodInjection, StatusVolumeCel } from './mode-strategy';
import { SuperlatchKeys } from '../../contract';
import { dnsEgressRules } from '../../internal/dns';
import { emit } from '../../internal/manifest';
import { AGENT_CONTAINER, agentContainer, CREDENTIALS_VOLUME, credentialsVolume, LatchPodSpec, STATUS_VOLUME, StatusPublication } from '../latch-pod';

/**
 * Sidecar mode: the agent runs in every guarded pod and writes the status file to an
 * in-memory emptyDir that the application containers mount read-only; each guarded pod
 * gets egress to the Latch API (one policy per namespace, selected by the latch's labels).
 */

/** Sidecar-mode pods name their writer, the agent, in `superlatch.io/status-writer`; they reach the Latch API. */
export const SIDECAR_CONTRACT: LatchModeContract = {
  name: SuperlatchKeys.MODE_SIDECAR,
  statusWriter: (annotations) => annotations[SuperlatchKeys.WRITER_ANNOTATION],
  withoutEgress: () => false,
};

/** The sidecar mode (`LatchMode.sidecar()`). */
export class SidecarMode implements LatchModeStrategy {
  public readonly contract = SIDECAR_CONTRACT;

  public bind(latch: LatchModeContext): LatchModeBinding {
    return new SidecarBinding(latch);
  }
}

/** The agent writes the status file into the status volume. */
function statusFile(spec: LatchPodSpec): StatusPublication {
  return {
    env: [{ name: 'LATCH_STATUS_FILE', value: spec.statusFile }],
    mounts: [{ name: STATUS_VOLUME, mountPath: spec.statusDirectory }],
  };
}

class SidecarBinding implements LatchModeBinding {
  /** The namespaces that have the egress policy of this latch's guarded pods. */
  private readonly egressPolicies = new Set<string>();

  constructor(private readonly ctx: LatchModeContext) {}

  public checkGuard(): void {}

  public inject(nativeSidecar: boolean): PodInjection {
    const spec = this.ctx.spec;
    return {
      mode: SIDECAR_CONTRACT.name,
      volumes: [{ name: STATUS_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }, credentialsVolume(spec)],
      containers: [agentContainer(spec, { publish: statusFile(spec), nativeSidecar })],
      annotations: {
        [SuperlatchKeys.WRITER_ANNOTATION]: AGENT_CONTAINER,
        [SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION]: CREDENTIALS_VOLUME,
      },
      sidecarName: 'agent sidecar',
    };
  }

  /**
   * One egress policy per namespace for every pod this latch guards (selected by the
   * latch's labels): DNS and the Latch API, nothing else. Egress only: the pods' own
   * policies decide their ingress.
   */
  public guarded(workload: IConstruct, namespace: string | undefined, where: string): void {
    // once per namespace, however many charts guard pods there: in the first such chart
    const key = namespace ?? '';
    if (this.egressPolicies.has(key)) return;
    this.egressPolicies.add(key);
    const latch = this.ctx.latch;
    const latchName = this.ctx.spec.latchName;
    const chart = Chart.of(workload);
    const own = chart === Chart.of(latch);
    const suffix = namespace ? '-' + namespace : '';
    emit<NetworkPolicy>(own ? latch : chart, own ? `Egress${suffix}` : `${latch.node.id}-latch-egress${suffix}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${latchName}-latch-egress`, ...(namespace ? { namespace } : {}), labels: { [SuperlatchKeys.LATCH_LABEL]: latchName } },
      spec: {
        podSelector: { matchLabels: { [SuperlatchKeys.LATCH_LABEL]: latchName, [SuperlatchKeys.ROLE_LABEL]: SuperlatchKeys.ROLE_GUARDED } },
        policyTypes: ['Egress'],
        egress: [...dnsEgressRules(where), ...this.ctx.apiEgress.map((r) => ({ to: [r.peer._toKube()], ports: r.ports.map((p) => p._toKube()) }))],
      },
    });
  }

  /** Every guarded pod runs the agent. */
  public agentObjects(guarded: readonly ApiObject[]): ApiObject[] {
    return [...guarded];
  }

  /** The pod names the agent as the writer, and the agent writes the emptyDir. */
  public admitsStatusVolume(t: string, cel: StatusVolumeCel): string {
    return `${cel.hasAnnotationValue(t, SuperlatchKeys.WRITER_ANNOTATION, AGENT_CONTAINER)} && ${cel.agentWritesEmptyDir(`${t}.spec`)}`;
  }
}
