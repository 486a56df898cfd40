import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `seccompProfile_baseline` (replaced by SL-PSS-16 at restricted). */
export const seccompProfileBaseline = defineRule({
  id: 'SL-PSS-9',
  title: 'No pod or container is seccomp-unconfined',
  severity: RuleSeverity.ERROR,
  rationale: 'Without a seccomp filter every system call reaches the kernel, including the rarely used ones behind most container escapes.',
  remediation: 'Set `securityContext.seccompProfile.type` to `RuntimeDefault` or `Localhost` (or leave it unset); never `Unconfined`.',
  references: [...pss('seccompProfile_baseline'), ...trivy('KSV104')],
  relaxedBy: [RelaxationName.NO_SECCOMP],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (obj(pod.podSc.seccompProfile).type === 'Unconfined') {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'seccompProfile', 'type'), 'the pod is seccomp-unconfined'));
    }
    for (const c of pod.containers) {
      if (obj(c.sc.seccompProfile).type === 'Unconfined') {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'seccompProfile', 'type'), `container '${c.name}' is seccomp-unconfined`));
      }
    }
    return out;
  }),
});
