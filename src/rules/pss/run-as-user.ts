import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS restricted `runAsUser`. */
export const runAsUser = defineRule({
  id: 'SL-PSS-15',
  title: 'Pods do not run as uid 0',
  severity: RuleSeverity.ERROR,
  rationale: 'runAsUser: 0 makes the process root whatever the image says.',
  remediation: 'Remove `runAsUser: 0` from the pod and containers, or set a non-zero uid (the hardened profile uses one above 10000).',
  references: [...pss('runAsUser'), ...trivy('KSV105')],
  relaxedBy: [RelaxationName.RUN_AS_ROOT],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (pod.podSc.runAsUser === 0) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'runAsUser'), 'the pod sets runAsUser to 0 (root)'));
    }
    for (const c of pod.containers) {
      if (c.sc.runAsUser === 0) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'runAsUser'), `container '${c.name}' sets runAsUser to 0 (root)`));
      }
    }
    return out;
  }),
});
