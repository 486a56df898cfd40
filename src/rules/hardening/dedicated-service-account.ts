import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, cis, design, kubeLinter, kubescape } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: a dedicated ServiceAccount per workload. */
export const dedicatedServiceAccount = defineRule({
  id: 'SL-HARD-11',
  title: 'Pods run under a dedicated ServiceAccount, not default',
  severity: RuleSeverity.WARNING,
  rationale: 'The namespace\'s default ServiceAccount is shared by every pod that names none, so a role bound to it leaks to all of them.',
  remediation: 'Create a ServiceAccount for the workload (with `automountServiceAccountToken: false`) and set `spec.serviceAccountName` to it.',
  references: [...design('§5'), ...cis('5.1.5'), ...kubescape('C-0189'), ...checkov('CKV_K8S_41'), ...kubeLinter('default-service-account')],
  check: (set) => perPod(set, (pod) => {
    const name = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
    return typeof name === 'string' && name !== '' && name !== 'default' ? [] : [
      finding(pod.ref, jsonPath(pod.specPath, 'serviceAccountName'), 'the pod runs under the default ServiceAccount'),
    ];
  }),
});
