import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, PodRef, RuleFindingList } from '../internal/manifests';
import { USER_NAMESPACE_CHANGE, USER_NAMESPACE_RELAXATION, userNamespaceRelaxed } from '../internal/pss-versions';
import { polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Findings of containers that unmask /proc (any procMount but Default): the baseline and restricted procMount checks. */
export function unmaskedProcMounts(pod: PodRef): RuleFindingList {
  return pod.containers
    .filter((c) => c.sc.procMount !== undefined && c.sc.procMount !== null && c.sc.procMount !== 'Default')
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'procMount'), `container '${c.name}' uses procMount '${c.sc.procMount}'`));
}

/**
 * PSS baseline `procMount`; from policy v1.35 user-namespaced pods are exempt,
 * and in the restricted packs SL-PSS-19 replaces it.
 */
export const procMount = defineRule({
  id: 'SL-PSS-8',
  title: 'Containers keep the default /proc mask',
  severity: RuleSeverity.ERROR,
  rationale: 'An unmasked /proc exposes kernel interfaces that the default mask hides from containers.',
  remediation: 'Remove `securityContext.procMount` or set it to `Default` (targeting v1.35 or newer, a pod with `spec.hostUsers: false` may set any value at baseline).',
  references: [...pss('procMount'), ...polaris('procMount'), ...trivy('KSV027')],
  versionChanges: [{
    version: USER_NAMESPACE_RELAXATION,
    change: `${USER_NAMESPACE_CHANGE}; in the \`pss-restricted\` and \`restricted\` packs SL-PSS-19 (\`procMount_restricted\`, no such exemption) replaces this rule`,
  }],
  check: (set, context) => perPod(set, (pod) => userNamespaceRelaxed(pod, context.versionOf(pod.ref.index)) ? [] : unmaskedProcMounts(pod)),
});
