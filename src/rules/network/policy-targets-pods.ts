import { defineRule } from '../internal/define';
import { finding, obj, selectorIsEmpty } from '../internal/manifests';
import { design, kubeScore } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Per-workload policies select something. */
export const policyTargetsPods = defineRule({
  id: 'SL-NET-5',
  title: 'Every per-workload NetworkPolicy selects at least one workload of the set',
  severity: RuleSeverity.WARNING,
  rationale: 'A policy whose selector matches nothing usually means the workload\'s labels changed: the workload is then unprotected while the policy looks fine.',
  remediation: 'Make `spec.podSelector` match the pod template labels of the workload (same namespace), or delete the stale policy.',
  references: [...design('§5'), ...kubeScore('networkpolicy-targets-pod')],
  check: (set) => {
    const policies = set.ofKind('NetworkPolicy').filter((p) => !selectorIsEmpty(obj(p.obj.spec).podSelector));
    if (policies.length === 0 || set.pods.length === 0) return undefined;
    return policies
      .filter((p) => set.podsMatching(p.namespace, obj(p.obj.spec).podSelector).length === 0)
      .map((p) => finding(p, 'spec.podSelector', `NetworkPolicy '${p.name}' selects no workload in namespace '${p.namespace || '(unset)'}'`));
  },
});
