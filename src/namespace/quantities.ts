/** Quantity helpers for the namespace objects; messages name the field and the fix. */

const CPU = /^(\d+(\.\d+)?)(m?)$/;

/** Millicores of a cpu quantity such as `500m`, `2` or `0.5`; throws naming the field otherwise. */
export function cpuMillis(where: string, field: string, value: string): number {
  const m = CPU.exec(value ?? '');
  if (!m) {
    throw new Error(`${where}: ${field} '${value}' is not a cpu quantity. Fix: write millicores such as '500m' or cores such as '2' or '0.5'`);
  }
  const millis = m[3] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
  if (!Number.isInteger(millis)) {
    throw new Error(`${where}: ${field} '${value}' is finer than one millicore. Fix: round it to whole millicores, e.g. '${Math.round(millis)}m'`);
  }
  return millis;
}

export { mebibytes, sortKeys } from '../internal/objects';

/** Mebibytes of a quantity this package renders (`<n>Mi`). */
export function parseMebibytes(quantity: string): number {
  return Number(quantity.replace(/Mi$/, ''));
}

/** Throws unless `value` is a non-negative integer. */
export function checkCount(where: string, field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new Error(`${where}: ${field} must be a non-negative integer (got ${value}). Fix: give a whole number, 0 to forbid`);
  }
}
