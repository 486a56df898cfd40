/**
 * Read-only views over a list of manifest objects, shared by all rules.
 *
 * A ManifestSet is built once per manifest list (cached by identity), so the
 * fifty-odd rules of a pack do not each re-walk every object.
 */
import { at, workloadKindOf } from '../../internal/workload-kinds';
import type { RuleFinding } from '../rule';

/** A list of findings (the return type of built-in checks). */
export type RuleFindingList = RuleFinding[];

/**
 * Appends raw keys and indices to an already-joined JSON path:
 * `jsonPath('spec', 'containers', 0)` is `spec.containers[0]`, and keys that
 * are not identifiers are quoted: `metadata.annotations['a.b/c']`.
 */
export function jsonPath(base: string, ...segments: Array<string | number>): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') {
      out += `[${s}]`;
    } else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) {
      out += out === '' ? s : `.${s}`;
    } else {
      out += `['${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
    }
  }
  return out;
}

/** The keys and indices of a path written by `jsonPath` (its inverse); stops at anything else. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const step = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/y;
  for (let m = step.exec(path); m; m = step.exec(path)) {
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3].replace(/\\(.)/g, '$1')));
  }
  return segments;
}

/** A top-level object of the set. */
export interface ObjectRef {
  readonly index: number;
  readonly obj: any;
  readonly kind: string;
  readonly apiVersion: string;
  /** `metadata.namespace`, or '' when unset. */
  readonly namespace: string;
  readonly name: string;
}

/** Which list of the pod spec a container comes from. */
export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/** One container of a pod template. */
export interface ContainerRef {
  readonly pod: PodRef;
  readonly c: any;
  readonly list: ContainerList;
  readonly name: string;
  /** Path of the container object, e.g. `spec.template.spec.containers[1]`. */
  readonly path: string;
  /** `securityContext`, or an empty object. */
  readonly sc: any;
}

/** A pod template (or the spec of a bare Pod) inside a top-level object. */
export interface PodRef {
  readonly ref: ObjectRef;
  /** Template metadata (the object's own metadata for a Pod), possibly empty. */
  readonly meta: any;
  readonly metaPath: string;
  readonly spec: any;
  readonly specPath: string;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  /** `spec.securityContext`, or an empty object. */
  readonly podSc: any;
  /** containers, initContainers and ephemeralContainers, in that order. */
  readonly containers: ContainerRef[];
  /** Declared replicas for replicated controllers (default 1); undefined for other kinds. */
  readonly replicas?: number;
  /** Job, CronJob or a Pod that is not restarted: probes and availability rules do not apply. */
  readonly batch: boolean;
  /** `spec.os.name == windows`. */
  readonly windows: boolean;
}

/** Kinds that are not namespaced: the one list the hardening (which strips their namespace) also uses. */
export { CLUSTER_SCOPED_KINDS } from '../../internal/render';

function isObject(v: unknown): v is { [key: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `value` when it is an object, else an empty object. */
export function obj(value: unknown): any {
  return isObject(value) ? value : {};
}

/** `value` when it is an array, else an empty array. */
export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

function stringMap(value: unknown): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(obj(value))) {
    if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

const cache = new WeakMap<any[], ManifestSet>();

/** Indexed, read-only view of one manifest list. */
export class ManifestSet {
  /** The set for `manifests`, built on first use. */
  public static of(manifests: any[]): ManifestSet {
    let set = cache.get(manifests);
    if (!set) {
      set = new ManifestSet(manifests);
      cache.set(manifests, set);
    }
    return set;
  }

  public readonly objects: ObjectRef[];
  public readonly pods: PodRef[];
  private readonly kinds = new Map<string, ObjectRef[]>();
  private readonly selectorIndexes = new Map<string, { index: SelectorIndex<ObjectRef>; byPod: Map<PodRef, ObjectRef[]> }>();
  private podIndex?: SelectorIndex<PodRef>;

  private constructor(manifests: any[]) {
    this.objects = [];
    this.pods = [];
    manifests.forEach((o, index) => {
      if (!isObject(o)) return;
      const meta = obj(o.metadata);
      const ref: ObjectRef = {
        index,
        obj: o,
        kind: typeof o.kind === 'string' ? o.kind : '',
        apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
        namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
        name: typeof meta.name === 'string' ? meta.name : '',
      };
      this.objects.push(ref);
      const list = this.kinds.get(ref.kind) ?? [];
      list.push(ref);
      this.kinds.set(ref.kind, list);
      const pod = podOf(ref);
      if (pod) this.pods.push(pod);
    });
  }

  /** Objects of one kind, in manifest order. */
  public ofKind(kind: string): ObjectRef[] {
    return this.kinds.get(kind) ?? [];
  }

  /** Every container of every pod template. */
  public containers(): ContainerRef[] {
    return this.pods.flatMap((p) => p.containers);
  }

  /**
   * Objects of `kind` in the pod's namespace whose label selector (`spec.<field>`)
   * matches the pod template's labels, in manifest order. Objects without that
   * field select nothing; an empty selector selects every pod.
   */
  public selecting(kind: string, field: string, pod: PodRef): ObjectRef[] {
    const key = `${kind}.${field}`;
    let entry = this.selectorIndexes.get(key);
    if (!entry) {
      const index = new SelectorIndex<ObjectRef>();
      for (const ref of this.ofKind(kind)) {
        const selector = obj(ref.obj.spec)[field];
        if (isObject(selector)) index.addSelector(ref, ref.namespace, selector);
      }
      entry = { index, byPod: new Map() };
      this.selectorIndexes.set(key, entry);
    }
    // several rules ask for the same pod (the policies selecting it): matched once
    let matching = entry.byPod.get(pod);
    if (!matching) {
      matching = entry.index.selectorsMatching(pod.ref.namespace, pod.labels);
      entry.byPod.set(pod, matching);
    }
    return matching;
  }

  /** Pod templates in `namespace` whose labels match `selector`, in manifest order. */
  public podsMatching(namespace: string, selector: unknown): PodRef[] {
    if (!this.podIndex) {
      this.podIndex = new SelectorIndex<PodRef>();
      for (const pod of this.pods) this.podIndex.addLabels(pod, pod.ref.namespace, pod.labels);
    }
    return this.podIndex.labelsMatching(namespace, selector);
  }
}

/**
 * Finds selector/label matches without comparing every pair: entries are
 * bucketed by namespace and by one `key=value` label, then verified.
 */
class SelectorIndex<T> {
  private readonly order = new Map<T, number>();
  private readonly byLabel = new Map<string, T[]>();
  private readonly unbucketed = new Map<string, T[]>();
  private readonly selectors = new Map<T, unknown>();
  private readonly labels = new Map<T, { [key: string]: string }>();

  public addSelector(item: T, namespace: string, selector: unknown): void {
    this.order.set(item, this.order.size);
    this.selectors.set(item, selector);
    const first = Object.entries(obj(obj(selector).matchLabels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0];
    this.push(first ? this.byLabel : this.unbucketed, first ? bucket(namespace, first[0], String(first[1])) : namespace, item);
  }

  public addLabels(item: T, namespace: string, labels: { [key: string]: string }): void {
    this.order.set(item, this.order.size);
    this.labels.set(item, labels);
    this.push(this.unbucketed, namespace, item);
    for (const [k, v] of Object.entries(labels)) this.push(this.byLabel, bucket(namespace, k, v), item);
  }

  /** Selectors (added with addSelector) that match these labels. */
  public selectorsMatching(namespace: string, labels: { [key: string]: string }): T[] {
    const found: T[] = [];
    const seen = new Set<T>();
    const consider = (items: T[] | undefined) => {
      for (const item of items ?? []) {
        if (seen.has(item)) continue;
        seen.add(item);
        if (selectorMatches(this.selectors.get(item), labels)) found.push(item);
      }
    };
    consider(this.unbucketed.get(namespace));
    for (const k in labels) consider(this.byLabel.get(bucket(namespace, k, labels[k])));
    return found.length > 1 ? this.sorted(found) : found;
  }

  /** Label sets (added with addLabels) that this selector matches. */
  public labelsMatching(namespace: string, selector: unknown): T[] {
    const first = Object.entries(obj(obj(selector).matchLabels))[0];
    const candidates = first ? this.byLabel.get(bucket(namespace, first[0], String(first[1]))) : this.unbucketed.get(namespace);
    return this.sorted((candidates ?? []).filter((item) => selectorMatches(selector, this.labels.get(item)!)));
  }

  private push(map: Map<string, T[]>, key: string, item: T): void {
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }

  private sorted(items: T[]): T[] {
    return items.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

function bucket(namespace: string, key: string, value: string): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}

/** The paths of a kind's pod template, computed once per kind (not once per object). */
const TEMPLATE_PATHS = new Map<readonly string[], { metaPath: string; specPath: string; lists: Record<ContainerList, string> }>();

function templatePaths(segments: readonly string[]) {
  let paths = TEMPLATE_PATHS.get(segments);
  if (!paths) {
    const base = segments.join('.');
    const specPath = jsonPath(base, 'spec');
    const list = (l: ContainerList) => jsonPath(specPath, l);
    paths = { metaPath: jsonPath(base, 'metadata'), specPath, lists: { containers: list('containers'), initContainers: list('initContainers'), ephemeralContainers: list('ephemeralContainers') } };
    TEMPLATE_PATHS.set(segments, paths);
  }
  return paths;
}

function podOf(ref: ObjectRef): PodRef | undefined {
  const kind = workloadKindOf(ref.obj);
  if (!kind) return undefined;
  const segments = kind.templatePath;
  const template = segments.length === 0 ? ref.obj : at(ref.obj, segments);
  if (!isObject(template)) return undefined;
  const paths = templatePaths(segments);
  const meta = obj(template.metadata);
  const spec = obj(template.spec);
  const specPath = paths.specPath;
  const replicas = kind.replicated
    ? (typeof ref.obj.spec?.replicas === 'number' ? ref.obj.spec.replicas : 1)
    : undefined;
  const batch = kind.batch || (ref.kind === 'Pod' && spec.restartPolicy === 'Never');
  const pod: PodRef = {
    ref,
    meta,
    metaPath: paths.metaPath,
    spec,
    specPath,
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    podSc: obj(spec.securityContext),
    containers: [],
    replicas,
    batch,
    windows: obj(spec.os).name === 'windows',
  };
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'] as ContainerList[]) {
    arr(spec[list]).forEach((c, i) => {
      if (!isObject(c)) return;
      pod.containers.push({
        pod,
        c,
        list,
        name: typeof c.name === 'string' ? c.name : `#${i}`,
        path: `${paths.lists[list]}[${i}]`,
        sc: obj(c.securityContext),
      });
    });
  }
  return pod;
}

