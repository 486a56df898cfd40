import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { checkov, cis, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Capabilities PSS baseline lets a container add (exact, upper-case names). */
export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** PSS baseline `capabilities_baseline` (replaced by SL-PSS-17 at restricted). */
export const capabilitiesBaseline = defineRule({
  id: 'SL-PSS-3',
  title: 'Containers add no capability beyond the baseline set',
  severity: RuleSeverity.ERROR,
  rationale: 'Capabilities such as NET_RAW, NET_ADMIN or SYS_ADMIN give a container kernel powers that enable spoofing, host network changes or escapes.',
  remediation: `List in \`securityContext.capabilities.add\` only names from: ${BASELINE_CAPABILITIES.join(', ')} (exact upper-case names, no CAP_ prefix).`,
  references: [...pss('capabilities_baseline'), ...cis('5.2.9'), ...polaris('dangerousCapabilities', 'insecureCapabilities'), ...checkov('CKV_K8S_25'), ...trivy('KSV022')],
  relaxedBy: [RelaxationName.ADD_CAPABILITIES],
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => arr(obj(c.sc.capabilities).add)
    .map((cap, i) => ({ cap, i }))
    .filter(({ cap }) => !BASELINE_CAPABILITIES.includes(cap))
    .map(({ cap, i }) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'capabilities', 'add', i),
      `container '${c.name}' adds capability '${cap}', which is not in the baseline set`)))),
});
