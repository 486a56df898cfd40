import { antiAffinity } from './hardening/anti-affinity';
import { appArmorDefault } from './hardening/app-armor-default';
import { dedicatedServiceAccount } from './hardening/dedicated-service-account';
import { disruptionBudget } from './hardening/disruption-budget';
import { explicitNamespace } from './hardening/explicit-namespace';
import { fsGroup } from './hardening/fs-group';
import { fsGroupFloor } from './hardening/fs-group-floor';
import { highUidGid } from './hardening/high-uid-gid';
import { imageDigest } from './hardening/image-digest';
import { latchOwnUid } from './hardening/latch-own-uid';
import { noAddedCapabilities } from './hardening/no-added-capabilities';
import { noLiteralSecrets } from './hardening/no-literal-secrets';
import { noRootIds } from './hardening/no-root-ids';
import { noSecretEnv } from './hardening/no-secret-env';
import { noServiceAccountToken } from './hardening/no-service-account-token';
import { noSysctls } from './hardening/no-sysctls';
import { privilegedExplicit } from './hardening/privileged-explicit';
import { probes } from './hardening/probes';
import { readOnlyRootFilesystem } from './hardening/read-only-root-filesystem';
import { requestsWithinLimits } from './hardening/requests-within-limits';
import { resourceLimits } from './hardening/resource-limits';
import { runAsNonRootExplicit } from './hardening/run-as-non-root-explicit';
import { seccompExplicit } from './hardening/seccomp-explicit';
import { secretVolumeMode } from './hardening/secret-volume-mode';
import { serviceAccountAutomount } from './hardening/service-account-automount';
import { stableSelectors } from './hardening/stable-selectors';
import { unprivilegedPorts } from './hardening/unprivileged-ports';
import { agentIntegrity } from './latch/agent-integrity';
import { credentialsInAgent } from './latch/credentials-in-agent';
import { hubGuardedNoEgress } from './latch/hub-guarded-no-egress';
import { hubGuardedNoToken } from './latch/hub-guarded-no-token';
import { hubMasterSingle } from './latch/hub-master-single';
import { hubRoleScope } from './latch/hub-role-scope';
import { noSecretEnvInLatchPods } from './latch/no-secret-env-in-latch-pods';
import { readOnlyReaders } from './latch/read-only-readers';
import { sidecarEgressBounded } from './latch/sidecar-egress-bounded';
import { singleWriter } from './latch/single-writer';
import { statusConfigMapWriters } from './latch/status-configmap-writers';
import { statusVolumeShape } from './latch/status-volume-shape';
import { defaultDeny } from './network/default-deny';
import { explicitPolicyTypes } from './network/explicit-policy-types';
import { noAllowAll } from './network/no-allow-all';
import { policyTargetsPods } from './network/policy-targets-pods';
import { workloadPolicy } from './network/workload-policy';
import { allowPrivilegeEscalation } from './pss/allow-privilege-escalation';
import { appArmorProfile } from './pss/app-armor-profile';
import { capabilitiesBaseline } from './pss/capabilities-baseline';
import { capabilitiesRestricted } from './pss/capabilities-restricted';
import { hostNamespaces } from './pss/host-namespaces';
import { hostPathVolumes } from './pss/host-path-volumes';
import { hostPorts } from './pss/host-ports';
import { hostProbes } from './pss/host-probes';
import { privileged } from './pss/privileged';
import { procMount } from './pss/proc-mount';
import { procMountRestricted } from './pss/proc-mount-restricted';
import { restrictedVolumes } from './pss/restricted-volumes';
import { runAsNonRoot } from './pss/run-as-non-root';
import { runAsUser } from './pss/run-as-user';
import { seLinuxOptions } from './pss/se-linux-options';
import { seccompProfileBaseline } from './pss/seccomp-profile-baseline';
import { seccompProfileRestricted } from './pss/seccomp-profile-restricted';
import { sysctls } from './pss/sysctls';
import { windowsHostProcess } from './pss/windows-host-process';
import { Rule } from './rule';

/**
 * PSS baseline, policy v1.27 to v1.36: each rule judges an object at the
 * object's version (SL-PSS-18 applies from v1.34 only).
 */
export const PSS_BASELINE_RULES: Rule[] = [
  hostNamespaces, privileged, capabilitiesBaseline, hostPathVolumes, hostPorts, appArmorProfile,
  seLinuxOptions, procMount, seccompProfileBaseline, sysctls, windowsHostProcess, hostProbes,
];

/** Baseline checks that a restricted check replaces (as pod-security-admission does). */
const OVERRIDDEN_AT_RESTRICTED = new Set([capabilitiesBaseline, hostPathVolumes, seccompProfileBaseline]);

/**
 * PSS restricted, policy v1.27 to v1.36: baseline minus the overridden checks, plus the restricted checks
 * (SL-PSS-19 applies from v1.35 and replaces SL-PSS-8 there).
 */
export const PSS_RESTRICTED_RULES: Rule[] = [
  ...PSS_BASELINE_RULES.filter((r) => !OVERRIDDEN_AT_RESTRICTED.has(r)),
  restrictedVolumes, allowPrivilegeEscalation, runAsNonRoot, runAsUser, seccompProfileRestricted, capabilitiesRestricted,
  procMountRestricted,
];

