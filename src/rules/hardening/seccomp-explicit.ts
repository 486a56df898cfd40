import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { checkov, design, kubeScore, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

function confined(profile: unknown): boolean {
  const type = obj(profile).type;
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** Hardened profile: a seccomp profile written on the pod and on each container. */
export const seccompExplicit = defineRule({
  id: 'SL-HARD-3',
  title: 'seccompProfile is RuntimeDefault (or Localhost) on the pod and on every container',
  severity: RuleSeverity.WARNING,
  rationale: 'Scanners that read only one level (and copies of a container into another pod) miss a profile that is set only on the other level.',
  remediation: 'Set `seccompProfile: {type: RuntimeDefault}` in `spec.securityContext` and in every container\'s `securityContext`.',
  references: [...design('§5'), ...kubeScore('container-seccomp-profile'), ...checkov('CKV_K8S_31'), ...trivy('KSV030')],
  relaxedBy: [RelaxationName.NO_SECCOMP],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (!confined(pod.podSc.seccompProfile)) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'seccompProfile'), 'the pod does not set seccompProfile RuntimeDefault or Localhost'));
    }
    for (const c of pod.containers) {
      if (!confined(c.sc.seccompProfile)) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'seccompProfile'), `container '${c.name}' does not set seccompProfile RuntimeDefault or Localhost`));
      }
    }
    return out;
  }),
});
