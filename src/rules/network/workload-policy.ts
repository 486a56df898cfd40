import { RelaxationName } from '../../hardening/relaxation';
import { defineRule } from '../internal/define';
import { finding, obj, policiesSelecting, policyTypes } from '../internal/manifests';
import { design, kubeScore, kubescape, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Every workload is selected by its own policies, for both directions. */
export const workloadPolicy = defineRule({
  id: 'SL-NET-2',
  title: 'Every workload is selected, by matchLabels, by NetworkPolicies covering Ingress and Egress',
  severity: RuleSeverity.ERROR,
  relaxedBy: [RelaxationName.NO_NETWORK_POLICY],
  rationale: 'A per-workload policy states exactly which peers and ports the workload needs; without one, only the namespace default applies (or nothing at all).',
  remediation: 'Add a NetworkPolicy whose `podSelector.matchLabels` matches the pod template labels (e.g. app.kubernetes.io/name) with `policyTypes: [Ingress, Egress]` and the rules the workload needs.',
  references: [...design('§5'), ...kubeScore('pod-networkpolicy'), ...polaris('missingNetworkPolicy'), ...kubescape('C-0030', 'C-0260')],
  check: (set) => {
    if (set.pods.length === 0) return undefined;
    return set.pods.flatMap((pod) => {
      const own = policiesSelecting(set, pod).filter((p) => Object.keys(obj(obj(p.obj.spec).podSelector).matchLabels ?? {}).length > 0);
      const types = new Set(own.flatMap((p) => policyTypes(p.obj)));
      const missing = ['Ingress', 'Egress'].filter((t) => !types.has(t));
      if (missing.length === 0) return [];
      const what = own.length === 0 ? 'no NetworkPolicy selects its pods by matchLabels' : `its NetworkPolicies do not cover ${missing.join(' and ')}`;
      return [finding(pod.ref, `${pod.metaPath}.labels`, `${pod.ref.kind} '${pod.ref.name}': ${what}`)];
    });
  },
});
