/**
 * Delay before the next poll after `failures` consecutive failures (≥ 1).
 *
 * Exponential with jitter: the upper bound doubles per failure from 2 × interval and
 * stops at the ceiling (interval × cap, but no more than half the staleness budget, so
 * a retry still lands before the last good status expires); the delay is drawn
 * uniformly from the upper half of that range. It is never shorter than the interval,
 * so an API that fails fast never causes more requests than a healthy one.
 */
export interface BackoffPolicy {
  readonly intervalMs: number;
  readonly cap: number;
  readonly maxStalenessMs: number;
}

export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const { intervalMs, cap, maxStalenessMs } = policy;
  const ceiling = Math.max(intervalMs, Math.min(intervalMs * cap, maxStalenessMs / 2));
  const upper = Math.min(intervalMs * 2 ** Math.min(Math.max(failures, 1), 30), ceiling);
  const lower = Math.max(intervalMs, upper / 2);
  return Math.round(lower + random() * (upper - lower));
}
