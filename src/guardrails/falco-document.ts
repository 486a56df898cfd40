import { falcoRequirement } from './falco-fields';
import { FalcoContainer, FalcoWorkload, SHELLS } from './falco-model';

/**
 * The Falco rules file for a set of latch workloads: lists, then macros, then
 * rules, every name prefixed `superlatch_` (rules: `Superlatch ...`), every
 * condition scoped to the workloads' own pods. Self-contained: it does not rely
 * on the macros of Falco's default rules file.
 */

export type FalcoItem =
  | { required_engine_version: string }
  | { list: string; items: Array<string | number> }
  | { macro: string; condition: string }
  | { rule: string; desc: string; condition: string; output: string; priority: string; tags: string[] };

export interface FalcoDocument {
  readonly items: FalcoItem[];
  /** `namespace/Kind/name:container` of containers whose process allow-list is unknown. */
  readonly withoutAllowList: string[];
  /** The oldest Falco release that loads the file, and why (the fields that need it). */
  readonly minimumFalco: string;
  readonly minimumReasons: string[];
}

export interface FalcoDocumentOptions {
  /** Networks a hub-mode guarded pod may connect to (the cluster's own), IPv4 and IPv6. */
  readonly internalNetworks: string[];
  /** Node-local DNS cache addresses (CIDRs) a hub-mode guarded pod may query on port 53. */
  readonly nodeLocalDns: string[];
}

/** Quoted for a Falco condition or list. */
const q = (value: string) => `"${value}"`;

const CONTEXT = 'container=%container.name image=%container.image.repository pod=%k8s.pod.name ns=%k8s.ns.name';

/** Loopback: never outbound, and a listener there is reachable only inside the pod. */
const LOOPBACK = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'];
/** The unspecified address: a connect to it reaches loopback (a listen on it means every address). */
const UNSPECIFIED = ['0.0.0.0/32', '::/128', '::ffff:0.0.0.0/128'];

/** The IPv4 networks of `cidrs` also as IPv4-mapped IPv6 networks (a dual-stack socket connecting to an IPv4 address). */
function withMapped(cidrs: string[]): string[] {
  return [...cidrs, ...cidrs.filter((c) => !c.includes(':')).map((c) => {
    const [addr, bits] = c.split('/');
    return `::ffff:${addr}/${96 + Number(bits)}`;
  })];
}

/**
 * `fd.snet in (...)` by address family: libsinsp compares each network of a list with the
 * socket's address as if both had the socket's family, so IPv4 and IPv6 networks never share a list.
 */
function inNetworks(lists: FalcoItem[], name: string, cidrs: string[]): string | undefined {
  const v4 = [...new Set(cidrs.filter((c) => !c.includes(':')))];
  const v6 = [...new Set(cidrs.filter((c) => c.includes(':')))];
  const parts: string[] = [];
  if (v4.length > 0) {
    lists.push({ list: `${name}_ipv4`, items: v4.map(q) });
    parts.push(`(fd.typechar = 4 and fd.snet in (${name}_ipv4))`);
  }
  if (v6.length > 0) {
    lists.push({ list: `${name}_ipv6`, items: v6.map(q) });
    parts.push(`(fd.typechar = 6 and fd.snet in (${name}_ipv6))`);
  }
  return parts.length > 0 ? `(${parts.join(' or ')})` : undefined;
}

/** Branches of each rule's condition, one per workload. */
interface Branches {
  readonly write: string[];
  readonly process: string[];
  readonly container: string[];
  readonly listen: string[];
  readonly image: string[];
  readonly outbound: string[];
}

/** Everything the rules are built from: lists, macros, per-workload branches. */
interface Parts {
  readonly lists: FalcoItem[];
  readonly macros: FalcoItem[];
  readonly branches: Branches;
  readonly withoutAllowList: string[];
}

export function falcoDocument(workloads: FalcoWorkload[], options: FalcoDocumentOptions): FalcoDocument {
  const parts: Parts = {
    ...sharedItems(),
    branches: { write: [], process: [], container: [], listen: [], image: [], outbound: [] },
    withoutAllowList: [],
  };
  for (const w of workloads) addWorkload(parts, w);
  const rules = rulesOf(parts, options);
  const body = withoutUnused([...parts.lists, ...parts.macros, ...rules]);
  const required = falcoRequirement(body.flatMap((i) => ('condition' in i ? [i.condition] : [])), body.flatMap((i) => ('output' in i ? [i.output] : [])));
  return {
    items: [{ required_engine_version: required.engine }, ...body],
    withoutAllowList: parts.withoutAllowList,
    minimumFalco: required.falco,
    minimumReasons: required.reasons,
  };
}

