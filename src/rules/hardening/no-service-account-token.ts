import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, cis, design, kubescape, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: no API token in the pod. */
export const noServiceAccountToken = defineRule({
  id: 'SL-HARD-10',
  title: 'Pods set automountServiceAccountToken to false',
  severity: RuleSeverity.ERROR,
  rationale: 'A mounted token lets anything that gets code execution in the pod call the Kubernetes API with the pod\'s permissions.',
  remediation: 'Set `spec.automountServiceAccountToken: false` on the pod; a workload that calls the Kubernetes API mounts a projected token explicitly instead.',
  references: [...design('§5'), ...cis('5.1.6'), ...polaris('automountServiceAccountToken'), ...kubescape('C-0034'), ...checkov('CKV_K8S_38')],
  relaxedBy: [RelaxationName.SERVICE_ACCOUNT_TOKEN],
  check: (set) => perPod(set, (pod) => pod.spec.automountServiceAccountToken === false ? [] : [
    finding(pod.ref, jsonPath(pod.specPath, 'automountServiceAccountToken'), 'the pod mounts a ServiceAccount token (automountServiceAccountToken is not false)'),
  ]),
});
