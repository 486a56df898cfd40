import { SuperlatchKeys } from '../contract';
import { MIN_REASON_LENGTH } from './acknowledgements';
import { RelaxationName } from '../hardening/relaxation';
import { latchContainerNames } from './internal/latch';
import { arr, ContainerRef, jsonPath, ManifestSet, obj } from './internal/manifests';
import { APPARMOR_PREFIX } from './pss/app-armor-profile';
import { Rule, RuleFinding } from './rule';

/** A relaxation as the profile records it in the `superlatch.io/relaxations` annotation. */
export interface RecordedRelaxation {
  readonly name: RelaxationName;
  readonly reason: string;
  /** The capabilities it allows (only for `add-capabilities`). */
  readonly capabilities: string[];
}

const NAMES = new Set<string>(Object.values(RelaxationName));

/** Parses the annotation, one `name: reason` or `add-capabilities(A,B): reason` per line (see `Relaxation.toString`). */
export function parseRelaxations(value: unknown, where: string): RecordedRelaxation[] {
  if (value === undefined || value === null || value === '') return [];
  return String(value).split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line) => {
    const m = /^([a-z-]+)(?:\(([A-Z_,]+)\))?:\s*(.*)$/.exec(line);
    const fix = `write one 'name: reason' per line, with a name from RelaxationName (${[...NAMES].join(', ')})`;
    if (!m || !NAMES.has(m[1])) {
      throw new Error(`${where}: annotation ${SuperlatchKeys.RELAXATIONS_ANNOTATION} has a malformed entry '${line}'; ${fix}`);
    }
    const reason = m[3].replace(/\s+/g, ' ').trim();
    if (reason.length < MIN_REASON_LENGTH) {
      throw new Error(`${where}: relaxation '${m[1]}' in annotation ${SuperlatchKeys.RELAXATIONS_ANNOTATION} needs a reason of at least ${MIN_REASON_LENGTH} characters (got '${reason}')`);
    }
    return { name: m[1] as RelaxationName, reason, capabilities: m[2] ? m[2].split(',') : [] };
  });
}

/**
 * The relaxations that apply to each object (by index): those recorded on it,
 * and for a ServiceAccount those recorded on every workload whose pods run as it
 * (the profile emits the account to match the pod, e.g. with a mounted token).
 */
export function relaxationsByObject(manifests: any[], describe: (index: number) => string): RecordedRelaxation[][] {
  // describing an object looks up its line: only for those that carry the annotation
  const own = manifests.map((o, i) => {
    const annotation = o?.metadata?.annotations?.[SuperlatchKeys.RELAXATIONS_ANNOTATION];
    return annotation === undefined ? [] : parseRelaxations(annotation, describe(i));
  });
  const set = ManifestSet.of(manifests);
  const usersOf = new Map<string, RecordedRelaxation[][]>();
  for (const p of set.pods) {
    const key = `${p.ref.namespace}/${p.spec.serviceAccountName ?? p.spec.serviceAccount ?? 'default'}`;
    usersOf.set(key, [...(usersOf.get(key) ?? []), own[p.ref.index]]);
  }
  for (const sa of set.ofKind('ServiceAccount')) {
    const [first, ...rest] = usersOf.get(`${sa.namespace}/${sa.name}`) ?? [[]];
    own[sa.index] = [...own[sa.index], ...first.filter((r) => rest.every((other) => other.some((x) => x.name === r.name)))];
  }
  return own;
}

/**
 * The relaxation, among those of the finding's object, that lifts this finding
 * of `rule`: one the rule names in `relaxedBy`, never on a container the latch
 * marks strict (the profile does not relax those), and for `add-capabilities`
 * only the capabilities it lists.
 */
export function relaxationCovering(
  rule: Rule, finding: RuleFinding, manifests: any[], recorded: RecordedRelaxation[],
): RecordedRelaxation | undefined {
  const candidates = recorded.filter((r) => rule.relaxedBy.includes(r.name));
  if (candidates.length === 0) return undefined;
  const container = containerAt(manifests, finding);
  if (container && latchContainerNames(container.pod).has(container.name)) return undefined;
  return candidates.find((r) => r.name !== RelaxationName.ADD_CAPABILITIES || capabilitiesAllowed(r, container, finding.path));
}

const containersByObject = new WeakMap<ManifestSet, Map<number, ContainerRef[]>>();

/** The container a finding's path is about: under its path, or its AppArmor annotation. */
export function containerAt(manifests: any[], finding: RuleFinding): ContainerRef | undefined {
  const set = ManifestSet.of(manifests);
  let byObject = containersByObject.get(set);
  if (!byObject) {
    byObject = new Map();
    for (const c of set.containers()) byObject.set(c.pod.ref.index, [...(byObject.get(c.pod.ref.index) ?? []), c]);
    containersByObject.set(set, byObject);
  }
  return (byObject.get(finding.objectIndex) ?? []).find((c) => finding.path === c.path || finding.path.startsWith(`${c.path}.`)
    || finding.path === jsonPath(c.pod.metaPath, 'annotations', APPARMOR_PREFIX + c.name));
}

/** A finding on `capabilities.add` (or one entry of it) is lifted when every capability there is one the relaxation lists. */
function capabilitiesAllowed(r: RecordedRelaxation, c: ContainerRef | undefined, path: string): boolean {
  if (!c) return false;
  const m = /^\.securityContext\.capabilities\.add(?:\[(\d+)\])?$/.exec(path.slice(c.path.length));
  if (!m) return false;
  const added = arr(obj(c.sc.capabilities).add);
  const concerned = m[1] === undefined ? added : [added[Number(m[1])]];
  return concerned.every((cap) => r.capabilities.includes(cap));
}
