import { SuperlatchKeys as K } from '../contract';
import { workloadKindOf } from '../internal/workload-kinds';
import { latchModeNamed } from '../latch/modes';

/**
 * What the Falco rules need to know about the latch pods of a set of final
 * manifests: how Falco recognises their pods, and, per container, the image
 * repository, the processes expected to run, the declared ports and where the
 * status volume is mounted. Derived from the contract annotations and labels.
 */

/** Expected process names declared for containers (see `ExpectedProcesses`). */
export interface ProcessDeclaration {
  readonly container: string;
  readonly processNames: string[];
  readonly workload?: string;
}

export interface FalcoContainer {
  readonly name: string;
  /** The image repositories Falco may report for the image (as written, and normalised). */
  readonly repositories: string[];
  /**
   * Process names (`proc.name`) allowed with any arguments: the declared processes, or the
   * `command` of a container that is neither a latch container nor a shell script; undefined when
   * unknown (then only shells are alerted on).
   */
  readonly processes?: string[];
  /** Exact command lines (`proc.cmdline`) allowed: latch entrypoints, exec probes and hooks, and the simple commands of their shell scripts. */
  readonly cmdlines: string[];
  /** Command lines (`proc.pcmdline`) whose children are allowed: the shells of exec probes, hooks and script entrypoints. */
  readonly parentCmdlines: string[];
  /** Declared TCP ports (a listen on any other is an alert). */
  readonly ports: number[];
  /** Declared UDP ports (a bind on any other is an alert). */
  readonly udpPorts: number[];
  /** The container has a terminal (`tty: true`), so its processes have a `proc.tty`. */
  readonly tty: boolean;
  /** Mount paths of the status volume in this container. */
  readonly statusPaths: string[];
  /** This container is the status writer (the latch agent in sidecar mode). */
  readonly writer: boolean;
  /** Process names that may write the status volume (the writer's agent), empty unless `writer`. */
  readonly writerProcesses: string[];
}

export interface FalcoWorkload {
  /** Unique identifier fragment for Falco list and macro names. */
  readonly id: string;
  /** `namespace/Kind/name`, for messages. */
  readonly ref: string;
  readonly namespace: string;
  /** Falco field/value pairs that select the workload's pods. */
  readonly podMatch: Array<{ field: string; value: string }>;
  readonly role?: string;
  /** The pods never connect outside the cluster (what their mode says of pods of their role: hub-mode guarded pods). */
  readonly withoutEgress: boolean;
  readonly containers: FalcoContainer[];
}

/** The agent image runs `/nodejs/bin/node` (agent/Dockerfile): its `proc.name`. */
export const LATCH_AGENT_PROCESS = 'node';

/** The agent image's ENTRYPOINT and CMD (agent/Dockerfile), for latch containers that set no `command`. */
const AGENT_ENTRYPOINT = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js'];
const AGENT_CMD = ['run'];

/** Shells, by `proc.name`. */
export const SHELLS = ['ash', 'bash', 'busybox', 'csh', 'dash', 'fish', 'ksh', 'mksh', 'sh', 'tcsh', 'zsh'];

/** Container names of the contract that run the agent image (also listed in `superlatch.io/latch-containers`). */
const AGENT_CONTAINERS = ['latch-agent', 'latch-gate'];

/** Linux keeps 15 characters of a process name (`comm`), which is what `proc.name` shows. */
export function processName(name: string): string {
  return name.split('/').pop()!.slice(0, 15);
}

/** `registry/repo:tag@sha256:...` -> the repository, as written and as container runtimes normalise it. */
export function imageRepositories(image: string): string[] {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const repo = colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
  const first = repo.split('/')[0];
  const hasRegistry = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const normalised = hasRegistry ? repo : `docker.io/${repo.includes('/') ? repo : `library/${repo}`}`;
  return [...new Set([repo, normalised])].sort();
}

const SAFE_VALUE = /^[A-Za-z0-9][-A-Za-z0-9_./:]*$/;

/**
 * The latch pods (pod templates with the latch label or a latch annotation) of
 * `manifests`, sorted by namespace, kind and name. Throws, naming the object
 * and the fix, when a pod cannot be described safely in a Falco condition.
 */
