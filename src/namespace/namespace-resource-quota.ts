import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import type { ResourceQuota } from 'kubernetes-types/core/v1';
import { QUOTA_DEFAULTS, QUOTA_OPTIONS } from './fields';
import { checkCount, cpuMillis, mebibytes, sortKeys } from './quantities';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { checkDnsLabel } from '../internal/validation';

/**
 * Totals a namespace may use. Every compute field is optional; the two
 * service counts default to 0 so that nothing in the namespace is exposed on
 * node ports or a cloud load balancer without an explicit decision.
 */
export interface NamespaceResourceQuotaOptions {
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
export interface NamespaceResourceQuotaProps extends NamespaceResourceQuotaOptions {
  /** The namespace the quota applies to. */
  readonly namespace: string;
}

/**
 * A ResourceQuota for one namespace. Note that once a quota constrains cpu,
 * memory or ephemeral-storage, the API server rejects pods that do not set
 * that request or limit: pair it with a `NamespaceLimitRange` (or harden every
 * workload) so that every container has them. In a `HardenedNamespace`,
 * workloads that would break the quota fail at synth.
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
    for (const [key, option] of Object.entries(QUOTA_OPTIONS)) {
      const value = props[option] ?? QUOTA_DEFAULTS[option];
      if (typeof value === 'string') cpuMillis(where, option, value);
      if (typeof value === 'number') checkCount(where, option, value);
      if (value !== undefined) hard[key] = typeof value === 'object' ? mebibytes(value) : String(value);
    }

    emit<ResourceQuota>(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: this.quotaName, namespace: props.namespace, labels: { ...MANAGED_BY } },
      spec: { hard: sortKeys(hard) },
    });
  }
}

