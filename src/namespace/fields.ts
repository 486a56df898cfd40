import type { NamespaceResourceQuotaOptions } from './namespace-resource-quota';

/** The namespace objects' options and the manifest fields they set (the constructs and the fit check share them). */

/** The resources a LimitRange covers, with the names of their options. */
export const LIMIT_RESOURCES = [
  { key: 'cpu', field: 'cpu', max: 'maxCpu' },
  { key: 'memory', field: 'memory', max: 'maxMemory' },
  { key: 'ephemeral-storage', field: 'ephemeralStorage', max: 'maxEphemeralStorage' },
];

type QuotaOption = Exclude<keyof NamespaceResourceQuotaOptions, 'name'>;

/** Each ResourceQuota `spec.hard` key and the option that sets it. */
export const QUOTA_OPTIONS: Record<string, QuotaOption> = {
  'requests.cpu': 'requestsCpu',
  'limits.cpu': 'limitsCpu',
  'requests.memory': 'requestsMemory',
  'limits.memory': 'limitsMemory',
  'requests.ephemeral-storage': 'requestsEphemeralStorage',
  'limits.ephemeral-storage': 'limitsEphemeralStorage',
  'pods': 'pods',
  'services': 'services',
  'configmaps': 'configMaps',
  'secrets': 'secrets',
  'persistentvolumeclaims': 'persistentVolumeClaims',
  'services.loadbalancers': 'loadBalancers',
  'services.nodeports': 'nodePorts',
};

/** Quota options with a default: nothing is exposed on node ports or a cloud load balancer without a decision. */
export const QUOTA_DEFAULTS: Partial<Record<QuotaOption, number>> = { loadBalancers: 0, nodePorts: 0 };
