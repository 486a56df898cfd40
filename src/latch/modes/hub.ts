import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { ConfigMap, ServiceAccount } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { EgressRule, LatchModeBinding, LatchModeContext, LatchModeContract, LatchModeStrategy, PodInjection, StatusVolumeCel } from './mode-strategy';
import { SuperlatchKeys } from '../../contract';
import { Harden } from '../../hardening/harden';
import { HardeningProfile } from '../../hardening/hardening-profile';
import { emit } from '../../internal/manifest';
import { disruptionBudgetSpec } from '../../internal/pdb';
import { checkCidr, checkDnsLabel } from '../../internal/validation';
import { NetworkPeer, NetworkPeerPort } from '../../network/network-peer';
import { WorkloadNetworkPolicy } from '../../network/workload-network-policy';
import { AGENT_CONTAINER, agentContainer, API_ACCESS_DIR, API_ACCESS_VOLUME, CREDENTIALS_VOLUME, credentialsVolume, LatchPodSpec, STATUS_VOLUME, StatusPublication } from '../latch-pod';

/**
 * Hub mode: one latch master Deployment polls the Latch API and publishes the status into
 * a ConfigMap; guarded pods mount it read-only and need no egress and no token.
 */

/** Options of a hub-mode latch (`LatchMode.hub()`): how the latch master reaches the Kubernetes API server, and its pod. */
export interface LatchHubProps {
  /**
   * Address blocks of the API server endpoints (the addresses behind the
   * `kubernetes` Service, as most CNIs apply NetworkPolicy after the Service
   * translation), allowed on `apiServerPort`.
   */
  readonly apiServerCidrs: string[];

  /**
   * Port of the API server endpoints.
   * @default 443
   */
  readonly apiServerPort?: number;

  /**
   * Name of the ConfigMap the master publishes.
   * @default - `<latch name>-latch-status`
   */
  readonly configMapName?: string;

  /**
   * PriorityClass of the latch master pod.
   * @default - none: the cluster's default priority applies
   */
  readonly priorityClassName?: string;

  /**
   * Hardening profile of the latch master pod: its pod-level settings. The agent
   * container always gets the full restricted container settings, whatever the
   * profile relaxes.
   * @default HardeningProfile.restricted()
   */
  readonly masterProfile?: HardeningProfile;
}

/** Hub-mode pods have no writer of their status volume (a ConfigMap); the guarded ones never connect outside the cluster. */
export const HUB_CONTRACT: LatchModeContract = {
  name: SuperlatchKeys.MODE_HUB,
  statusWriter: () => undefined,
  withoutEgress: (role) => role === SuperlatchKeys.ROLE_GUARDED,
};

/** The hub mode (`LatchMode.hub()`). */
export class HubMode implements LatchModeStrategy {
  public readonly contract = HUB_CONTRACT;

  constructor(private readonly props: LatchHubProps) {}

  public bind(latch: LatchModeContext): LatchModeBinding {
    return new HubBinding(latch, this.props);
  }
}

class HubBinding implements LatchModeBinding {
  public readonly configMapName: string;
  private readonly master: ApiObject;

  constructor(private readonly ctx: LatchModeContext, props: LatchHubProps) {
    const where = ctx.where;
    if (!props?.apiServerCidrs || props.apiServerCidrs.length === 0) {
      throw new Error(`${where}: LatchMode.hub() needs apiServerCidrs (the API server endpoint addresses), so that the master's egress can reach the API server and nothing else. Fix: pass LatchMode.hub({ apiServerCidrs: ['<endpoint>/32'] })`);
    }
    props.apiServerCidrs.forEach((c) => checkCidr(where, 'LatchMode.hub().apiServerCidrs', c));
    this.configMapName = props.configMapName ?? `${ctx.spec.latchName}-latch-status`;
    checkDnsLabel(where, 'LatchMode.hub().configMapName', this.configMapName);
    const apiServerPort = props.apiServerPort ?? 443;
    const egress: EgressRule[] = [
      ...ctx.apiEgress,
      ...props.apiServerCidrs.map((c) => ({ peer: NetworkPeer.cidr(c), ports: [NetworkPeerPort.tcp(apiServerPort)] })),
    ];
    this.master = createMaster(ctx.latch, ctx.spec, this.configMapName, {
      profile: props.masterProfile ?? HardeningProfile.restricted(),
      priorityClassName: props.priorityClassName,
      egress,
    });
  }

