import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath } from '../internal/manifests';
import { design, kubeLinter } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: no sysctls at all. */
export const noSysctls = defineRule({
  id: 'SL-HARD-8',
  title: 'Pods set no sysctls',
  severity: RuleSeverity.WARNING,
  rationale: 'Even the sysctls PSS baseline allows change kernel behaviour; an application that needs one deserves a named exception.',
  remediation: 'Remove `spec.securityContext.sysctls` and tune the kernel on the node instead (a rule pack also accepts an acknowledgement of this rule with the reason the sysctl is needed).',
  references: [...design('§5'), ...kubeLinter('unsafe-sysctls')],
  check: (set) => perPod(set, (pod) => arr(pod.podSc.sysctls).length === 0 ? [] : [
    finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'sysctls'), `the pod sets sysctls: ${arr(pod.podSc.sysctls).map((s) => s?.name).join(', ')}`),
  ]),
});
