import { defineRule } from '../internal/define';
import { finding, obj } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** policyTypes written out. */
export const explicitPolicyTypes = defineRule({
  id: 'SL-NET-3',
  title: 'NetworkPolicies declare policyTypes explicitly',
  severity: RuleSeverity.WARNING,
  rationale: 'Without policyTypes, Egress is enforced only if egress rules happen to exist: deleting the last rule silently opens all egress.',
  remediation: 'Set `spec.policyTypes` (e.g. `[Ingress, Egress]`) on every NetworkPolicy.',
  references: [...design('§5')],
  check: (set) => {
    const policies = set.ofKind('NetworkPolicy');
    if (policies.length === 0) return undefined;
    return policies.filter((p) => !Array.isArray(obj(p.obj.spec).policyTypes) || obj(p.obj.spec).policyTypes.length === 0)
      .map((p) => finding(p, 'spec.policyTypes', `NetworkPolicy '${p.name}' does not declare policyTypes`));
  },
});
