import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { checkov, design, kubeScore, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Lowest uid/gid the hardened profile accepts is MIN_ID + 1. */
const MIN_ID = 10000;

/** Hardened profile: uid and gid above 10000, so they never match a user of the node. */
export const highUidGid = defineRule({
  id: 'SL-HARD-2',
  title: 'Containers run with a uid and gid above 10000',
  severity: RuleSeverity.ERROR,
  rationale: 'Low ids collide with users of the node (and of images): a container escape or a shared volume then acts as that user.',
  remediation: `Set \`runAsUser\` and \`runAsGroup\` above ${MIN_ID} in \`spec.securityContext\` (and in containers that override them).`,
  references: [...design('§5'), ...kubeScore('container-security-context-user-group-id'), ...checkov('CKV_K8S_40'), ...trivy('KSV020', 'KSV021')],
  relaxedBy: [RelaxationName.RUN_AS_ROOT, RelaxationName.LOW_IDS],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    for (const field of ['runAsUser', 'runAsGroup']) {
      const podValue = pod.podSc[field];
      if (podValue !== undefined && !(typeof podValue === 'number' && podValue > MIN_ID)) {
        out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', field), `the pod sets ${field} ${podValue}, not above ${MIN_ID}`));
      }
      for (const c of pod.containers) {
        const value = c.sc[field];
        if (value !== undefined && !(typeof value === 'number' && value > MIN_ID)) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', field), `container '${c.name}' sets ${field} ${value}, not above ${MIN_ID}`));
        } else if (value === undefined && podValue === undefined) {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', field), `container '${c.name}' has no ${field}, on it or on the pod (the image decides)`));
        }
      }
    }
    return out;
  }),
});
