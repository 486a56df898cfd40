import type { PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1';

/**
 * A PodDisruptionBudget spec for the objects the library emits: one pod may be
 * evicted at a time, and unready pods (e.g. gated by a locked latch) never
 * block a node drain.
 */
export function disruptionBudgetSpec(matchLabels: Record<string, string>): PodDisruptionBudgetSpec {
  return { maxUnavailable: 1, selector: { matchLabels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
}
