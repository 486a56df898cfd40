import { FalcoContainer, FalcoWorkload } from './falco-model';

/**
 * The Falco rules file for a set of latch workloads: lists, then macros, then
 * rules, every name prefixed `superlatch_` (rules: `Superlatch ...`), every
 * condition scoped to the workloads' own pods. Self-contained: it does not rely
 * on the macros of Falco's default rules file.
 */

export type FalcoItem =
  | { list: string; items: Array<string | number> }
  | { macro: string; condition: string }
  | { rule: string; desc: string; condition: string; output: string; priority: string; tags: string[] };

export interface FalcoDocument {
  readonly items: FalcoItem[];
  /** `namespace/Kind/name:container` of containers whose process allow-list is unknown. */
  readonly withoutAllowList: string[];
}

export interface FalcoDocumentOptions {
  /** Networks a hub-mode guarded pod may connect to (the cluster's own). */
  readonly internalNetworks: string[];
}

/** Quoted for a Falco condition or list. */
const q = (value: string) => `"${value}"`;

const SHELLS = ['ash', 'bash', 'busybox', 'csh', 'dash', 'fish', 'ksh', 'mksh', 'sh', 'tcsh', 'zsh'];

const CONTEXT = 'container=%container.name image=%container.image.repository pod=%k8s.pod.name ns=%k8s.ns.name';