/** The lists and macros every document has (shells, loopback, the event classes the rules watch). */
function sharedItems(): { lists: FalcoItem[]; macros: FalcoItem[] } {
  const lists: FalcoItem[] = [
    { list: 'superlatch_shells', items: SHELLS.map(q) },
  ];
  const inet = '(fd.typechar = 4 or fd.typechar = 6)';
  const loopback = inNetworks(lists, 'superlatch_loopback', LOOPBACK)!;
  const unspecified = inNetworks(lists, 'superlatch_unspecified', UNSPECIFIED)!;
  const macros: FalcoItem[] = [
    { macro: 'superlatch_spawned_process', condition: 'evt.type in (execve, execveat) and evt.dir = <' },
    // the pod sandbox's pause process: the first process of its own container
    { macro: 'superlatch_pod_sandbox', condition: 'proc.name = "pause" and proc.vpid = 1' },
    {
      macro: 'superlatch_file_change',
      condition: 'evt.dir = < and ((evt.type in (open, openat, openat2) and (evt.is_open_write = true or evt.arg.flags contains O_TRUNC)) or evt.type in '
        + '(creat, mkdir, mkdirat, rmdir, unlink, unlinkat, rename, renameat, renameat2, link, linkat, symlink, symlinkat, '
        + 'chmod, fchmod, fchmodat, chown, lchown, fchown, fchownat, mknod, mknodat))',
    },
    { macro: 'superlatch_inet_success', condition: `${inet} and (evt.rawres >= 0 or evt.res = EINPROGRESS)` },
    { macro: 'superlatch_loopback', condition: loopback },
    { macro: 'superlatch_unspecified', condition: unspecified },
    { macro: 'superlatch_listen', condition: 'evt.type = listen and evt.dir = < and superlatch_inet_success and not superlatch_loopback' },
    // a UDP server binds a port and never listens; a client's bind to port 0 is not a server
    { macro: 'superlatch_udp_bind', condition: 'evt.type = bind and evt.dir = < and fd.l4proto = udp and superlatch_inet_success and not superlatch_loopback and fd.sport != 0' },
    {
      macro: 'superlatch_outbound',
      condition: '((evt.type = connect and evt.dir = <) or (evt.type in (sendto, sendmsg) and evt.dir = < and fd.l4proto != tcp and fd.connected = false and fd.name_changed = true)) '
        + 'and superlatch_inet_success and not superlatch_loopback and not superlatch_unspecified',
    },
  ];
  return { lists, macros };
}

