import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { latchPods } from '../internal/latch';
import { arr, finding, jsonPath, obj, policiesSelecting, policyTypes, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** No egress rule selecting a sidecar-guarded pod allows every destination on every port. */
export const sidecarEgressBounded = defineRule({
  id: 'SL-LATCH-10',
  title: 'No NetworkPolicy gives sidecar-guarded pods allow-all egress',
  severity: RuleSeverity.ERROR,
  rationale: 'NetworkPolicies add up: one egress rule without `to` and without `ports` (e.g. `podSelector: {}`, `egress: [{}]`) undoes the latch\'s egress policy, which lets the pod reach DNS and the Latch API only, so the app could talk to any Latch endpoint or exfiltrate what it reads.',
  remediation: 'Remove the allow-all egress rule (no `to` and no `ports`) from every policy selecting the guarded pods, or give it the peers and ports the application really needs.',
  references: [...design('§4', '§7')],
  check: (set) => {
    const pods = latchPods(set).filter((lp) => lp.mode === SuperlatchKeys.MODE_SIDECAR);
    if (pods.length === 0) return undefined;
    const out: RuleFindingList = [];
    const seen = new Set<string>();
    for (const { pod } of pods) {
      for (const p of policiesSelecting(set, pod)) {
        if (!policyTypes(p.obj).includes('Egress')) continue;
        arr(obj(p.obj.spec).egress).forEach((rule, i) => {
          const r = obj(rule);
          if (arr(r.to).length > 0 || arr(r.ports).length > 0) return;
          const key = `${p.index}/${i}`;
          if (seen.has(key)) return;
          seen.add(key);
          out.push(finding(p, jsonPath('spec', 'egress', i), `egress rule ${i} of NetworkPolicy '${p.name}' allows every destination and port to sidecar-guarded ${pod.ref.kind} '${pod.ref.name}'`));
        });
      }
    }
    return out;
  },
});