export function falcoDocument(workloads: FalcoWorkload[], options: FalcoDocumentOptions): FalcoDocument {
  const lists: FalcoItem[] = [
    { list: 'superlatch_shells', items: SHELLS.map(q) },
  ];
  const macros: FalcoItem[] = [
    { macro: 'superlatch_spawned_process', condition: 'evt.type in (execve, execveat) and evt.dir = <' },
    { macro: 'superlatch_container_start', condition: 'superlatch_spawned_process and proc.vpid = 1' },
    {
      macro: 'superlatch_file_change',
      condition: 'evt.dir = < and ((evt.type in (open, openat, openat2) and evt.is_open_write = true) or evt.type in '
        + '(creat, mkdir, mkdirat, rmdir, unlink, unlinkat, rename, renameat, renameat2, link, linkat, symlink, symlinkat, '
        + 'chmod, fchmod, fchmodat, chown, lchown, fchown, fchownat))',
    },
    { macro: 'superlatch_listen', condition: 'evt.type = listen and evt.dir = <' },
    { macro: 'superlatch_connect', condition: 'evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6)' },
  ];
  const branches = { write: [] as string[], process: [] as string[], listen: [] as string[], image: [] as string[], hub: [] as string[] };
  const withoutAllowList: string[] = [];

  for (const w of workloads) {
    const pod = `superlatch_${w.id}_pod`;
    const name = (c: FalcoContainer, what: string) => `superlatch_${w.id}_${c.name.replace(/-/g, '_')}_${what}`;
    macros.push({ macro: pod, condition: w.podMatch.map(({ field, value }) => `${field} = ${q(value)}`).join(' and ') });

    const processChecks: string[] = [];
    const portChecks: string[] = [];
    const imageChecks: string[] = [];
    const writeChecks: string[] = [];
    for (const c of w.containers) {
      const inContainer = `container.name = ${q(c.name)}`;
      if (c.processes) {
        lists.push({ list: name(c, 'processes'), items: c.processes.map(q) });
        processChecks.push(`(${inContainer} and not proc.name in (${name(c, 'processes')}))`);
      } else {
        withoutAllowList.push(`${w.ref}:${c.name}`);
        processChecks.push(`(${inContainer} and proc.name in (superlatch_shells))`);
      }
      if (c.ports.length > 0) {
        lists.push({ list: name(c, 'ports'), items: c.ports });
        portChecks.push(`(${inContainer} and not fd.sport in (${name(c, 'ports')}))`);
      } else {
        portChecks.push(`(${inContainer})`);
      }
      if (c.repositories.length > 0) {
        lists.push({ list: name(c, 'images'), items: c.repositories.map(q) });
        imageChecks.push(`(${inContainer} and not container.image.repository in (${name(c, 'images')}))`);
      }
      if (c.statusPaths.length > 0) {
        const paths = name(c, 'status_paths');
        lists.push({ list: paths, items: c.statusPaths.map(q) });
        // fd.name: opens, also failed ones; fs.path.*: the other file operations (Falco 0.36+)
        macros.push({
          macro: name(c, 'touches_status'),
          condition: ['fd.name', 'fs.path.name', 'fs.path.source', 'fs.path.target'].map((f) => `${f} pmatch (${paths})`).join(' or '),
        });
        const allowed = c.writer && c.processes ? ` and not proc.name in (${name(c, 'processes')})` : '';
        writeChecks.push(`(${inContainer} and ${name(c, 'touches_status')}${allowed})`);
      }
    }
    const names = `superlatch_${w.id}_containers`;
    lists.push({ list: names, items: w.containers.map((c) => q(c.name)) });
    // a container the manifest does not declare (the pod sandbox's pause process excepted)
    imageChecks.push(`(not container.name in (${names}) and not proc.name = "pause")`);

    const branch = (checks: string[]) => `(${pod} and (\n    ${checks.join('\n    or ')}))`;
    branches.process.push(branch(processChecks));
    branches.listen.push(branch(portChecks));
    branches.image.push(branch(imageChecks));
    if (writeChecks.length > 0) branches.write.push(branch(writeChecks));
    if (w.mode === 'hub' && w.role === 'guarded') branches.hub.push(pod);
  }

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
    'A process other than the latch agent wrote, or tried to write, the latch status volume: only the agent may publish the latch status.',
    'Latch status volume write by a process other than the latch agent (evt=%evt.type res=%evt.res path=%fd.name fs.path=%fs.path.name '
      + 'source=%fs.path.source target=%fs.path.target process=%proc.name cmdline=%proc.cmdline)',
    'CRITICAL', ['filesystem', 'mitre_impact', 'T1565.001']);
  rule('unexpected process in a latch pod', 'superlatch_spawned_process', branches.process,
    'A process that is not the declared entrypoint or probe of its container (or, when those are unknown, a shell) started in a latch pod.',
    'Unexpected process in a latch pod (process=%proc.name exe=%proc.exepath cmdline=%proc.cmdline parent=%proc.pname)',
    'ERROR', ['process', 'mitre_execution', 'T1059']);
  rule('undeclared listening port in a latch pod', 'superlatch_listen', branches.listen,
    'A container of a latch pod listens on a port its manifest does not declare.',
    'Undeclared listening port in a latch pod (port=%fd.sport process=%proc.name cmdline=%proc.cmdline)',
    'WARNING', ['network', 'mitre_command_and_control', 'T1571']);
  rule('undeclared image or container in a latch pod', 'superlatch_container_start', branches.image,
    'A container of a latch pod started from an image its manifest does not declare, or a container the manifest does not declare (e.g. an ephemeral debug container) started.',
    'Undeclared image or container in a latch pod (process=%proc.name cmdline=%proc.cmdline)',
    'ERROR', ['container_drift', 'mitre_persistence', 'T1525']);
  if (branches.hub.length > 0) {
    lists.push({ list: 'superlatch_internal_networks', items: options.internalNetworks.map(q) });
    rule('outbound connection from a hub-mode guarded pod', 'superlatch_connect and not fd.snet in (superlatch_internal_networks)', branches.hub,
      'A hub-mode guarded pod connected outside the cluster networks: in hub mode only the latch agent talks to the Latch API.',
      'Outbound connection from a hub-mode guarded pod (connection=%fd.name process=%proc.name cmdline=%proc.cmdline)',
      'ERROR', ['network', 'mitre_exfiltration', 'T1041']);
  }
  return { items: withoutUnused([...lists, ...macros, ...rules]), withoutAllowList };
}

/** Drops the lists and macros no rule needs (e.g. the shells when every container has an allow-list). */
function withoutUnused(items: FalcoItem[]): FalcoItem[] {
  const name = (i: FalcoItem) => ('list' in i ? i.list : 'macro' in i ? i.macro : undefined);
  const text = (i: FalcoItem) => ('list' in i ? i.items.join(' ') : i.condition);
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
