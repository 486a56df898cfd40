import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { USER_NAMESPACE_CHANGE, USER_NAMESPACE_RELAXATION, userNamespaceRelaxed } from '../internal/pss-versions';
import { checkov, cis, kubeLinter, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS restricted `runAsNonRoot` (from policy v1.35 user-namespaced pods are exempt). */
export const runAsNonRoot = defineRule({
  id: 'SL-PSS-14',
  title: 'Pods must run as non-root',
  severity: RuleSeverity.ERROR,
  rationale: 'A container running as root (uid 0) turns any escape or mounted host file into root access on the node.',
  remediation: 'Set `spec.securityContext.runAsNonRoot: true` (or `runAsNonRoot: true` on every container) and never `false` (targeting v1.35 or newer, a pod with `spec.hostUsers: false` is exempt).',
  references: [
    ...pss('runAsNonRoot'), ...cis('5.2.7'), ...polaris('runAsRootAllowed'), ...kubescape('C-0013'), ...checkov('CKV_K8S_23'),
    ...trivy('KSV012'), ...kubeLinter('run-as-non-root'),
  ],
  relaxedBy: [RelaxationName.RUN_AS_ROOT],
  versionChanges: [{ version: USER_NAMESPACE_RELAXATION, change: USER_NAMESPACE_CHANGE }],
  check: (set, context) => perPod(set, (pod) => {
    if (userNamespaceRelaxed(pod, context.versionOf(pod.ref.index))) return [];
    const out: RuleFindingList = [];
    const podValue = pod.podSc.runAsNonRoot;
    if (podValue === false) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'runAsNonRoot'), 'the pod sets runAsNonRoot to false'));
    }
    for (const c of pod.containers) {
      const value = c.sc.runAsNonRoot;
      if (value === false) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'runAsNonRoot'), `container '${c.name}' sets runAsNonRoot to false`));
      } else if (value === undefined || value === null) {
        if (podValue !== true) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'runAsNonRoot'), `container '${c.name}' may run as root: runAsNonRoot is set neither on it nor on the pod`));
        }
      }
    }
    return out;
  }),
});