export function latchWorkloads(manifests: any[], declarations: ProcessDeclaration[]): FalcoWorkload[] {
  const found: Omit<FalcoWorkload, 'id'>[] = [];
  for (const m of manifests) {
    const path = workloadKindOf(m)?.templatePath;
    if (!path) continue;
    const template = path.reduce((o: any, k) => o?.[k], m) ?? {};
    const labels: Record<string, string> = template.metadata?.labels ?? {};
    const annotations: Record<string, string> = template.metadata?.annotations ?? {};
    if (!(K.LATCH_LABEL in labels) && !(K.MODE_ANNOTATION in annotations) && !(K.STATUS_VOLUME_ANNOTATION in annotations)) continue;

    const name = String(m.metadata?.name ?? '');
    const namespace = m.metadata?.namespace;
    const ref = `${namespace ?? '(no namespace)'}/${m.kind}/${name}`;
    if (!namespace) {
      throw new Error(`${ref}: a latch pod without metadata.namespace cannot be matched by Falco (k8s.ns.name). Fix: give the chart or the object a namespace`);
    }
    const podMatch = podMatchOf(m, labels, ref, name, namespace);

    const statusVolume = annotations[K.STATUS_VOLUME_ANNOTATION];
    const mode = latchModeNamed(annotations[K.MODE_ANNOTATION]);
    const writer = mode?.statusWriter(annotations);
    const latchContainers = new Set([...AGENT_CONTAINERS, ...(annotations[K.LATCH_CONTAINERS_ANNOTATION] ?? '').split(',').map((x) => x.trim())]);
    const spec = template.spec ?? {};
    const containers: FalcoContainer[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
      .map((c: any) => falcoContainer(c, { ref, name, labels, declarations, latchContainers, writer, statusVolume }))
      .sort((a: FalcoContainer, b: FalcoContainer) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const role = labels[K.ROLE_LABEL];
    found.push({ ref, namespace, podMatch, role, withoutEgress: mode?.withoutEgress(role) ?? false, containers });
  }

  found.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const used = new Set<string>();
  return found.map((w) => {
    const [ns, kind, name] = w.ref.split('/');
    let id = ident(`${ns}_${name}`);
    if (used.has(id)) id = ident(`${ns}_${kind}_${name}`);
    for (let i = 2; used.has(id); i++) id = ident(`${ns}_${kind}_${name}_${i}`);
    used.add(id);
    return { ...w, id };
  });
}

/** How Falco finds the pods of `m`: its namespace and, for a controller, the selector's labels plus the latch's. */
function podMatchOf(m: any, labels: Record<string, string>, ref: string, name: string, namespace: string): Array<{ field: string; value: string }> {
  const podMatch = [{ field: 'k8s.ns.name', value: namespace }];
  if (m.kind === 'Pod') {
    podMatch.push({ field: 'k8s.pod.name', value: name });
  } else {
    const selector: Record<string, string> = (m.kind === 'CronJob' ? m.spec?.jobTemplate?.spec : m.spec)?.selector?.matchLabels ?? labels;
    const keys = new Set([...Object.keys(selector), K.LATCH_LABEL, K.ROLE_LABEL].filter((k) => k in labels));
    for (const key of [...keys].sort()) podMatch.push({ field: `k8s.pod.label[${key}]`, value: labels[key] });
  }
  for (const { field, value } of podMatch) {
    if (!SAFE_VALUE.test(value) || !/^[a-z0-9.]+(\[[A-Za-z0-9./_-]+\])?$/.test(field)) {
      throw new Error(`${ref}: '${field}' = '${value}' cannot be written safely in a Falco condition. Fix: use DNS-style names and label values`);
    }
  }
  return podMatch;
}

/** What the rules need to know of one container of a latch pod. */
interface ContainerContext {
  readonly ref: string;
  /** The workload's name. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly declarations: ProcessDeclaration[];
  readonly latchContainers: Set<string>;
  readonly writer?: string;
  readonly statusVolume?: string;
}

/** One container's allow-lists (entrypoint, probes, hooks, declared processes), ports, image and status paths. */
function falcoContainer(c: any, ctx: ContainerContext): FalcoContainer {
  const { ref, name, labels, declarations, latchContainers, writer, statusVolume } = ctx;
  const declared = declarations.filter((d) => d.container === c.name && (d.workload === undefined || d.workload === name || d.workload === labels['app.kubernetes.io/name']));
  const isLatch = latchContainers.has(c.name) || c.name === writer;
  const where = `${ref}: container '${c.name}'`;
  const allowed = { names: new Set<string>(), cmdlines: new Set<string>(), parents: new Set<string>() };
  let known = declared.length > 0;
  for (const d of declared) for (const p of d.processNames) allowed.names.add(processName(p));
  // the entrypoint: exactly its command line for the latch containers and shell scripts, else its executable
  const entry = c.command?.length ? [...c.command, ...(c.args ?? [])] : isLatch ? [...AGENT_ENTRYPOINT, ...(c.args ?? AGENT_CMD)] : undefined;
  if (!known && entry) {
    known = true;
    if (isLatch || scriptOf(entry) !== undefined) addExec(where, 'the entrypoint', entry, allowed);
    else allowed.names.add(processName(entry[0]));
  }
  for (const [what, hook] of [['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe], ['startupProbe', c.startupProbe],
    ['lifecycle.postStart', c.lifecycle?.postStart], ['lifecycle.preStop', c.lifecycle?.preStop]] as Array<[string, any]>) {
    const command = hook?.exec?.command;
    if (Array.isArray(command) && command.length > 0) addExec(where, what, command.map(String), allowed);
  }
  const ports = (protocol: string): number[] => sortedNumbers((c.ports ?? [])
    .filter((p: any) => (p.protocol ?? 'TCP') === protocol)
    .map((p: any) => p.containerPort).filter((p: unknown): p is number => typeof p === 'number'));
  const statusPaths: string[] = statusVolume === undefined ? [] : (c.volumeMounts ?? [])
    .filter((v: any) => v.name === statusVolume)
    .map((v: any) => String(v.mountPath).replace(/\/+$/, '') || '/');
  for (const value of [c.name, ...statusPaths]) {
    if (!SAFE_VALUE.test(value.replace(/^\//, 'x'))) {
      throw new Error(`${ref}: container '${c.name}' has '${value}', which cannot be written safely in a Falco condition. Fix: use plain names and paths`);
    }
  }
  const processes = known ? sortedUnique([...allowed.names]) : undefined;
  const isWriter = c.name === writer;
  return {
    name: c.name,
    repositories: typeof c.image === 'string' ? imageRepositories(c.image) : [],
    processes,
    cmdlines: sortedUnique([...allowed.cmdlines]),
    parentCmdlines: sortedUnique([...allowed.parents]),
    ports: ports('TCP'),
    udpPorts: ports('UDP'),
    tty: c.tty === true,
    statusPaths: sortedUnique(statusPaths),
    writer: isWriter,
    writerProcesses: !isWriter ? [] : declared.length > 0 ? processes! : [processName((entry ?? AGENT_ENTRYPOINT)[0])],
  };
}

/** A Falco list/macro name fragment: lower-case letters, digits and underscores. */
export function ident(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function sortedNumbers(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** What Falco shows as `proc.cmdline` for an argv: the process name, then the arguments, space-separated. */
export function commandLine(argv: string[]): string {
  return [processName(argv[0]), ...argv.slice(1)].join(' ');
}

/** The script of `sh -c <script> ...` (any shell, `-c` possibly combined with other flags), or undefined. */
function scriptOf(argv: string[]): string | undefined {
  if (!SHELLS.includes(processName(argv[0]))) return undefined;
  const flag = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
  return flag > 0 && flag + 1 < argv.length ? argv[flag + 1] : undefined;
}

/** A shell word that needs no quoting, so the shell passes it on unchanged. */
const PLAIN_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * The argvs of the simple commands of a shell script (`a && b | c; d`) made of plain words only;
 * nothing for a script with quotes or substitutions, or for a piece with expansions or
 * redirections: the shell runs those as its children, allowed by their parent's command line.
 */
function simpleCommands(script: string): string[][] {
  const out: string[][] = [];
  if (/['`]|\$\(/.test(script)) return out;
  for (const piece of script.split(/&&|\|\||;|\|/)) {
    const words = piece.trim().split(/\s+/).filter((w) => w !== '');
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
    if (words[0] === 'exec') words.shift();
    if (words.length > 0 && words.every((w) => PLAIN_WORD.test(w))) out.push(words);
  }
  return out;
}

/**
 * Allows one exec (an entrypoint, probe or hook): exactly its command line; for a shell script,
 * also the exact command lines of its simple commands (a shell may exec the last one in its
 * place) and any child of the shell with exactly this command line.
 */
function addExec(where: string, what: string, argv: string[], allowed: { cmdlines: Set<string>; parents: Set<string> }): void {
  if (argv.some((a) => /["\\\u0000-\u001f\u007f]/.test(a))) {
    throw new Error(`${where}: ${what} ${JSON.stringify(argv)} has a double quote, backslash or control character (e.g. a newline), which the Falco allow-list cannot match exactly. Fix: write the command on one line without them (e.g. a script file in the image)`);
  }
  if (!/^[A-Za-z0-9][-A-Za-z0-9_.+]*$/.test(processName(argv[0]))) {
    throw new Error(`${where}: ${what} runs '${argv[0]}', whose process name cannot be written in a Falco condition. Fix: use an executable with a plain file name`);
  }
  const cmdline = commandLine(argv);
  allowed.cmdlines.add(cmdline);
  const script = scriptOf(argv);
  if (script === undefined) return;
  allowed.parents.add(cmdline);
  for (const words of simpleCommands(script)) allowed.cmdlines.add(commandLine(words));
}
