/** Kubernetes quantities as numbers, for comparisons and sums (the hardening and the namespace checks share it). */

const SUFFIXES: Record<string, number> = {
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** A Kubernetes quantity ("100m", "64Mi", "1.5", 2) as a number; undefined if it cannot be read. */
export function quantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+(?:[eE][-+]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(q).trim());
  if (!m || !(m[2] in SUFFIXES)) return undefined;
  return Number(m[1]) * SUFFIXES[m[2]];
}

/**
 * A quantity in thousandths, rounded to an integer ("100m" -> 100, "64Mi" -> 67108864000),
 * so that sums and comparisons are exact (0.1 + 0.2 cpu is 300m, not 0.30000000000000004).
 */
export function milliQuantity(q: string | number): number | undefined {
  const n = quantity(q);
  return n === undefined ? undefined : Math.round(n * 1000);
}