/** Does a Kubernetes label selector match these labels? An empty selector matches everything. */
export function selectorMatches(selector: unknown, labels: { [key: string]: string }): boolean {
  const sel = obj(selector);
  for (const [k, v] of Object.entries(obj(sel.matchLabels))) {
    if (labels[k] !== String(v)) return false;
  }
  for (const e of arr(sel.matchExpressions)) {
    const key = String(obj(e).key);
    const values = arr(obj(e).values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (obj(e).operator) {
      case 'In': if (!has || !values.includes(labels[key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** True when the selector has no matchLabels and no matchExpressions. */
export function selectorIsEmpty(selector: unknown): boolean {
  const sel = obj(selector);
  return Object.keys(obj(sel.matchLabels)).length === 0 && arr(sel.matchExpressions).length === 0;
}

/** Policy types of a NetworkPolicy, with the API server's defaulting when `policyTypes` is absent. */
export function policyTypes(policy: any): string[] {
  const spec = obj(policy.spec);
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) {
    return spec.policyTypes.map(String);
  }
  return Array.isArray(spec.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** NetworkPolicies in the pod's namespace whose podSelector matches the pod template's labels. */
export function policiesSelecting(set: ManifestSet, pod: PodRef): ObjectRef[] {
  return set.selecting('NetworkPolicy', 'podSelector', pod);
}

/** Finding helper. */
export function finding(ref: ObjectRef, path: string, message: string): RuleFinding {
  return { objectIndex: ref.index, path, message };
}
