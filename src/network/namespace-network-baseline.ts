import { Construct } from 'constructs';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { DnsOptions } from './dns';
import { dnsEgressRules } from '../internal/dns';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';

/** Options of the namespace network baseline. */
export interface NamespaceNetworkBaselineProps {
  /**
   * Namespace the policies go into.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Where pods resolve DNS names.
   * @default - kube-dns in kube-system on UDP/TCP 53, no node-local cache
   */
  readonly dns?: DnsOptions;
}

/**
 * The network floor of a namespace: a `default-deny` NetworkPolicy selecting
 * every pod for Ingress and Egress, and `allow-dns`, which lets every pod reach
 * the cluster DNS (and, optionally, a node-local DNS cache) on port 53.
 * Workloads then open only what they need with `WorkloadNetworkPolicy`.
 */
export class NamespaceNetworkBaseline extends Construct {
  /** Name of the default-deny policy. */
  public readonly denyPolicyName = 'default-deny';
  /** Name of the DNS policy. */
  public readonly dnsPolicyName = 'allow-dns';

  constructor(scope: Construct, id: string, props: NamespaceNetworkBaselineProps = {}) {
    super(scope, id);
    const metadata = (name: string) => ({
      name,
      ...(props.namespace ? { namespace: props.namespace } : {}),
      labels: { ...MANAGED_BY },
    });
    emit<NetworkPolicy>(this, 'DefaultDeny', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(this.denyPolicyName),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    emit<NetworkPolicy>(this, 'AllowDns', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(this.dnsPolicyName),
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: dnsEgressRules(`[${this.node.path}]`, props.dns) },
    });
  }
}