/** One workload's macros, allow-lists and rule branches. */
function addWorkload(parts: Parts, w: FalcoWorkload): void {
  const { lists, macros, branches, withoutAllowList } = parts;
  const pod = `superlatch_${w.id}_pod`;
  const name = (c: FalcoContainer, what: string) => `superlatch_${w.id}_${c.name.replace(/-/g, '_')}_${what}`;
  macros.push({ macro: pod, condition: w.podMatch.map(({ field, value }) => `${field} = ${q(value)}`).join(' and ') });

  const processChecks: string[] = [];
  const portChecks: string[] = [];
  const imageChecks: string[] = [];
  const writeChecks: string[] = [];
  for (const c of w.containers) {
    const inContainer = `container.name = ${q(c.name)}`;
    const allowed: string[] = [];
    const allowList = (what: string, field: string, values: string[]) => {
      if (values.length === 0) return;
      lists.push({ list: name(c, what), items: values.map(q) });
      allowed.push(`${field} in (${name(c, what)})`);
    };
    if (c.processes) allowList('processes', 'proc.name', c.processes);
    else withoutAllowList.push(`${w.ref}:${c.name}`);
    allowList('cmdlines', 'proc.cmdline', c.cmdlines);
    allowList('parent_cmdlines', 'proc.pcmdline', c.parentCmdlines);
    // unknown processes: only a shell alerts, unless it is an exec probe or hook exactly
    const unexpected = c.processes
      ? (allowed.length > 0 ? `not (${allowed.join(' or ')})` : 'proc.name exists')
      : `proc.name in (superlatch_shells)${allowed.length > 0 ? ` and not (${allowed.join(' or ')})` : ''}`;
    // an interactive exec (kubectl exec -t, attach) has a terminal; no probe or entrypoint has one
    processChecks.push(`(${inContainer} and (${c.tty ? '' : 'proc.tty != 0 or '}${unexpected}))`);

    const tcp = c.ports.length > 0 ? (lists.push({ list: name(c, 'ports'), items: c.ports }), ` and not fd.sport in (${name(c, 'ports')})`) : '';
    const udp = c.udpPorts.length > 0 ? (lists.push({ list: name(c, 'udp_ports'), items: c.udpPorts }), ` and not fd.sport in (${name(c, 'udp_ports')})`) : '';
    portChecks.push(tcp === '' && udp === '' ? `(${inContainer})` : `(${inContainer} and ((superlatch_listen${tcp}) or (superlatch_udp_bind${udp})))`);
    if (c.repositories.length > 0) {
      lists.push({ list: name(c, 'images'), items: c.repositories.map(q) });
      imageChecks.push(`(${inContainer} and not container.image.repository in (${name(c, 'images')}))`);
    }
    if (c.statusPaths.length > 0) {
      const paths = name(c, 'status_paths');
      lists.push({ list: paths, items: c.statusPaths.map(q) });
      // fd.name: opens, also failed ones; fs.path.*: the other path operations; evt.arg.path: mknod, mknodat
      macros.push({
        macro: name(c, 'touches_status'),
        condition: ['fd.name', 'fs.path.name', 'fs.path.source', 'fs.path.target', 'evt.arg.path'].map((f) => `${f} pmatch (${paths})`).join(' or '),
      });
      let writer = '';
      if (c.writer && c.writerProcesses.length > 0) {
        lists.push({ list: name(c, 'writer_processes'), items: c.writerProcesses.map(q) });
        writer = ` and not (proc.name in (${name(c, 'writer_processes')})${c.tty ? '' : ' and proc.tty = 0'})`;
      }
      writeChecks.push(`(${inContainer} and ${name(c, 'touches_status')}${writer})`);
    }
  }
  const names = `superlatch_${w.id}_containers`;
  lists.push({ list: names, items: w.containers.map((c) => q(c.name)) });

  const branch = (checks: string[]) => `(${pod} and (\n    ${checks.join('\n    or ')}))`;
  branches.process.push(branch(processChecks));
  // a container the manifest does not declare (an ephemeral debug container), any process, any pid
  branches.container.push(`(${pod} and not container.name in (${names}) and not superlatch_pod_sandbox)`);
  branches.listen.push(branch([...portChecks, `(not container.name in (${names}))`]));
  if (imageChecks.length > 0) branches.image.push(branch(imageChecks));
  if (writeChecks.length > 0) branches.write.push(branch(writeChecks));
  if (w.withoutEgress) branches.outbound.push(pod);
}

