import { WorkloadUnderHardening } from './workload';
import { SuperlatchKeys } from '../contract';

/** The trace on the workload: which profile, which relaxations and why, which stricter values were kept. */
export function writeTrace(w: WorkloadUnderHardening): void {
  const { profile } = w;
  const annotations: Record<string, string> = { ...(w.meta.annotations ?? {}) };
  annotations[SuperlatchKeys.PROFILE_ANNOTATION] = profile.preset;
  if (profile.relaxations.length > 0) {
    annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION] = profile.relaxations.map((r) => r.toString()).join('\n');
  }
  if (w.kept.length > 0) annotations[SuperlatchKeys.STRICTER_KEPT_ANNOTATION] = w.kept.join('\n');
  w.meta.annotations = annotations;
}
