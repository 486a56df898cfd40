import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, cis, kubeLinter, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS restricted `allowPrivilegeEscalation` (Windows pods exempt). */
export const allowPrivilegeEscalation = defineRule({
  id: 'SL-PSS-13',
  title: 'Containers set allowPrivilegeEscalation to false',
  severity: RuleSeverity.ERROR,
  rationale: 'Unless it is explicitly false, a process can gain more privileges than its parent (setuid binaries, file capabilities).',
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container, init container and ephemeral container.',
  references: [
    ...pss('allowPrivilegeEscalation'), ...cis('5.2.6'), ...polaris('privilegeEscalationAllowed'), ...kubescape('C-0016'),
    ...checkov('CKV_K8S_20'), ...trivy('KSV001'), ...kubeLinter('privilege-escalation-container'),
  ],
  relaxedBy: [RelaxationName.PRIVILEGE_ESCALATION],
  check: (set) => perPod(set, (pod) => pod.windows ? [] : pod.containers
    .filter((c) => c.sc.allowPrivilegeEscalation !== false)
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'allowPrivilegeEscalation'),
      c.sc.allowPrivilegeEscalation === true
        ? `container '${c.name}' allows privilege escalation`
        : `container '${c.name}' does not set allowPrivilegeEscalation to false`))),
});
