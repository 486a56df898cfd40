import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { checkov, cis, kubescape, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

function valid(profile: unknown): boolean {
  const type = obj(profile).type;
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** PSS restricted `seccompProfile_restricted` (replaces SL-PSS-9; Windows pods exempt). */
export const seccompProfileRestricted = defineRule({
  id: 'SL-PSS-16',
  title: 'A seccomp profile (RuntimeDefault or Localhost) applies to every container',
  severity: RuleSeverity.ERROR,
  rationale: 'Without a seccomp filter every system call reaches the kernel, including the rarely used ones behind most container escapes.',
  remediation: 'Set `spec.securityContext.seccompProfile.type: RuntimeDefault` (or Localhost) on the pod, or on every container; never `Unconfined`.',
  references: [...pss('seccompProfile_restricted', 'seccompProfile_baseline'), ...cis('5.7.2'), ...kubescape('C-0210'), ...checkov('CKV_K8S_31'), ...trivy('KSV030', 'KSV104')],
  relaxedBy: [RelaxationName.NO_SECCOMP],
  check: (set) => perPod(set, (pod) => {
    if (pod.windows) return [];
    const out: RuleFindingList = [];
    const podProfile = pod.podSc.seccompProfile;
    const podSet = podProfile !== undefined && podProfile !== null;
    if (podSet && !valid(podProfile)) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'seccompProfile', 'type'), `the pod's seccomp profile type '${obj(podProfile).type ?? ''}' is not RuntimeDefault or Localhost`));
    }
    for (const c of pod.containers) {
      const profile = c.sc.seccompProfile;
      if (profile !== undefined && profile !== null) {
        if (!valid(profile)) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'seccompProfile', 'type'), `container '${c.name}' seccomp profile type '${obj(profile).type ?? ''}' is not RuntimeDefault or Localhost`));
        }
      } else if (!(podSet && valid(podProfile))) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'seccompProfile'), `container '${c.name}' has no seccomp profile, and neither has the pod`));
      }
    }
    return out;
  }),
});
