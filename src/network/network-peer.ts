import { ApiObject, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Harden } from '../hardening/harden';
import { checkCidr } from '../internal/validation';

/** Transport protocol of a policy port. */
export enum NetworkPeerProtocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
  /** SCTP. */
  SCTP = 'SCTP',
}

/** A port (or port range) a network rule allows. */
export class NetworkPeerPort {
  /** One TCP port. */
  public static tcp(port: number): NetworkPeerPort {
    return new NetworkPeerPort(NetworkPeerProtocol.TCP, port);
  }

  /** One UDP port. */
  public static udp(port: number): NetworkPeerPort {
    return new NetworkPeerPort(NetworkPeerProtocol.UDP, port);
  }

  /** A TCP port range, both ends included. */
  public static tcpRange(from: number, to: number): NetworkPeerPort {
    if (to < from) throw new Error(`NetworkPeerPort.tcpRange: end port ${to} is before start port ${from}; swap them`);
    return new NetworkPeerPort(NetworkPeerProtocol.TCP, from, to);
  }

  private constructor(public readonly protocol: NetworkPeerProtocol, public readonly port: number, public readonly endPort?: number) {
    for (const p of [port, endPort]) {
      if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 65535)) {
        throw new Error(`NetworkPeerPort: port ${p} is out of range; use 1-65535`);
      }
    }
  }

  /** @internal */
  public _toKube(): any {
    return this.endPort !== undefined
      ? { protocol: this.protocol, port: this.port, endPort: this.endPort }
      : { protocol: this.protocol, port: this.port };
  }
}

/** The other end of a network rule: pods, namespaces or IP blocks. */
export class NetworkPeer {
  /**
   * An IP block (IPv4 or IPv6 CIDR), optionally with exceptions.
   * Plain NetworkPolicy cannot name hosts: give the addresses the host resolves to.
   */
  public static cidr(cidr: string, except: string[] = []): NetworkPeer {
    checkCidr('NetworkPeer.cidr', 'cidr', cidr);
    except.forEach((e) => checkCidr('NetworkPeer.cidr', 'except', e));
    return new NetworkPeer(() => (except.length ? { ipBlock: { cidr, except } } : { ipBlock: { cidr } }), `cidr ${cidr}`);
  }

  /**
   * The pods of a hardened workload, selected by its stable labels. When the
   * workload lives in another namespace than the policy, the peer also selects
   * that namespace (by its `kubernetes.io/metadata.name` label); in the same
   * namespace it is a bare `podSelector`.
   */
  public static workload(workload: IConstruct): NetworkPeer {
    return new NetworkPeer((policyNamespace) => {
      const podSelector = { matchLabels: Harden.identityOf(workload).instanceLabels };
      const namespace = ApiObject.of(workload).metadata.namespace;
      return namespace === undefined || namespace === policyNamespace
        ? { podSelector }
        : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector };
    }, `workload ${workload.node.path}`);
  }

  /** Pods with these labels in the policy's namespace. */
  public static pods(labels: Record<string, string>): NetworkPeer {
    if (Object.keys(labels).length === 0) throw new Error('NetworkPeer.pods: give at least one label; use NetworkPeer.allPodsInNamespace() to mean every pod');
    return new NetworkPeer(() => ({ podSelector: { matchLabels: { ...labels } } }), 'pods');
  }

  /** Every pod of the policy's own namespace. */
  public static allPodsInNamespace(): NetworkPeer {
    return new NetworkPeer(() => ({ podSelector: {} }), 'namespace pods');
  }

  /** Every pod of another namespace (by its `kubernetes.io/metadata.name` label). */
  public static namespace(name: string): NetworkPeer {
    return new NetworkPeer(() => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }), `namespace ${name}`);
  }

  /** Pods with these labels in another namespace. */
  public static podsInNamespace(namespace: string, labels: Record<string, string>): NetworkPeer {
    return new NetworkPeer(() => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: { matchLabels: { ...labels } },
    }), `pods in namespace ${namespace}`);
  }

  private constructor(
    private readonly render: (policyNamespace?: string) => any,
    /** What this peer is, for messages. */ public readonly description: string,
  ) {}

  /** @internal */
  public _toKube(policyNamespace?: string): any {
    return Lazy.any({ produce: () => this.render(policyNamespace) });
  }
}

/** One allow rule of a network policy: a peer and, optionally, ports. */
export interface NetworkRule {
  /** Who may be reached or may connect. */
  readonly peer: NetworkPeer;
  /**
   * Ports allowed.
   * @default - every port (avoid: give the ports)
   */
  readonly ports?: NetworkPeerPort[];
}
