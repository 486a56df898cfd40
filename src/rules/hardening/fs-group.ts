import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { design, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: non-root fsGroup, changed only when needed. */
export const fsGroup = defineRule({
  id: 'SL-HARD-7',
  title: 'Pods set a non-zero fsGroup with fsGroupChangePolicy OnRootMismatch',
  severity: RuleSeverity.WARNING,
  rationale: 'Without a non-root fsGroup, volumes are owned by root; OnRootMismatch avoids a recursive chown of large volumes at every start.',
  remediation: 'Set `spec.securityContext.fsGroup` to a non-zero gid (e.g. the pod\'s runAsGroup) and `fsGroupChangePolicy: OnRootMismatch`.',
  references: [...design('§5'), ...trivy('KSV029')],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    const group = pod.podSc.fsGroup;
    if (!(typeof group === 'number' && group > 0)) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'fsGroup'), group === undefined ? 'the pod sets no fsGroup' : `the pod sets fsGroup ${group}`));
    }
    if (pod.podSc.fsGroupChangePolicy !== 'OnRootMismatch') {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'fsGroupChangePolicy'), 'the pod does not set fsGroupChangePolicy: OnRootMismatch'));
    }
    return out;
  }),
});
