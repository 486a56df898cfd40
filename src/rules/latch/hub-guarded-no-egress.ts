import { defineRule } from '../internal/define';
import { perGuardedHubPod } from '../internal/latch';
import { arr, finding, jsonPath, obj, policiesSelecting, policyTypes, RuleFindingList } from '../internal/manifests';
import { allowsHttps, reachesOutside } from '../internal/network';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/**
 * Hub-mode guarded pods get no egress a latch could use.
 *
 * Precisely: (1) at least one NetworkPolicy selecting the pod template covers
 * Egress (otherwise egress is unrestricted); and (2) no egress rule of any
 * policy selecting it can reach outside the cluster on TCP 443, where "outside"
 * means the rule has no `to` peers or has an `ipBlock` peer, and "TCP 443"
 * means the rule has no ports, or a TCP (or protocol-less) port entry that is
 * 443, a range containing 443, the named port `https`, or has no port number.
 * DNS-only rules and rules to in-cluster pod/namespace selectors pass.
 */
export const hubGuardedNoEgress = defineRule({
  id: 'SL-LATCH-6',
  title: 'Hub-mode guarded pods cannot reach the Latch API (no egress to ipBlocks or all destinations on 443)',
  severity: RuleSeverity.ERROR,
  rationale: 'In hub mode only the agent talks to Latch; an application that can reach the Latch API could poll or pair on its own, outside the agent\'s control.',
  remediation: 'Select the guarded pods with an Egress NetworkPolicy (the namespace default-deny does) and remove every egress rule, in any policy selecting them, '
    + 'that both reaches outside the cluster (no `to` peers, or an `ipBlock` peer) and allows TCP 443 (no `ports`, or a TCP/protocol-less entry with port 443, '
    + 'a range containing 443, the name `https`, or no port). DNS-only rules and rules to pod/namespace selectors pass.',
  references: [...design('§4', '§7')],
  check: (set) => perGuardedHubPod(set, (pod) => {
    const out: RuleFindingList = [];
    const policies = policiesSelecting(set, pod);
    if (!policies.some((p) => policyTypes(p.obj).includes('Egress'))) {
      out.push(finding(pod.ref, `${pod.metaPath}.labels`, `no NetworkPolicy restricts egress of hub-mode guarded ${pod.ref.kind} '${pod.ref.name}'`));
    }
    for (const p of policies) {
      if (!policyTypes(p.obj).includes('Egress')) continue;
      arr(obj(p.obj.spec).egress).forEach((rule, i) => {
        if (reachesOutside(rule) && allowsHttps(rule)) {
          out.push(finding(p, jsonPath('spec', 'egress', i), `egress rule ${i} lets hub-mode guarded ${pod.ref.kind} '${pod.ref.name}' reach outside the cluster on TCP 443`));
        }
      });
    }
    return out;
  }),
});
