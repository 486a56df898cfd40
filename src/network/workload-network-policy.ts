import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { DnsOptions } from './dns';
import { NetworkPeer, NetworkRule, NetworkPeerPort } from './network-peer';
import { Harden } from '../hardening/harden';
import { dnsEgressRules } from '../internal/dns';
import { emit, rendered } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { Stage, SynthesisPipeline } from '../internal/pipeline';
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
 *   ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
 * });
 */
export class WorkloadNetworkPolicy extends Construct {
  private readonly ingress: any[] = [];
  private readonly egress: any[] = [];
  private readonly where: string;
  private readonly namespace?: string;
  private readonly workload: IConstruct;
  private readonly name?: string;

  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    this.where = `[${this.node.path}]`;
    this.workload = props.workload;
    this.name = props.name;
    this.namespace = props.namespace ?? ApiObject.of(props.workload).metadata.namespace;
    if (props.name !== undefined) checkDnsLabel(this.where, 'name', props.name);
    if (props.allowDns !== false) this.egress.push(...dnsEgressRules(this.where, props.dns));
    (props.ingress ?? []).forEach((r) => this.allowIngressFrom(r.peer, ...(r.ports ?? [])));
    (props.egress ?? []).forEach((r) => this.allowEgressTo(r.peer, ...(r.ports ?? [])));

    const resource = emit<NetworkPolicy>(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: this.policyName,
        ...(this.namespace ? { namespace: this.namespace } : {}),
      },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: rendered(() => (this.ingress.length ? this.ingress : undefined)),
        egress: rendered(() => (this.egress.length ? this.egress : undefined)),
      },
    });
    // the workload's identity as it is at synthesis (Harden.workload() may come later)
    SynthesisPipeline.of(this).addTransform(resource, Stage.HARDENING, (json, run) => {
      const identity = Harden.identityOf(this.workload);
      const name = this.name ?? identity.objectName;
      try {
        checkDnsLabel(this.where, 'name', name);
      } catch (e) {
        run.error(resource, (e as Error).message);
      }
      json.metadata.name = name;
      json.metadata.labels = { ...identity.podLabels, ...(json.metadata.labels ?? {}), ...MANAGED_BY };
      json.spec.podSelector = { matchLabels: identity.instanceLabels };
      return json;
    });
  }

  /** Name of the NetworkPolicy: the `name` given, else the workload's object name (as hardened). */
  public get policyName(): string {
    return this.name ?? Harden.identityOf(this.workload).objectName;
  }

  /** Allow connections from `peer` on `ports` (every port if none is given). */
  public allowIngressFrom(peer: NetworkPeer, ...ports: NetworkPeerPort[]): void {
    this.ingress.push(rule('from', peer, ports, this.namespace));
  }

  /** Allow connections to `peer` on `ports` (every port if none is given). */
  public allowEgressTo(peer: NetworkPeer, ...ports: NetworkPeerPort[]): void {
    this.egress.push(rule('to', peer, ports, this.namespace));
  }
}

function rule(direction: 'from' | 'to', peer: NetworkPeer, ports: NetworkPeerPort[], namespace?: string): any {
  const r: any = { [direction]: [peer._toKube(namespace)] };
  if (ports.length > 0) r.ports = ports.map((p) => p._toKube());
  return r;
}
