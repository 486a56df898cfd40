/**
 * The security contexts the profile writes: user namespaces, non-root ids,
 * seccomp, capabilities, privilege escalation and AppArmor. Each step only
 * fills in what the workload left unset (or may be tightened without changing
 * what the workload asked for): a weaker value the workload chose is kept, and
 * the rules of `PROFILE_RULES` refuse it, with the relaxation that would lift them.
 */
import { ResolvedProfile } from './hardening-profile';
import { RelaxationName } from './relaxation';
import { IsRelaxed, WorkloadUnderHardening, ensure } from './workload';
import { sortKeys } from '../internal/objects';
import { APPARMOR_PREFIX } from '../rules/pss/app-armor-profile';
import { KubernetesVersion } from '../target/kubernetes-version';

/** The `appArmorProfile` field (1.30+) of a profile written `runtime/default` or `localhost/<name>`. */
export function appArmorFieldOf(profile: string): any {
  return profile.startsWith('localhost/') ? { localhostProfile: profile.slice('localhost/'.length), type: 'Localhost' } : { type: 'RuntimeDefault' };
}

/**
 * User namespaces (`hostUsers: false`) when the profile asks for them, from Kubernetes 1.33.
 * Both refusals are construction errors: the profile's option cannot be met, not a check of the manifest.
 */
export function applyUserNamespaces(w: WorkloadUnderHardening): void {
  if (!w.profile.userNamespaces) return;
  if (!w.target.isAtLeast(KubernetesVersion.V1_33)) {
    w.refuse(w.at('spec.hostUsers'), `user namespaces are on by default only from Kubernetes v1.33 (the target is ${w.target.name})`,
      'target v1.33 or later with KubernetesTarget.set(app, KubernetesVersion.V1_33), or remove userNamespaces from the profile');
  } else if (w.spec.hostUsers === true) {
    w.refuse(w.at('spec.hostUsers'), 'the pod asks for the host user namespace but the profile runs it in its own', 'remove hostUsers: true, or userNamespaces from the profile');
  }
  w.spec.hostUsers = false;
}

/** The pod's securityContext: non-root ids, fsGroup, seccomp. */
export function applyPodSecurityContext(w: WorkloadUnderHardening): void {
  const { profile } = w;
  const psc = w.psc = ensure(w.spec, 'securityContext');
  if (w.relaxed(RelaxationName.RUN_AS_ROOT)) {
    if (psc.runAsNonRoot === true) w.kept.push(`${w.at('spec.securityContext.runAsNonRoot')}: true`);
  } else {
    nonRoot(psc, profile.user, profile.group);
  }
  fill(psc, 'fsGroup', profile.fsGroup);
  psc.fsGroupChangePolicy = 'OnRootMismatch';
  seccomp(psc, profile, w.relaxed);
}

/** One container's securityContext, the AppArmor aside. */
export function applyContainerSecurityContext(w: WorkloadUnderHardening, c: any, scPath: string, isRelaxed: IsRelaxed): void {
  const sc = ensure(c, 'securityContext');
  if (sc.privileged !== true) sc.privileged = false;
  if (isRelaxed(RelaxationName.RUN_AS_ROOT)) {
    if (sc.runAsNonRoot === true) w.kept.push(`${scPath}.runAsNonRoot: true`);
  } else {
    nonRoot(sc, w.psc.runAsUser ?? w.profile.user, w.psc.runAsGroup ?? w.profile.group);
  }
  seccomp(sc, w.profile, isRelaxed);
  if (isRelaxed(RelaxationName.PRIVILEGE_ESCALATION)) {
    if (sc.allowPrivilegeEscalation === false) w.kept.push(`${scPath}.allowPrivilegeEscalation: false`);
  } else if (sc.allowPrivilegeEscalation !== true) {
    sc.allowPrivilegeEscalation = false;
  }
}

/**
 * `drop: [ALL]`, names written without `CAP_` in upper case, and (relaxed) the
 * profile's capabilities added; the workload's own additions stay for SL-HARD-6 to judge.
 */
export function applyCapabilities(w: WorkloadUnderHardening, c: any, isRelaxed: IsRelaxed): void {
  const sc = c.securityContext;
  const added = ((sc.capabilities?.add ?? []) as string[]).map((x) => String(x).toUpperCase().replace(/^CAP_/, ''));
  const allowed = isRelaxed(RelaxationName.ADD_CAPABILITIES) ? w.profile.addCapabilities : [];
  const add = [...new Set([...added, ...allowed])].sort();
  sc.capabilities = add.length > 0 ? { add, drop: ['ALL'] } : { drop: ['ALL'] };
}

/** AppArmor is the `appArmorProfile` field from Kubernetes 1.30, the per-container annotation before. */
function appArmorField(w: WorkloadUnderHardening): boolean {
  return w.target.isAtLeast(KubernetesVersion.V1_30);
}

/**
 * One container's AppArmor profile: before 1.30 the annotation, from 1.30 the
 * pod's field covers it, or its own field when the pod goes without (a relaxed
 * pod's latch containers). An unconfined one stays for SL-PSS-6 to refuse.
 */
export function applyAppArmor(w: WorkloadUnderHardening, c: any): void {
  const key = APPARMOR_PREFIX + c.name;
  const strict = w.strict.has(c.name);
  if (w.relaxed(RelaxationName.NO_APPARMOR) && !strict) return;
  if (!appArmorField(w)) {
    w.annotations[key] = w.annotations[key] ?? w.profile.appArmorProfile;
    return;
  }
  if (strict && w.relaxed(RelaxationName.NO_APPARMOR) && !c.securityContext?.appArmorProfile && w.annotations[key] === undefined) {
    c.securityContext = sortKeys({ ...(c.securityContext ?? {}), appArmorProfile: appArmorFieldOf(w.profile.appArmorProfile) });
  }
}

/** The pod-level `appArmorProfile` (1.30+): the profile's, unless the pod names its own. */
export function applyPodAppArmor(w: WorkloadUnderHardening): void {
  if (!appArmorField(w) || w.relaxed(RelaxationName.NO_APPARMOR)) return;
  w.psc.appArmorProfile = w.psc.appArmorProfile ?? appArmorFieldOf(w.profile.appArmorProfile);
}

/** runAsNonRoot unless the workload says false, and the profile's ids where it names none. */
function nonRoot(sc: any, user: number, group: number): void {
  if (sc.runAsNonRoot !== false) sc.runAsNonRoot = true;
  fill(sc, 'runAsUser', user);
  fill(sc, 'runAsGroup', group);
}

/** Sets an id the workload left unset; one it chose is kept (SL-HARD-2, SL-HARD-7, SL-HARD-24, SL-HARD-25 judge it). */
function fill(sc: any, field: string, value: number): void {
  if (sc[field] === undefined) sc[field] = value;
}

/** The profile's seccomp profile where none is set (an Unconfined one stays for SL-PSS-9). */
function seccomp(sc: any, profile: ResolvedProfile, isRelaxed: IsRelaxed): void {
  if (isRelaxed(RelaxationName.NO_SECCOMP)) return;
  sc.seccompProfile = sc.seccompProfile ?? profile.seccompProfile;
}
