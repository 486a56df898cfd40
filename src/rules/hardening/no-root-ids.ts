import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { design, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

const FIELDS = ['runAsUser', 'runAsGroup'];

/** Hardened profile: never uid or gid 0, whatever else is relaxed (user namespaces included). */
export const noRootIds = defineRule({
  id: 'SL-HARD-24',
  title: 'No pod or container sets runAsUser or runAsGroup to 0 (root)',
  severity: RuleSeverity.ERROR,
  rationale: 'Id 0 is root whatever the image says: uid 0 owns the container\'s files and processes, gid 0 reads and writes everything group root owns on shared volumes. Unlike PSS, the hardened profile refuses it in user-namespaced pods too, and `Relaxation.lowIds` does not accept it.',
  remediation: 'Remove `runAsUser: 0` and `runAsGroup: 0` from the pod and its containers (the profile then sets its own non-root ids).',
  references: [...design('§5'), ...trivy('KSV105')],
  relaxedBy: [RelaxationName.RUN_AS_ROOT],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    for (const field of FIELDS) {
      if (pod.podSc[field] === 0) {
        out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', field), `the pod sets ${field} 0 (root)`));
      }
      for (const c of pod.containers) {
        if (c.sc[field] === 0) out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', field), `container '${c.name}' sets ${field} 0 (root)`));
      }
    }
    return out;
  }),
});
