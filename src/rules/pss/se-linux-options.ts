import { KubernetesVersion } from '../../target/kubernetes-version';
import { atVersion, defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

const ALLOWED_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

/** The SELinux type allowed from policy v1.31 on (for container engines run in a pod). */
export const SELINUX_ENGINE_TYPE = 'container_engine_t';

/** Allowed SELinux types by the policy version they start at. */
const TYPES_BY_VERSION: ReadonlyArray<readonly [KubernetesVersion, readonly string[]]> = [
  [KubernetesVersion.V1_27, ALLOWED_TYPES],
  [KubernetesVersion.V1_31, [...ALLOWED_TYPES, SELINUX_ENGINE_TYPE]],
];

function check(opts: any, path: string, who: string, allowedTypes: readonly string[]): Array<{ path: string; message: string }> {
  const out = [];
  const o = obj(opts);
  if (o.type !== undefined && !allowedTypes.includes(o.type)) {
    out.push({ path: jsonPath(path, 'type'), message: `${who} sets SELinux type '${o.type}'` });
  }
  for (const field of ['user', 'role']) {
    if (o[field] !== undefined && o[field] !== '') {
      out.push({ path: jsonPath(path, field), message: `${who} sets SELinux ${field} '${o[field]}'` });
    }
  }
  return out;
}

/** PSS baseline `seLinuxOptions`. */
export const seLinuxOptions = defineRule({
  id: 'SL-PSS-7',
  title: 'No custom SELinux user, role or type',
  severity: RuleSeverity.ERROR,
  rationale: 'A custom SELinux user, role or type can lift the confinement the container runtime applies to every container.',
  remediation: `Remove \`seLinuxOptions.user\` and \`seLinuxOptions.role\`; set \`seLinuxOptions.type\` only to container_t, container_init_t or container_kvm_t (or leave it unset; targeting v1.31 or newer, ${SELINUX_ENGINE_TYPE} is allowed too).`,
  references: [...pss('seLinuxOptions'), ...trivy('KSV025')],
  versionChanges: [{ version: KubernetesVersion.V1_31, change: `the type \`${SELINUX_ENGINE_TYPE}\` is allowed too` }],
  check: (set, context) => perPod(set, (pod) => {
    const types = atVersion(TYPES_BY_VERSION, context.versionOf(pod.ref.index));
    const out: RuleFindingList = check(pod.podSc.seLinuxOptions, jsonPath(pod.specPath, 'securityContext', 'seLinuxOptions'), 'the pod', types)
      .map((f) => finding(pod.ref, f.path, f.message));
    for (const c of pod.containers) {
      out.push(...check(c.sc.seLinuxOptions, jsonPath(c.path, 'securityContext', 'seLinuxOptions'), `container '${c.name}'`, types)
        .map((f) => finding(pod.ref, f.path, f.message)));
    }
    return out;
  }),
});
