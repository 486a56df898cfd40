import { RelaxationName } from '../../hardening/relaxation';
import { defineRule } from '../internal/define';
import { arr, finding, obj, policyTypes, RuleFindingList, selectorIsEmpty } from '../internal/manifests';
import { isDnsOnly } from '../internal/network';
import { cis, design, kubescape } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Is this NetworkPolicy a namespace default-deny (DNS egress allowed)? */
export function isDefaultDeny(policy: any): boolean {
  const spec = obj(policy.spec);
  const types = policyTypes(policy);
  return selectorIsEmpty(spec.podSelector)
    && types.includes('Ingress') && types.includes('Egress')
    && arr(spec.ingress).length === 0
    && arr(spec.egress).every(isDnsOnly);
}

/** Every namespace with workloads has a default-deny NetworkPolicy. */
export const defaultDeny = defineRule({
  id: 'SL-NET-1',
  title: 'Every namespace with workloads has a default-deny NetworkPolicy (DNS egress allowed)',
  severity: RuleSeverity.ERROR,
  relaxedBy: [RelaxationName.NO_NETWORK_POLICY],
  rationale: 'Without a default deny, any pod the per-workload policies forget (or a new one) can talk to and be reached from anything.',
  remediation: 'Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress, Egress]`, no ingress rules and only a DNS egress rule (port 53 UDP/TCP) in each namespace.',
  references: [...design('§5'), ...cis('5.3.2'), ...kubescape('C-0260')],
  check: (set) => {
    if (set.pods.length === 0) return undefined;
    const out: RuleFindingList = [];
    const seen = new Set<string>();
    for (const pod of set.pods) {
      const ns = pod.ref.namespace;
      if (seen.has(ns)) continue;
      seen.add(ns);
      const denied = set.ofKind('NetworkPolicy').some((p) => p.namespace === ns && isDefaultDeny(p.obj));
      if (!denied) {
        out.push(finding(pod.ref, 'metadata.namespace', `namespace '${ns || '(unset)'}' has no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules but DNS)`));
      }
    }
    return out;
  },
});
