import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DnsOptions } from './dns';
import { NetworkPeer, NetworkRule, PolicyPort } from './network-peer';
import { Harden } from '../hardening/harden';
import { dnsEgressRules } from '../internal/dns';
import { checkDnsLabel } from '../internal/validation';

/** Options of a workload's network policy. */
export interface WorkloadNetworkPolicyProps {
  /** The workload whose pods the policy selects (by its stable `app.kubernetes.io/instance` label). */
  readonly workload: IConstruct;

  /**
   * Name of the NetworkPolicy.
   * @default - `<app name>[-<component>]` of the workload
   */
  readonly name?: string;

  /**
   * Namespace of the policy.
   * @default - the workload's namespace
   */
  readonly namespace?: string;

  /**
   * Who may connect to the workload. Nothing else may (the policy covers Ingress).
   * @default - no ingress
   */
  readonly ingress?: NetworkRule[];

  /**
   * Where the workload may connect. Nothing else is reachable (the policy covers Egress).
   * @default - DNS only (see `allowDns`)
   */
  readonly egress?: NetworkRule[];

  /**
   * Allow DNS lookups (UDP/TCP 53 to the cluster DNS), so the policy stands on
   * its own even without a namespace baseline.
   * @default true
   */
  readonly allowDns?: boolean;

  /**
   * Where DNS lookups go.
   * @default - kube-dns in kube-system
   */
  readonly dns?: DnsOptions;
}

/**
 * A NetworkPolicy for one workload, selecting its pods by `matchLabels` on its
 * stable `app.kubernetes.io/instance` label and covering both Ingress and Egress: everything not allowed
 * here is denied.
 *
 * @example
 * new WorkloadNetworkPolicy(chart, 'web-policy', {
 *   workload: web,
 *   ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [PolicyPort.tcp(8080)] }],
 * });
 */
export class WorkloadNetworkPolicy extends Construct {
  /** Name of the NetworkPolicy. */
  public readonly policyName: string;
  private readonly ingress: any[] = [];
  private readonly egress: any[] = [];
  private readonly where: string;
  private readonly namespace?: string;

  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    this.where = `[${this.node.path}]`;
    this.namespace = props.namespace ?? ApiObject.of(props.workload).metadata.namespace;
    if (props.allowDns !== false) this.egress.push(...dnsEgressRules(this.where, props.dns));
    (props.ingress ?? []).forEach((r) => this.allowIngressFrom(r.peer, ...(r.ports ?? [])));
    (props.egress ?? []).forEach((r) => this.allowEgressTo(r.peer, ...(r.ports ?? [])));

    // The identity is read now (names cannot be lazy); a later Harden.workload()
    // that changes it is caught at synth.
    const identity = Harden.identityOf(props.workload);
    this.node.addValidation({
      validate: () => {
        const final = Harden.identityOf(props.workload);
        return final.objectName === identity.objectName ? [] : [
          `the policy was created for app '${identity.objectName}' but the workload is now '${final.objectName}'. Fix: call Harden.workload(${props.workload.node.id}, ...) before creating the policy`,
        ];
      },
    });
    this.policyName = props.name ?? identity.objectName;
    checkDnsLabel(this.where, 'name', this.policyName);
    new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: this.policyName,
        ...(this.namespace ? { namespace: this.namespace } : {}),
        labels: { ...identity.podLabels, 'app.kubernetes.io/managed-by': 'cdk8s-superlatch' },
      },
      spec: {
        podSelector: { matchLabels: identity.instanceLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({ produce: () => (this.ingress.length ? this.ingress : undefined) }),
        egress: Lazy.any({ produce: () => (this.egress.length ? this.egress : undefined) }),
      },
    } as any);
  }

  /** Allow connections from `peer` on `ports` (every port if none is given). */
  public allowIngressFrom(peer: NetworkPeer, ...ports: PolicyPort[]): void {
    this.ingress.push(rule('from', peer, ports, this.namespace));
  }

  /** Allow connections to `peer` on `ports` (every port if none is given). */
  public allowEgressTo(peer: NetworkPeer, ...ports: PolicyPort[]): void {
    this.egress.push(rule('to', peer, ports, this.namespace));
  }
}

function rule(direction: 'from' | 'to', peer: NetworkPeer, ports: PolicyPort[], namespace?: string): any {
  const r: any = { [direction]: [peer._toKube(namespace)] };
  if (ports.length > 0) r.ports = ports.map((p) => p._toKube());
  return r;
}
