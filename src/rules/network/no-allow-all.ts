import { defineRule } from '../internal/define';
import { arr, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { isDnsOnly, peers } from '../internal/network';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

const ANY_CIDR = ['0.0.0.0/0', '::/0'];

/** No rule opens a direction to every peer. */
export const noAllowAll = defineRule({
  id: 'SL-NET-4',
  title: 'NetworkPolicy rules name their peers (no allow-all, no 0.0.0.0/0)',
  severity: RuleSeverity.WARNING,
  rationale: 'A rule without peers, or with 0.0.0.0/0, allows every pod and address: the policy then documents nothing and blocks nothing in that direction.',
  remediation: 'List the peers (podSelector, namespaceSelector or the narrowest ipBlock CIDRs) in every `from`/`to`; DNS-only egress rules are exempt.',
  references: [...design('§5')],
  check: (set) => {
    const policies = set.ofKind('NetworkPolicy');
    if (policies.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const p of policies) {
      const spec = obj(p.obj.spec);
      for (const [field, direction] of [['ingress', 'from'], ['egress', 'to']] as Array<['ingress' | 'egress', 'from' | 'to']>) {
        arr(spec[field]).forEach((rule, i) => {
          if (field === 'egress' && isDnsOnly(rule)) return;
          const list = peers(rule, direction);
          if (list.length === 0) {
            out.push(finding(p, jsonPath('spec', field, i), `NetworkPolicy '${p.name}' ${field} rule ${i} allows every peer`));
          }
          list.forEach((peer, j) => {
            if (ANY_CIDR.includes(obj(peer.ipBlock).cidr)) {
              out.push(finding(p, jsonPath('spec', field, i, direction, j, 'ipBlock', 'cidr'), `NetworkPolicy '${p.name}' ${field} rule ${i} allows ${obj(peer.ipBlock).cidr}`));
            }
          });
        });
      }
    }
    return out;
  },
});
