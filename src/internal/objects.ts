/** Small helpers over plain JSON objects and values that several parts of the library share. */

/** The label every object the library emits carries, with its value. */
export const MANAGED_BY: Readonly<Record<string, string>> = Object.freeze({ 'app.kubernetes.io/managed-by': 'cdk8s-superlatch' });

/** Whether an object's metadata says the library emitted it. */
export function managedByUs(metadata: any): boolean {
  return Object.entries(MANAGED_BY).every(([k, v]) => metadata?.labels?.[k] === v);
}

/** A copy of `o` with its keys in sorted order (stable, reviewable output). */
export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) put(out, k, o[k]);
  return out;
}

/** A copy of `v` with the keys of every object in it sorted, at any depth (every workload's output goes through it: a loop, no entry arrays). */
export function sortKeysDeep(v: any): any {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: any = {};
  for (const k of Object.keys(v).sort()) put(out, k, sortKeysDeep(v[k]));
  return out;
}

/** `out[k] = value` as an own property, also for the key `__proto__` (as Object.fromEntries does). */
function put(out: any, k: string, value: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  else out[k] = value;
}

/** A deep copy of a JSON value (what `JSON.parse(JSON.stringify(v))` gives for JSON, without the text in between). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x) => (x === undefined ? null : cloneJson(x))) as unknown as T;
  const out: any = {};
  for (const k in value) {
    const v = (value as any)[k];
    if (v !== undefined) out[k] = cloneJson(v);
  }
  return out;
}

/**
 * Whether two JSON values are the same whatever the order of their keys (two
 * probes, say): what comparing their JSON with sorted keys says, without building it.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => sameJson(x, other[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as any)[k], (b as any)[k]));
}

/** A size (anything with `toMebibytes()`, e.g. cdk8s `Size`) as a Kubernetes quantity in mebibytes (`64Mi`). */
export function mebibytes(size: { toMebibytes(): number }): string {
  return `${size.toMebibytes()}Mi`;
}