/** The hardened workload profile of DESIGN.md §5, beyond PSS. */
export const HARDENING_RULES: Rule[] = [
  runAsNonRootExplicit, highUidGid, seccompExplicit, privilegedExplicit, readOnlyRootFilesystem, noAddedCapabilities,
  fsGroup, noSysctls, unprivilegedPorts, noServiceAccountToken, dedicatedServiceAccount, serviceAccountAutomount,
  resourceLimits, probes, imageDigest, appArmorDefault, stableSelectors, explicitNamespace, disruptionBudget,
  antiAffinity, noSecretEnv, secretVolumeMode, noLiteralSecrets, noRootIds, fsGroupFloor, requestsWithinLimits, latchOwnUid,
];

/**
 * The checks the hardened profile enforces when it synthesizes a workload: after
 * its fixes, these rules judge the workload's manifest, and each finding that
 * none of the profile's relaxations lifts (the rule's `relaxedBy`; never on the
 * latch's own containers) is a refusal with the rule's message and remediation.
 * When two rules find the same field, the one listed first is reported.
 */
export const PROFILE_RULES: Rule[] = [
  hostNamespaces, privileged, procMount, procMountRestricted, hostPathVolumes, hostPorts, noSysctls,
  noRootIds, runAsNonRootExplicit, highUidGid, fsGroup, fsGroupFloor, seccompProfileBaseline, allowPrivilegeEscalation,
  readOnlyRootFilesystem, noAddedCapabilities, appArmorProfile, noServiceAccountToken, imageDigest, unprivilegedPorts,
  noSecretEnv, requestsWithinLimits, probes, latchOwnUid,
];

/** Network coverage. */
export const NETWORK_RULES: Rule[] = [defaultDeny, workloadPolicy, explicitPolicyTypes, noAllowAll, policyTargetsPods];

/** Latch invariants (DESIGN.md §4, §7), plus the literal-secrets rule. */
export const LATCH_RULES: Rule[] = [
  singleWriter, readOnlyReaders, credentialsInAgent, noSecretEnvInLatchPods, hubRoleScope, hubGuardedNoEgress,
  hubGuardedNoToken, statusVolumeShape, noLiteralSecrets, hubMasterSingle, sidecarEgressBounded, statusConfigMapWriters, agentIntegrity,
];

const AREA_ORDER = ['SL-PSS', 'SL-HARD', 'SL-NET', 'SL-LATCH'];

function areaRank(prefix: string): number {
  const i = AREA_ORDER.indexOf(prefix);
  return i < 0 ? AREA_ORDER.length : i;
}

/** Prefix and number of each rule id seen (a few dozen), so that sorting findings parses each id once. */
const ID_PARTS = new Map<string, { prefix: string; n: number }>();

function idParts(id: string): { prefix: string; n: number } {
  let parts = ID_PARTS.get(id);
  if (!parts) {
    const m = /^(.*)-(\d+)$/.exec(id);
    parts = m ? { prefix: m[1], n: Number(m[2]) } : { prefix: id, n: 0 };
    ID_PARTS.set(id, parts);
  }
  return parts;
}

/** Orders rule ids by area (PSS, HARD, NET, LATCH, then custom ones) and naturally: SL-PSS-2 before SL-PSS-10. */
export function compareRuleIds(a: string, b: string): number {
  const pa = idParts(a);
  const pb = idParts(b);
  if (pa.prefix !== pb.prefix) return areaRank(pa.prefix) - areaRank(pb.prefix) || (pa.prefix < pb.prefix ? -1 : 1);
  return pa.n - pb.n;
}

/**
 * The anchor of a rule's section in docs/RULES.md (GitHub's slug of its `## <id>` heading);
 * here rather than in docs.ts so that the audit CLI links rules without loading cdk8s.
 */
export function ruleAnchor(id: string): string {
  return id.toLowerCase();
}

/** Every built-in rule, once, in id order. */
export const ALL_RULES: Rule[] = [...new Set([...PSS_BASELINE_RULES, ...PSS_RESTRICTED_RULES, ...HARDENING_RULES, ...NETWORK_RULES, ...LATCH_RULES])]
  .sort((a, b) => compareRuleIds(a.id, b.id));

/** Rules of each built-in pack, by pack name (see RulePack for what each one means). */
export const PACKS: { readonly [name: string]: Rule[] } = {
  'restricted': [...PSS_RESTRICTED_RULES, ...HARDENING_RULES, ...NETWORK_RULES],
  'baseline': PSS_BASELINE_RULES,
  'pss-restricted': PSS_RESTRICTED_RULES,
  'latch': LATCH_RULES,
};

/** The rules of a built-in pack; throws, listing the valid names, for others. */
export function packRules(name: string): Rule[] {
  const rules = PACKS[name];
  if (!rules) {
    throw new Error(`Unknown rule pack '${name}': use one of ${Object.keys(PACKS).join(', ')}`);
  }
  return [...rules].sort((a, b) => compareRuleIds(a.id, b.id));
}

const known = new Map<string, Rule>(ALL_RULES.map((r) => [r.id, r]));

/** Makes a custom rule's id acknowledgeable (built-in ids are always known). */
export function registerRule(rule: Rule): void {
  const existing = known.get(rule.id);
  if (existing && existing !== rule && ALL_RULES.includes(existing)) {
    throw new Error(`Rule id '${rule.id}' belongs to a built-in rule; give your rule another id`);
  }
  known.set(rule.id, rule);
}

/** The rule with this id, if known. */
export function findRule(id: string): Rule | undefined {
  return known.get(id);
}
