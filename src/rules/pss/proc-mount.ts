import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `procMount` (policy v1.27: no exemption for user-namespaced pods). */
export const procMount = defineRule({
  id: 'SL-PSS-8',
  title: 'Containers keep the default /proc mask',
  severity: RuleSeverity.ERROR,
  rationale: 'An unmasked /proc exposes kernel interfaces that the default mask hides from containers.',
  remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
  references: [...pss('procMount'), ...polaris('procMount'), ...trivy('KSV027')],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => c.sc.procMount !== undefined && c.sc.procMount !== null && c.sc.procMount !== 'Default')
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'procMount'), `container '${c.name}' uses procMount '${c.sc.procMount}'`))),
});
