/** Where the pods of a namespace resolve DNS names. */
export interface DnsOptions {
  /**
   * Namespace of the cluster DNS pods.
   * @default "kube-system"
   */
  readonly namespace?: string;

  /**
   * Labels of the cluster DNS pods (CoreDNS keeps the historical kube-dns label).
   * @default { "k8s-app": "kube-dns" }
   */
  readonly podLabels?: Record<string, string>;

  /**
   * Link-local address block of a node-local DNS cache (NodeLocal DNSCache
   * listens on 169.254.20.10 by default), allowed on port 53 as an ipBlock.
   * @default - no node-local DNS
   */
  readonly nodeLocalDnsCidr?: string;
}
