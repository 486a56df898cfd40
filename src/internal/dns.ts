import { checkCidr } from './validation';
import { DnsOptions } from '../network/dns';

/** The egress rules that let a pod resolve names: UDP and TCP 53 to the cluster DNS. */
export function dnsEgressRules(where: string, dns: DnsOptions = {}): any[] {
  const ports = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
  const rules: any[] = [{
    to: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace ?? 'kube-system' } },
      podSelector: { matchLabels: { ...(dns.podLabels ?? { 'k8s-app': 'kube-dns' }) } },
    }],
    ports,
  }];
  if (dns.nodeLocalDnsCidr) {
    checkCidr(where, 'dns.nodeLocalDnsCidr', dns.nodeLocalDnsCidr);
    rules.push({ to: [{ ipBlock: { cidr: dns.nodeLocalDnsCidr } }], ports });
  }
  return rules;
}
