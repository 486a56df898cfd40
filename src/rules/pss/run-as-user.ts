import { RelaxationName } from '../../hardening/relaxation';
import { ID_FLOOR } from '../../internal/ids';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { USER_NAMESPACE_CHANGE, USER_NAMESPACE_RELAXATION, userNamespaceRelaxed } from '../internal/pss-versions';
import { pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS restricted `runAsUser` (from policy v1.35 user-namespaced pods are exempt). */
export const runAsUser = defineRule({
  id: 'SL-PSS-15',
  title: 'Pods do not run as uid 0',
  severity: RuleSeverity.ERROR,
  rationale: 'runAsUser: 0 makes the process root whatever the image says.',
  remediation: `Remove \`runAsUser: 0\` from the pod and containers, or set a non-zero uid (the hardened profile uses one above ${ID_FLOOR}); targeting v1.35 or newer, a pod with \`spec.hostUsers: false\` is exempt.`,
  references: [...pss('runAsUser'), ...trivy('KSV105')],
  relaxedBy: [RelaxationName.RUN_AS_ROOT],
  versionChanges: [{ version: USER_NAMESPACE_RELAXATION, change: USER_NAMESPACE_CHANGE }],
  check: (set, context) => perPod(set, (pod) => {
    if (userNamespaceRelaxed(pod, context.versionOf(pod.ref.index))) return [];
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