  /** A pod mounts only a ConfigMap of its own namespace. */
  public checkGuard(workload: IConstruct, namespace: string | undefined): void {
    const latchNamespace = Chart.of(this.ctx.latch).namespace;
    if (namespace !== latchNamespace) {
      throw new Error(`[${workload.node.path}] is in namespace '${namespace ?? '(none)'}' but latch '${this.ctx.spec.latchName}' publishes its ConfigMap in '${latchNamespace ?? '(none)'}': a pod can only mount a ConfigMap of its own namespace. Fix: create one hub latch per namespace`);
    }
  }

  public inject(): PodInjection {
    return {
      mode: HUB_CONTRACT.name,
      // a ConfigMap volume is read-only by nature; until the master publishes, the file is missing
      volumes: [{ name: STATUS_VOLUME, configMap: { name: this.configMapName, defaultMode: 0o444 } }],
      containers: [],
      annotations: {},
    };
  }

  public guarded(): void {}

  /** Only the master runs the agent. */
  public agentObjects(): ApiObject[] {
    return [this.master];
  }

  /** The pod's status volume is this latch's ConfigMap. */
  public admitsStatusVolume(t: string, cel: StatusVolumeCel): string {
    const s = `${t}.spec`;
    return `has(${s}.volumes) && ${s}.volumes.exists(v, v.name == ${cel.string(STATUS_VOLUME)} && ${cel.isLatchConfigMap('v')})`;
  }
}

/** The master's pod: where it publishes (the ConfigMap, through the API server) with a projected token. */
function configMapPublication(cmName: string): StatusPublication {
  return {
    env: [
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'LATCH_PUBLISH_CONFIGMAP', value: `$(POD_NAMESPACE)/${cmName}` },
      { name: 'LATCH_SERVICEACCOUNT_DIR', value: API_ACCESS_DIR },
    ],
    mounts: [{ name: API_ACCESS_VOLUME, mountPath: API_ACCESS_DIR, readOnly: true }],
  };
}

/**
 * The master and what it needs: the status ConfigMap, its ServiceAccount, a Role that may
 * update that ConfigMap only, the binding, the Deployment (one replica), its disruption
 * budget and its network policy.
 */
interface MasterOptions {
  readonly profile: HardeningProfile;
  readonly priorityClassName?: string;
  readonly egress: EgressRule[];
}

function createMaster(scope: Construct, spec: LatchPodSpec, cmName: string, opts: MasterOptions): ApiObject {
  const name = `${spec.latchName}-latch-agent`;
  const labels = { [SuperlatchKeys.LATCH_LABEL]: spec.latchName, [SuperlatchKeys.ROLE_LABEL]: SuperlatchKeys.ROLE_AGENT };
  const selector = { 'app.kubernetes.io/name': `${spec.latchName}-latch`, 'app.kubernetes.io/component': 'agent' };

  emit<ConfigMap>(scope, 'StatusConfigMap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: cmName,
      labels,
      annotations: {
        // Flux: create once, never overwrite what the master publishes.
        'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent',
        // Argo CD: do not prune or revert it (see docs/latch.md for ignoreDifferences).
        'argocd.argoproj.io/sync-options': 'Prune=false',
      },
    },
  });
  // no token mounted: the master's pod projects a short-lived one
  emit<ServiceAccount>(scope, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, labels }, automountServiceAccountToken: false });
  emit<Role>(scope, 'Role', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, labels },
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [cmName], verbs: ['get', 'patch', 'update'] }],
  });
  emit<RoleBinding>(scope, 'RoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name }],
  });

  const master = emit<Deployment>(scope, 'Master', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 1,
      // never two pollers at once: the old pod stops before the new one starts
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labels, ...selector },
          annotations: {
            [SuperlatchKeys.MODE_ANNOTATION]: HUB_CONTRACT.name,
            [SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION]: CREDENTIALS_VOLUME,
            [SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION]: AGENT_CONTAINER,
          },
        },
        spec: {
          serviceAccountName: name,
          containers: [agentContainer(spec, { publish: configMapPublication(cmName) })],
          volumes: masterVolumes(spec),
        },
      },
    },
  });
  Harden.workload(master, { profile: opts.profile, name: `${spec.latchName}-latch`, component: 'agent', serviceAccount: false, priorityClassName: opts.priorityClassName });
  // One replica by design; the budget says evicting it is acceptable: readers
  // keep the last status until it expires, and the failure policy after that.
  emit<PodDisruptionBudget>(scope, 'MasterDisruptionBudget', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, labels }, spec: disruptionBudgetSpec(selector) });
  new WorkloadNetworkPolicy(scope, 'MasterPolicy', { workload: master, egress: opts.egress });
  return master;
}

/** The master pod's volumes: credentials and a short-lived projected token for the API server. */
function masterVolumes(spec: LatchPodSpec): any[] {
  return [
    credentialsVolume(spec),
    {
      name: API_ACCESS_VOLUME,
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        ],
      },
    },
  ];
}
