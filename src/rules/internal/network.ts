import { arr, obj } from './manifests';

/** Ports of a NetworkPolicy rule, normalized. */
function ports(rule: any): any[] {
  return arr(obj(rule).ports).map(obj);
}

/** Does a port entry cover this port number (or name) of this protocol? */
export function portCovers(entry: any, protocol: string, port: number, name?: string): boolean {
  const proto = entry.protocol ?? 'TCP';
  if (proto !== protocol) return false;
  if (entry.port === undefined || entry.port === null) return true;
  if (typeof entry.port === 'string') return name !== undefined && entry.port === name;
  if (typeof entry.endPort === 'number') return entry.port <= port && port <= entry.endPort;
  return entry.port === port;
}

/** A rule whose ports are all DNS (53 over UDP or TCP, or the named ports dns / dns-tcp). */
export function isDnsOnly(rule: any): boolean {
  const list = ports(rule);
  return list.length > 0 && list.every((p) =>
    (p.port === 53 && p.endPort === undefined) || p.port === 'dns' || p.port === 'dns-tcp');
}

/** Does the rule allow TCP 443 (or the named port https)? */
export function allowsHttps(rule: any): boolean {
  const list = ports(rule);
  return list.length === 0 || list.some((p) => portCovers(p, 'TCP', 443, 'https'));
}

/** Peers of an ingress (`from`) or egress (`to`) rule; empty means every peer. */
export function peers(rule: any, direction: 'from' | 'to'): any[] {
  return arr(obj(rule)[direction]).map(obj);
}

/** Can the rule reach destinations outside the cluster (no peer restriction, or an ipBlock)? */
export function reachesOutside(rule: any): boolean {
  const list = peers(rule, 'to');
  return list.length === 0 || list.some((p) => p.ipBlock !== undefined);
}
