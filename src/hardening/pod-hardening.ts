import { applyIdentity, applyServiceAccount, checkSelector } from './identity';
import { fillResources, withoutPlusDefaults } from './resources';
import { applyScheduling } from './scheduling';
import {
  applyAppArmor, applyCapabilities, applyContainerSecurityContext, applyPodAppArmor, applyPodSecurityContext, applyUserNamespaces,
} from './security-contexts';
import { writeTrace } from './trace';
import { HardenContext, WorkloadUnderHardening, ensure } from './workload';
import { applyReadOnlyRoot, applyTmp } from './writable-paths';
import { sortKeys, sortKeysDeep } from '../internal/objects';
import { workloadKindOf } from '../internal/workload-kinds';

/**
 * The hardened profile as one pure function over a rendered workload manifest.
 * It serves cdk8s-plus workloads and raw ApiObjects alike, and runs on the final
 * JSON (after escape-hatch patches), so what it guarantees is what is written.
 * Each concern is a module of its own (identity, security contexts, resources,
 * writable paths, scheduling, trace); they only fix, and the rules of
 * `PROFILE_RULES` then judge what they could not fix (profile-checks.ts).
 */

export { CDK8S_ADDR_LABEL } from './identity';
export { appArmorFieldOf } from './security-contexts';
export { APPARMOR_PREFIX } from '../rules/pss/app-armor-profile';
export type { HardenContext } from './workload';

/** Whether `manifest` is a workload: a built-in kind, or any kind that carries a pod template. */
export function isWorkload(manifest: any): boolean {
  return workloadKindOf(manifest) !== undefined;
}

/** Where the pod template of `manifest` sits. */
export function templatePath(manifest: any): readonly string[] {
  const kind = workloadKindOf(manifest);
  if (!kind) throw new Error(`a ${manifest?.kind} has no pod template`);
  return kind.templatePath;
}

export interface HardenResult {
  readonly manifest: any;
  /** Construction errors: the manifest cannot be built as asked (`<path>: <problem>. Fix: <fix>`). */
  readonly errors: string[];
  /** The fixed workload, for `profileRefusals` (profile-checks.ts): the checks of the profile, judged by its rules. */
  readonly fixed: WorkloadUnderHardening;
}

/**
 * Fixes `manifest` (a freshly rendered object, modified in place) as the
 * profile says and returns it with the construction errors; what it could not
 * fix, `profileRefusals` finds (for all workloads of a pass at once).
 */
export function hardenWorkload(manifest: any, ctx: HardenContext): HardenResult {
  const w = new WorkloadUnderHardening(manifest, ctx);
  applyIdentity(w);
  applyUserNamespaces(w);
  applyPodSecurityContext(w);
  w.readAnnotations();
  applyServiceAccount(w);
  hardenContainers(w);
  applyScheduling(w);
  writeTrace(w);
  checkSelector(w);
  sortTouched(manifest, w.template, w.selectorOwner);
  return { manifest, errors: w.errors, fixed: w };
}

/** Every container (init containers first): security context, image pull, resources, AppArmor; then /tmp. */
function hardenContainers(w: WorkloadUnderHardening): void {
  const { spec, ctx } = w;
  for (const group of ['initContainers', 'containers']) {
    (spec[group] ?? []).forEach((c: any, i: number) => {
      const path = w.at(`spec.${group}[${i}]`);
      const isRelaxed = w.relaxedFor(c.name);
      applyContainerSecurityContext(w, c, `${path}.securityContext`, isRelaxed);
      applyReadOnlyRoot(w, c, `${path}.securityContext`, isRelaxed);
      applyCapabilities(w, c, isRelaxed);
      if (typeof c.image !== 'string' || c.image.length === 0) {
        w.refuse(`${path}.image`, `container '${c.name}' has no image`, 'set an image pinned by digest');
      }
      c.imagePullPolicy = c.imagePullPolicy ?? 'Always';
      if (ctx.plusDefaultResources?.includes(c.name)) c.resources = withoutPlusDefaults(c.resources);
      fillResources(ensure(c, 'resources'), w.profile.resources);
      applyAppArmor(w, c);
    });
  }
  applyPodAppArmor(w);
  if ((spec.containers ?? []).length === 0) w.refuse(w.at('spec.containers'), 'the pod has no containers', 'add at least one container');
  applyTmp(w);
  if (Object.keys(w.annotations).length > 0) w.tmeta.annotations = w.annotations;
}

/**
 * cdk8s renders keys sorted; re-sort the maps this transform touched so the
 * output reads the same way (the untouched rest is already sorted).
 */
function sortTouched(obj: any, template: any, selectorOwner: any): void {
  obj.metadata = sortKeysDeep(obj.metadata);
  template.metadata = sortKeysDeep(template.metadata);
  if (selectorOwner?.selector) selectorOwner.selector = sortKeysDeep(selectorOwner.selector);
  const spec = template.spec;
  for (const key of ['securityContext', 'volumes', 'topologySpreadConstraints', 'affinity']) {
    if (spec[key] !== undefined) spec[key] = sortKeysDeep(spec[key]);
  }
  for (const group of ['initContainers', 'containers']) {
    if (!spec[group]) continue;
    spec[group] = spec[group].map((c: any) => {
      for (const key of ['securityContext', 'resources', 'volumeMounts']) {
        if (c[key] !== undefined) c[key] = sortKeysDeep(c[key]);
      }
      return sortKeys(c);
    });
  }
  template.spec = sortKeys(spec);
}
