import { WorkloadUnderHardening } from './workload';

/**
 * Where the pods run: the PriorityClass when the pod names none, spreading
 * (Polaris topologySpreadConstraint), anti-affinity for 2+ replicas, and stable
 * selectors in both.
 */
export function applyScheduling(w: WorkloadUnderHardening): void {
  const { spec, ctx, kind } = w;
  if (ctx.priorityClassName && !spec.priorityClassName) spec.priorityClassName = ctx.priorityClassName;
  if (!kind.batch) {
    if (!spec.topologySpreadConstraints?.length) {
      spec.topologySpreadConstraints = [{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: ctx.selector },
      }];
    }
    if (kind.replicated && (w.obj.spec?.replicas ?? 1) >= 2 && !spec.affinity?.podAntiAffinity) {
      spec.affinity = {
        ...(spec.affinity ?? {}),
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: ctx.selector } },
          }],
        },
      };
    }
  }
  if (ctx.rewriteSelectors) {
    for (const key of ['affinity', 'topologySpreadConstraints']) {
      if (spec[key] !== undefined) spec[key] = ctx.rewriteSelectors(spec[key]);
    }
  }
}
