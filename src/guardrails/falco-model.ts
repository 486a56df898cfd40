import { SuperlatchKeys as K } from '../contract';
import { workloadKindOf } from '../internal/workload-kinds';

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
  /** Expected process names (`proc.name`), or undefined when unknown. */
  readonly processes?: string[];
  readonly ports: number[];
  /** Mount paths of the status volume in this container. */
  readonly statusPaths: string[];
  /** This container is the status writer (the latch agent in sidecar mode). */
  readonly writer: boolean;
}

export interface FalcoWorkload {
  /** Unique identifier fragment for Falco list and macro names. */
  readonly id: string;
  /** `namespace/Kind/name`, for messages. */
  readonly ref: string;
  readonly namespace: string;
  /** Falco field/value pairs that select the workload's pods. */
  readonly podMatch: Array<{ field: string; value: string }>;
  readonly mode?: string;
  readonly role?: string;
  readonly containers: FalcoContainer[];
}

/** The agent image runs `/nodejs/bin/node` (agent/Dockerfile): its `proc.name`. */
export const LATCH_AGENT_PROCESS = 'node';

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

    const statusVolume = annotations[K.STATUS_VOLUME_ANNOTATION];
    const writer = annotations[K.MODE_ANNOTATION] === 'sidecar' ? annotations[K.WRITER_ANNOTATION] : undefined;
    const latchContainers = new Set([...AGENT_CONTAINERS, ...(annotations[K.LATCH_CONTAINERS_ANNOTATION] ?? '').split(',').map((x) => x.trim())]);
    const spec = template.spec ?? {};
    const containers: FalcoContainer[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
      .map((c: any) => {
        const declared = declarations.filter((d) => d.container === c.name && (d.workload === undefined || d.workload === name || d.workload === labels['app.kubernetes.io/name']));
        const main = declared.length > 0
          ? declared.flatMap((d) => d.processNames)
          : c.command?.length
            ? [c.command[0]]
            : latchContainers.has(c.name) || c.name === writer ? [LATCH_AGENT_PROCESS] : [];
        const hooks = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]
          .map((p: any) => p?.exec?.command?.[0])
          .filter((x: unknown): x is string => typeof x === 'string');
        const ports: number[] = (c.ports ?? []).map((p: any) => p.containerPort).filter((p: unknown): p is number => typeof p === 'number');
        const statusPaths: string[] = statusVolume === undefined ? [] : (c.volumeMounts ?? [])
          .filter((v: any) => v.name === statusVolume)
          .map((v: any) => String(v.mountPath).replace(/\/+$/, '') || '/');
        for (const value of [c.name, ...statusPaths]) {
          if (!SAFE_VALUE.test(value.replace(/^\//, 'x'))) {
            throw new Error(`${ref}: container '${c.name}' has '${value}', which cannot be written safely in a Falco condition. Fix: use plain names and paths`);
          }
        }
        return {
          name: c.name,
          repositories: typeof c.image === 'string' ? imageRepositories(c.image) : [],
          processes: main.length > 0 ? sortedUnique([...main, ...hooks].map(processName)) : undefined,
          ports: [...new Set(ports)].sort((a, b) => a - b),
          statusPaths: sortedUnique(statusPaths),
          writer: c.name === writer,
        };
      })
      .sort((a: FalcoContainer, b: FalcoContainer) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    found.push({ ref, namespace, podMatch, mode: annotations[K.MODE_ANNOTATION], role: labels[K.ROLE_LABEL], containers });
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

/** A Falco list/macro name fragment: lower-case letters, digits and underscores. */
export function ident(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
