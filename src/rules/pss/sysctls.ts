import { KubernetesVersion } from '../../target/kubernetes-version';
import { atVersion, defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Sysctls PSS baseline allows at policy v1.27. */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports',
];

/** Sysctls added to the safe set at policy v1.29. */
export const SAFE_SYSCTLS_1_29 = ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];

/** Sysctls added to the safe set at policy v1.32. */
export const SAFE_SYSCTLS_1_32 = ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

/** The safe set by the policy version it starts at. */
const SAFE_BY_VERSION: ReadonlyArray<readonly [KubernetesVersion, ReadonlySet<string>]> = [
  [KubernetesVersion.V1_27, new Set(SAFE_SYSCTLS)],
  [KubernetesVersion.V1_29, new Set([...SAFE_SYSCTLS, ...SAFE_SYSCTLS_1_29])],
  [KubernetesVersion.V1_32, new Set([...SAFE_SYSCTLS, ...SAFE_SYSCTLS_1_29, ...SAFE_SYSCTLS_1_32])],
];

/** The sysctls PSS baseline allows at a policy version. */
export function safeSysctls(version: KubernetesVersion): ReadonlySet<string> {
  return atVersion(SAFE_BY_VERSION, version);
}

/** PSS baseline `sysctls`. */
export const sysctls = defineRule({
  id: 'SL-PSS-10',
  title: 'Pods set only namespaced, safe sysctls',
  severity: RuleSeverity.ERROR,
  rationale: 'Other sysctls are not isolated per pod: they change the kernel of the node for every workload on it.',
  remediation: `Remove sysctls other than ${SAFE_SYSCTLS.join(', ')} from \`spec.securityContext.sysctls\` (targeting v1.29 or newer, also allowed: ${SAFE_SYSCTLS_1_29.join(', ')}; v1.32 or newer: ${SAFE_SYSCTLS_1_32.join(', ')}).`,
  references: [...pss('sysctls'), ...trivy('KSV026')],
  versionChanges: [
    { version: KubernetesVersion.V1_29, change: `the safe set also holds ${SAFE_SYSCTLS_1_29.join(', ')}` },
    { version: KubernetesVersion.V1_32, change: `the safe set also holds ${SAFE_SYSCTLS_1_32.join(', ')}` },
  ],
  check: (set, context) => perPod(set, (pod) => {
    const safe = safeSysctls(context.versionOf(pod.ref.index));
    return arr(pod.podSc.sysctls)
      .map((s, i) => ({ name: obj(s).name, i }))
      .filter(({ name }) => !safe.has(name))
      .map(({ name, i }) => finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'sysctls', i, 'name'), `sysctl '${name}' is not in the safe set`));
  }),
});
