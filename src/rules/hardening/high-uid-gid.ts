import { RelaxationName } from '../../hardening/relaxation';
import { ID_FLOOR } from '../../internal/ids';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { checkov, design, kubeScore, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: uid and gid above `ID_FLOOR`, so they never match a user of the node. */
export const highUidGid = defineRule({
  id: 'SL-HARD-2',
  title: `Containers run with a uid and gid above ${ID_FLOOR}`,
  severity: RuleSeverity.ERROR,
  rationale: 'Low ids collide with users of the node (and of images): a container escape or a shared volume then acts as that user.',
  remediation: `Set \`runAsUser\` and \`runAsGroup\` above ${ID_FLOOR} in \`spec.securityContext\` (and in containers that override them).`,
  references: [...design('§5'), ...kubeScore('container-security-context-user-group-id'), ...checkov('CKV_K8S_40'), ...trivy('KSV020', 'KSV021')],
  relaxedBy: [RelaxationName.LOW_IDS, RelaxationName.RUN_AS_ROOT],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    for (const field of ['runAsUser', 'runAsGroup']) {
      const podValue = pod.podSc[field];
      if (podValue !== undefined && !(typeof podValue === 'number' && podValue > ID_FLOOR)) {
        out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', field), `the pod sets ${field} ${podValue}, not above ${ID_FLOOR}`));
      }
      for (const c of pod.containers) {
        const value = c.sc[field];
        if (value !== undefined && !(typeof value === 'number' && value > ID_FLOOR)) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', field), `container '${c.name}' sets ${field} ${value}, not above ${ID_FLOOR}`));
        } else if (value === undefined && podValue === undefined) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', field), `container '${c.name}' has no ${field}, on it or on the pod (the image decides)`));
        }
      }
    }
    return out;
  }),
});
