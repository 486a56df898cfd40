import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import type { LimitRange, LimitRangeItem } from 'kubernetes-types/core/v1';
import { LIMIT_RESOURCES } from './fields';
import { cpuMillis, mebibytes, parseMebibytes, sortKeys } from './quantities';
import { HardeningProfile, ResourceDefaults } from '../hardening/hardening-profile';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { checkDnsLabel } from '../internal/validation';

/** Container defaults and maximums of a namespace. */
export interface NamespaceLimitRangeOptions {
  /**
   * Name of the LimitRange.
   * @default "container-defaults"
   */
  readonly name?: string;

  /**
   * Requests (`defaultRequest`) and limits (`default`) the API server gives
   * containers that set none: the same values as the hardened profile's.
   * @default - cpu 100m/500m, memory 64Mi/256Mi, ephemeral-storage 64Mi/256Mi
   */
  readonly containerDefaults?: ResourceDefaults;

  /**
   * Largest cpu limit a container may set (`max.cpu`).
   * @default - no maximum
   */
  readonly maxCpu?: string;

  /**
   * Largest memory limit a container may set (`max.memory`).
   * @default - no maximum
   */
  readonly maxMemory?: Size;

  /**
   * Largest ephemeral-storage limit a container may set (`max.ephemeral-storage`).
   * @default - no maximum
   */
  readonly maxEphemeralStorage?: Size;
}

/** Options of a namespace LimitRange. */
export interface NamespaceLimitRangeProps extends NamespaceLimitRangeOptions {
  /** The namespace the LimitRange applies to. */
  readonly namespace: string;
}

/**
 * A LimitRange giving every container of a namespace requests and limits for
 * cpu, memory and ephemeral-storage when it sets none (also the containers of
 * workloads that are not hardened, e.g. injected sidecars), and optional
 * maximums. Requests never exceed limits, and limits never exceed maximums.
 */
export class NamespaceLimitRange extends Construct {
  /** Name of the LimitRange. */
  public readonly limitRangeName: string;

  constructor(scope: Construct, id: string, props: NamespaceLimitRangeProps) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.limitRangeName = props.name ?? 'container-defaults';
    checkDnsLabel(where, 'name', this.limitRangeName);

    // The profile owns the default values, so both stay the same.
    const { requests, limits } = HardeningProfile.restricted({ resourceDefaults: props.containerDefaults })._resolve().resources;
    const max: Record<string, string> = {};
    if (props.maxCpu !== undefined) max.cpu = props.maxCpu;
    if (props.maxMemory !== undefined) max.memory = mebibytes(props.maxMemory);
    if (props.maxEphemeralStorage !== undefined) max['ephemeral-storage'] = mebibytes(props.maxEphemeralStorage);

    for (const r of LIMIT_RESOURCES) {
      const amount = (name: string, value: string) => (r.key === 'cpu' ? cpuMillis(where, name, value) : parseMebibytes(value));
      const request = amount(`containerDefaults.${r.field}Request`, requests[r.key]);
      const limit = amount(`containerDefaults.${r.field}Limit`, limits[r.key]);
      if (request > limit) {
        throw new Error(`${where}: the default ${r.key} request ${requests[r.key]} is above the default limit ${limits[r.key]}. Fix: lower containerDefaults.${r.field}Request or raise containerDefaults.${r.field}Limit`);
      }
      if (max[r.key] !== undefined && limit > amount(r.max, max[r.key])) {
        throw new Error(`${where}: the default ${r.key} limit ${limits[r.key]} is above ${r.max} ${max[r.key]}. Fix: raise ${r.max} or lower containerDefaults.${r.field}Limit`);
      }
    }

    const limit: LimitRangeItem = { type: 'Container', default: sortKeys(limits), defaultRequest: sortKeys(requests) };
    if (Object.keys(max).length > 0) limit.max = sortKeys(max);
    emit<LimitRange>(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: this.limitRangeName, namespace: props.namespace, labels: { ...MANAGED_BY } },
      spec: { limits: [limit] },
    });
  }
}
