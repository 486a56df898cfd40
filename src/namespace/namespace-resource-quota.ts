import { ApiObject, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { checkCount, cpuMillis, mebibytes, sortKeys } from './quantities';
import { checkDnsLabel } from '../internal/validation';

/**
 * Totals a namespace may use. Every compute field is optional; the two
 * service counts default to 0 so that nothing in the namespace is exposed on
 * node ports or a cloud load balancer without an explicit decision.
 */
export interface NamespaceQuotaOptions {
  /**
   * Name of the ResourceQuota.
   * @default "namespace-quota"
   */
  readonly name?: string;

  /**
   * Sum of the cpu requests of all pods (`requests.cpu`), e.g. `4` or `2500m`.
   * @default - no total
   */
  readonly requestsCpu?: string;

  /**
   * Sum of the cpu limits of all pods (`limits.cpu`).
   * @default - no total
   */
  readonly limitsCpu?: string;

  /**
   * Sum of the memory requests (`requests.memory`).
   * @default - no total
   */
  readonly requestsMemory?: Size;

  /**
   * Sum of the memory limits (`limits.memory`).
   * @default - no total
   */
  readonly limitsMemory?: Size;

  /**
   * Sum of the ephemeral-storage requests (`requests.ephemeral-storage`).
   * @default - no total
   */
  readonly requestsEphemeralStorage?: Size;

  /**
   * Sum of the ephemeral-storage limits (`limits.ephemeral-storage`).
   * @default - no total
   */
  readonly limitsEphemeralStorage?: Size;

  /**
   * Number of pods (`pods`).
   * @default - no limit
   */
  readonly pods?: number;

  /**
   * Number of Services (`services`).
   * @default - no limit
   */
  readonly services?: number;

  /**
   * Number of ConfigMaps (`configmaps`).
   * @default - no limit
   */
  readonly configMaps?: number;

  /**
   * Number of Secrets (`secrets`).
   * @default - no limit
   */
  readonly secrets?: number;

  /**
   * Number of PersistentVolumeClaims (`persistentvolumeclaims`).
   * @default - no limit
   */
  readonly persistentVolumeClaims?: number;

  /**
   * Number of Services of type LoadBalancer (`services.loadbalancers`).
   * @default 0
   */
  readonly loadBalancers?: number;

  /**
   * Number of Services that open node ports (`services.nodeports`).
   * @default 0
   */
  readonly nodePorts?: number;
}

/** Options of a namespace ResourceQuota. */
export interface NamespaceResourceQuotaProps extends NamespaceQuotaOptions {
  /** The namespace the quota applies to. */
  readonly namespace: string;
}

/**
 * A ResourceQuota for one namespace. Note that once a quota constrains cpu,
 * memory or ephemeral-storage, the API server rejects pods that do not set
 * that request or limit: pair it with a `NamespaceLimitRange` (or harden every
 * workload) so that every container has them.
 */
export class NamespaceResourceQuota extends Construct {
  /** Name of the ResourceQuota. */
  public readonly quotaName: string;

  constructor(scope: Construct, id: string, props: NamespaceResourceQuotaProps) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.quotaName = props.name ?? 'namespace-quota';
    checkDnsLabel(where, 'name', this.quotaName);

    const hard: Record<string, string> = {};
    const cpu = (field: string, key: string, value?: string) => {
      if (value === undefined) return;
      cpuMillis(where, field, value);
      hard[key] = value;
    };
    const size = (key: string, value?: Size) => {
      if (value !== undefined) hard[key] = mebibytes(value);
    };
    const count = (field: string, key: string, value?: number) => {
      checkCount(where, field, value);
      if (value !== undefined) hard[key] = String(value);
    };
    cpu('requestsCpu', 'requests.cpu', props.requestsCpu);
    cpu('limitsCpu', 'limits.cpu', props.limitsCpu);
    size('requests.memory', props.requestsMemory);
    size('limits.memory', props.limitsMemory);
    size('requests.ephemeral-storage', props.requestsEphemeralStorage);
    size('limits.ephemeral-storage', props.limitsEphemeralStorage);
    count('pods', 'pods', props.pods);
    count('services', 'services', props.services);
    count('configMaps', 'configmaps', props.configMaps);
    count('secrets', 'secrets', props.secrets);
    count('persistentVolumeClaims', 'persistentvolumeclaims', props.persistentVolumeClaims);
    count('loadBalancers', 'services.loadbalancers', props.loadBalancers ?? 0);
    count('nodePorts', 'services.nodeports', props.nodePorts ?? 0);

    new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: this.quotaName, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-superlatch' } },
      spec: { hard: sortKeys(hard) },
    } as any);
  }
}

