import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

const ALLOWED_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

function check(opts: any, path: string, who: string): Array<{ path: string; message: string }> {
  const out = [];
  const o = obj(opts);
  if (o.type !== undefined && !ALLOWED_TYPES.includes(o.type)) {
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
  remediation: 'Remove `seLinuxOptions.user` and `seLinuxOptions.role`; set `seLinuxOptions.type` only to container_t, container_init_t or container_kvm_t (or leave it unset).',
  references: [...pss('seLinuxOptions'), ...trivy('KSV025')],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = check(pod.podSc.seLinuxOptions, jsonPath(pod.specPath, 'securityContext', 'seLinuxOptions'), 'the pod')
      .map((f) => finding(pod.ref, f.path, f.message));
    for (const c of pod.containers) {
      out.push(...check(c.sc.seLinuxOptions, jsonPath(c.path, 'securityContext', 'seLinuxOptions'), `container '${c.name}'`)
        .map((f) => finding(pod.ref, f.path, f.message)));
    }
    return out;
  }),
});
