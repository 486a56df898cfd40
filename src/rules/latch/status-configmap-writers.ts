import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { isGuardedHub, isHubMaster, latchPods, volumeOf } from '../internal/latch';
import { arr, finding, jsonPath, obj, ObjectRef, RuleFindingList } from '../internal/manifests';
import { cis, design } from '../internal/refs';
import { RuleSeverity } from '../rule';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', '*'];

/** Does a Role/ClusterRole rule let its holder write the ConfigMap `name`? */
function writesConfigMap(rule: any, name: string): boolean {
  const groups = arr(rule.apiGroups);
  const resources = arr(rule.resources);
  const names = arr(rule.resourceNames);
  return (groups.includes('') || groups.includes('*'))
    && (resources.includes('configmaps') || resources.includes('*'))
    && arr(rule.verbs).some((v) => WRITE_VERBS.includes(v))
    && (names.length === 0 || names.includes(name));
}

/** Only the hub master's ServiceAccount may write the status ConfigMap. */
export const statusConfigMapWriters = defineRule({
  id: 'SL-LATCH-11',
  title: 'Only the hub master may write the latch\'s status ConfigMap',
  severity: RuleSeverity.ERROR,
  rationale: 'The ConfigMap is the status every hub-guarded pod reads: whoever can update it (a Role with write on configmaps, bound to an application ServiceAccount of the namespace) can publish "open" while the phone says locked.',
  remediation: 'Bind write verbs on configmaps in the latch\'s namespace only to the master\'s ServiceAccount; give applications roles with `resourceNames` that exclude the status ConfigMap, or read-only verbs.',
  references: [...design('§4', '§7'), ...cis('5.1.3')],
  check: (set) => {
    // the latch's own ConfigMaps, and whatever ConfigMap hub-guarded pods read their status from
    const read = new Set(latchPods(set).filter(isGuardedHub).flatMap((lp) => {
      const v = lp.statusVolume === undefined ? undefined : volumeOf(lp.pod, lp.statusVolume);
      const name = obj(v?.volume.configMap).name;
      return typeof name === 'string' ? [`${lp.pod.ref.namespace}/${name}`] : [];
    }));
    const statusMaps = set.ofKind('ConfigMap').filter((c) => obj(obj(c.obj.metadata).labels)[SuperlatchKeys.ROLE_LABEL] === SuperlatchKeys.ROLE_AGENT
      || read.has(`${c.namespace}/${c.name}`));
    if (statusMaps.length === 0) return undefined;
    const masterAccounts = new Set(latchPods(set).filter(isHubMaster).map(({ pod }) => `${pod.ref.namespace}/${pod.spec.serviceAccountName ?? 'default'}`));
    const out: RuleFindingList = [];
    for (const binding of set.ofKind('RoleBinding')) {
      const ref = obj(binding.obj.roleRef);
      const role: ObjectRef | undefined = ref.kind === 'ClusterRole'
        ? set.ofKind('ClusterRole').find((r) => r.name === ref.name)
        : set.ofKind('Role').find((r) => r.name === ref.name && r.namespace === binding.namespace);
      if (!role) continue;
      for (const cm of statusMaps.filter((c) => c.namespace === binding.namespace)) {
        if (!arr(role.obj.rules).some((r) => writesConfigMap(obj(r), cm.name))) continue;
        arr(binding.obj.subjects).forEach((s, i) => {
          const subject = obj(s);
          const ns = subject.namespace ?? binding.namespace;
          if (subject.kind === 'ServiceAccount' && masterAccounts.has(`${ns}/${subject.name}`)) return;
          out.push(finding(binding, jsonPath('subjects', i), `RoleBinding '${binding.name}' lets ${subject.kind} '${subject.name}' write ConfigMaps, including the latch status '${cm.name}', through ${role.kind} '${role.name}'`));
        });
      }
    }
    return out;
  },
});
