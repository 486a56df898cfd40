/** Small input checks shared by the constructs; messages name the field and the fix. */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws unless `value` is a DNS-1123 label (names of Services, labels we derive names from). */
export function checkDnsLabel(where: string, field: string, value: string): void {
  if (value.length > 63) {
    throw new Error(`${where}: ${field} '${value}' is ${value.length} characters; Kubernetes names and label values are limited to 63. Fix: choose a shorter ${field}`);
  }
  if (!DNS_LABEL.test(value)) {
    throw new Error(`${where}: ${field} '${value}' is not a valid DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit). Fix: rename it, e.g. '${toDnsLabel(value)}'`);
  }
}

/** Throws unless `value` is a valid label value. */
export function checkLabelValue(where: string, field: string, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new Error(`${where}: ${field} '${value}' is not a valid label value (at most 63 characters: letters, digits, '-', '_', '.', alphanumeric at both ends). Fix: shorten or rename it`);
  }
}

/** Best-effort DNS label from free text (for suggestions and default names). */
export function toDnsLabel(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

/** Throws unless `cidr` is an IPv4 or IPv6 CIDR block whose host bits are zero. */
export function checkCidr(where: string, field: string, cidr: string): void {
  const fix = "Fix: write a network block such as '203.0.113.0/24', '198.51.100.7/32' or '2001:db8::/32'";
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr ?? '');
  if (!m) throw new Error(`${where}: ${field} '${cidr}' is not a CIDR (address/prefix). ${fix}`);
  const [, addr, prefixText] = m;
  const prefix = Number(prefixText);
  const bits = addr.includes(':') ? parseIpv6(addr) : parseIpv4(addr);
  if (!bits) throw new Error(`${where}: ${field} '${cidr}' has an invalid address '${addr}'. ${fix}`);
  if (prefix > bits.length) throw new Error(`${where}: ${field} '${cidr}' has prefix /${prefix}, longer than the ${bits.length}-bit address. ${fix}`);
  if (bits.slice(prefix).includes('1')) {
    throw new Error(`${where}: ${field} '${cidr}' has host bits set after /${prefix}. Fix: use the network address of the block`);
  }
}

function parseIpv4(addr: string): string | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  let bits = '';
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    bits += Number(p).toString(2).padStart(8, '0');
  }
  return bits;
}

function parseIpv6(addr: string): string | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let bits = '';
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    bits += parseInt(g, 16).toString(2).padStart(16, '0');
  }
  return bits;
}
