import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Sysctls PSS baseline allows at policy v1.27. */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports',
];

/** PSS baseline `sysctls`. */
export const sysctls = defineRule({
  id: 'SL-PSS-10',
  title: 'Pods set only namespaced, safe sysctls',
  severity: RuleSeverity.ERROR,
  rationale: 'Other sysctls are not isolated per pod: they change the kernel of the node for every workload on it.',
  remediation: `Remove sysctls other than ${SAFE_SYSCTLS.join(', ')} from \`spec.securityContext.sysctls\`.`,
  references: [...pss('sysctls'), ...trivy('KSV026')],
  check: (set) => perPod(set, (pod) => arr(pod.podSc.sysctls)
    .map((s, i) => ({ name: obj(s).name, i }))
    .filter(({ name }) => !SAFE_SYSCTLS.includes(name))
    .map(({ name, i }) => finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'sysctls', i, 'name'), `sysctl '${name}' is not in the safe set`))),
});
