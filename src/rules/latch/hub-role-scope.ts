import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { arr, finding, jsonPath, obj, ObjectRef, RuleFindingList } from '../internal/manifests';
import { cis, design } from '../internal/refs';
import { RuleSeverity } from '../rule';

const VERBS = ['get', 'update', 'patch'];

function roleFindings(role: ObjectRef): RuleFindingList {
  const out: RuleFindingList = [];
  if (role.kind === 'ClusterRole') {
    return [finding(role, 'kind', `the latch agent's ClusterRole '${role.name}' grants cluster-wide access; use a namespaced Role`)];
  }
  const rules = arr(role.obj.rules).map(obj);
  if (rules.length !== 1) {
    out.push(finding(role, 'rules', `Role '${role.name}' has ${rules.length} rules; the latch agent needs exactly one`));
  }
  rules.forEach((rule, i) => {
    const base = jsonPath('rules', i);
    const groups = arr(rule.apiGroups);
    if (groups.length !== 1 || groups[0] !== '') {
      out.push(finding(role, jsonPath(base, 'apiGroups'), `rule ${i} must target only the core API group ("")`));
    }
    const resources = arr(rule.resources);
    if (resources.length !== 1 || resources[0] !== 'configmaps') {
      out.push(finding(role, jsonPath(base, 'resources'), `rule ${i} must target only configmaps (has ${resources.join(', ') || 'none'})`));
    }
    const verbs = arr(rule.verbs);
    const extra = verbs.filter((v) => !VERBS.includes(v));
    if (verbs.length === 0 || extra.length > 0) {
      out.push(finding(role, jsonPath(base, 'verbs'), `rule ${i} may only grant ${VERBS.join(', ')}${extra.length ? ` (has ${extra.join(', ')})` : ''}`));
    }
    const names = arr(rule.resourceNames);
    if (names.length !== 1) {
      out.push(finding(role, jsonPath(base, 'resourceNames'), `rule ${i} must name exactly one ConfigMap in resourceNames (has ${names.length})`));
    }
    if (arr(rule.nonResourceURLs).length > 0) {
      out.push(finding(role, jsonPath(base, 'nonResourceURLs'), `rule ${i} grants non-resource URLs`));
    }
  });
  return out;
}

/** The hub agent's Role is limited to its one status ConfigMap. */
export const hubRoleScope = defineRule({
  id: 'SL-LATCH-5',
  title: 'The latch agent\'s Role may only get, update and patch one named ConfigMap',
  severity: RuleSeverity.ERROR,
  rationale: 'The hub agent holds an API token; limited to one ConfigMap by resourceNames, a stolen token can change only the status it already controls.',
  remediation: 'Give the agent a namespaced Role with one rule: `apiGroups: [""]`, `resources: [configmaps]`, `verbs: [get, update, patch]`, `resourceNames: [<status ConfigMap>]`.',
  references: [...design('§4', '§7'), ...cis('5.1.3')],
  check: (set) => {
    const roles = [...set.ofKind('Role'), ...set.ofKind('ClusterRole')]
      .filter((r) => obj(obj(r.obj.metadata).labels)[SuperlatchKeys.ROLE_LABEL] === SuperlatchKeys.ROLE_AGENT);
    if (roles.length === 0) return undefined;
    return roles.sort((a, b) => a.index - b.index).flatMap(roleFindings);
  },
});