/** The rules, each the OR of its branches (a rule without branches is left out). */
function rulesOf(parts: Parts, options: FalcoDocumentOptions): FalcoItem[] {
  const { lists, branches } = parts;
  const rules: FalcoItem[] = [];
  const rule = (title: string, trigger: string, list: string[], desc: string, output: string, priority: string, tags: string[]) => {
    if (list.length === 0) return;
    rules.push({
      rule: `Superlatch ${title}`,
      desc,
      condition: `${trigger} and (\n  ${list.join('\n  or ')})`,
      output: `${output} (${CONTEXT})`,
      priority,
      tags: ['superlatch', 'container', ...tags],
    });
  };
  rule('status volume written outside the latch agent', 'superlatch_file_change', branches.write,
    'A process other than the latch agent wrote, or tried to write, the latch status volume: opens for writing or truncation, create, '
      + 'rename, link, unlink, mkdir, mknod, chmod, chown; the agent itself alerts when it has a terminal. Attempts count (a read-only '
      + 'mount makes them fail, and the failure is reported). Left out: truncate, ftruncate, utimensat, setxattr and removexattr, '
      + 'which Falco reports without their path; on a read-only mount they fail anyway, and in the writer container any other '
      + 'process is already an unexpected process.',
    'Latch status volume write by a process other than the latch agent (evt=%evt.type res=%evt.res path=%fd.name fs.path=%fs.path.name '
      + 'source=%fs.path.source target=%fs.path.target arg.path=%evt.arg.path process=%proc.name cmdline=%proc.cmdline tty=%proc.tty)',
    'CRITICAL', ['filesystem', 'mitre_impact', 'T1565.001']);
  rule('unexpected process in a latch pod', 'superlatch_spawned_process', branches.process,
    'A process started in a declared container of a latch pod that is not its declared entrypoint, exactly one of its exec probes or '
      + 'hooks (or a child of a probe shell), or, when the entrypoint is unknown, a shell that is none of those; or any process with a '
      + 'terminal (kubectl exec -t), unless the container sets tty. Left out: a process that starts before Falco has the '
      + 'container metadata (pod and container fields) matches no pod.',
    'Unexpected process in a latch pod (process=%proc.name exe=%proc.exepath cmdline=%proc.cmdline parent=%proc.pname tty=%proc.tty)',
    'ERROR', ['process', 'mitre_execution', 'T1059']);
  rule('process in an undeclared container of a latch pod', 'superlatch_spawned_process', branches.container,
    'A process started, whatever its pid, in a container of a latch pod that its manifest does not declare, such as an ephemeral '
      + 'debug container (kubectl debug, also with --target). Checked at every exec, so a first exec seen before the container '
      + 'metadata is caught at the next one. Left out: the pod sandbox (pause, pid 1).',
    'Process in an undeclared container of a latch pod (process=%proc.name exe=%proc.exepath cmdline=%proc.cmdline parent=%proc.pname tty=%proc.tty)',
    'ERROR', ['container_drift', 'mitre_execution', 'T1609']);
  rule('undeclared listening port in a latch pod', '(superlatch_listen or superlatch_udp_bind)', branches.listen,
    'A container of a latch pod listened (TCP) or bound a UDP port its manifest does not declare, successfully, on an IPv4 or IPv6 '
      + 'socket. Left out: unix sockets, loopback addresses (reachable only inside the pod), UDP binds to port 0 (clients), and '
      + 'UDP sockets that receive without a bind.',
    'Undeclared listening port in a latch pod (evt=%evt.type port=%fd.sport proto=%fd.l4proto process=%proc.name cmdline=%proc.cmdline)',
    'WARNING', ['network', 'mitre_command_and_control', 'T1571']);
  rule('undeclared image in a latch pod', 'superlatch_spawned_process', branches.image,
    'A process started in a declared container of a latch pod whose image repository the manifest does not declare. Checked at '
      + 'every exec, not only pid 1, so that missing metadata at the first exec is caught later. Left out: a container that '
      + 'never executes after a first exec seen without its metadata.',
    'Undeclared image in a latch pod (process=%proc.name cmdline=%proc.cmdline)',
    'ERROR', ['container_drift', 'mitre_persistence', 'T1525']);
  if (branches.outbound.length > 0) {
    const internal = inNetworks(lists, 'superlatch_internal_networks', withMapped(options.internalNetworks));
    const dns = inNetworks(lists, 'superlatch_node_local_dns', withMapped(options.nodeLocalDns));
    const allowed = [internal, dns && `(fd.sport = 53 and ${dns})`].filter((x): x is string => x !== undefined);
    rule('outbound connection from a hub-mode guarded pod', `superlatch_outbound${allowed.map((a) => ` and not ${a}`).join('')}`, branches.outbound,
      'A hub-mode guarded pod connected (TCP, or UDP connect or sendto without connect), successfully or in progress, outside the '
        + 'cluster networks (IPv4 and IPv6, IPv4-mapped included) and the node-local DNS cache: in hub mode only the latch agent '
        + 'talks to the Latch API. Left out: loopback, unix sockets, failed connects.',
      'Outbound connection from a hub-mode guarded pod (evt=%evt.type connection=%fd.name proto=%fd.l4proto process=%proc.name cmdline=%proc.cmdline)',
      'ERROR', ['network', 'mitre_exfiltration', 'T1041']);
  }
  return rules;
}

/** Drops the lists and macros no rule needs (e.g. the shells when every container has an allow-list). */
function withoutUnused(items: FalcoItem[]): FalcoItem[] {
  const name = (i: FalcoItem) => ('list' in i ? i.list : 'macro' in i ? i.macro : undefined);
  const text = (i: FalcoItem) => ('list' in i ? i.items.join(' ') : 'condition' in i ? i.condition : '');
  let kept = items;
  for (;;) {
    const used = kept.filter((i) => {
      const n = name(i);
      return n === undefined || kept.some((other) => other !== i && new RegExp(`\\b${n}\\b`).test(text(other)));
    });
    if (used.length === kept.length) return kept;
    kept = used;
  }
}
