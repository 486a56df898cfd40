/**
 * A PodDisruptionBudget spec for the objects the library emits: one pod may be
 * evicted at a time, and unready pods (e.g. gated by a locked latch) never
 * block a node drain.
 */
export function disruptionBudgetSpec(matchLabels: Record<string, string>): any {
  return { maxUnavailable: 1, selector: { matchLabels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
}
