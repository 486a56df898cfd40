import { defineRule } from '../internal/define';
import { finding, jsonPath, obj, ObjectRef, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Label cdk8s-plus puts in selectors: a hash of the construct path. */
export const CONSTRUCT_PATH_LABEL = 'cdk8s.io/metadata.addr';
/** The stable label selectors must use. */
export const NAME_LABEL = 'app.kubernetes.io/name';

/** The kinds whose `spec.selector` (`spec.podSelector` for NetworkPolicy) is a label selector. */
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'PodDisruptionBudget', 'NetworkPolicy']);

/** Where each kind keeps its label selector, and whether it is a plain map (Service). */
function selectorOf(ref: ObjectRef): { path: string; labels: { [key: string]: unknown }; exprKeys: string[] } | undefined {
  const spec = obj(ref.obj.spec);
  if (ref.kind === 'Service') {
    return spec.selector ? { path: 'spec.selector', labels: obj(spec.selector), exprKeys: [] } : undefined;
  }
  const field = ref.kind === 'NetworkPolicy' ? 'podSelector' : 'selector';
  if (!SELECTOR_KINDS.has(ref.kind) || !spec[field]) return undefined;
  const sel = obj(spec[field]);
  const exprKeys = (Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []).map((e: any) => String(obj(e).key));
  return { path: jsonPath('spec', field, 'matchLabels'), labels: obj(sel.matchLabels), exprKeys };
}

/** Hardened profile: selectors on stable, user-controlled labels. */
export const stableSelectors = defineRule({
  id: 'SL-HARD-17',
  title: 'Selectors use app.kubernetes.io/name, never a construct-path hash',
  severity: RuleSeverity.WARNING,
  rationale: 'Workload selectors are immutable: a selector on a construct-path hash changes when the construct moves, and the next apply fails or orphans pods.',
  remediation: `Select pods by \`${NAME_LABEL}\` (plus \`app.kubernetes.io/component\`) and remove \`${CONSTRUCT_PATH_LABEL}\` from every selector.`,
  references: [...design('§5')],
  check: (set) => {
    const refs = set.objects.map((ref) => ({ ref, sel: selectorOf(ref) })).filter((x) => x.sel !== undefined);
    if (refs.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const { ref, sel } of refs) {
      if (!sel) continue;
      if (CONSTRUCT_PATH_LABEL in sel.labels || sel.exprKeys.includes(CONSTRUCT_PATH_LABEL)) {
        out.push(finding(ref, jsonPath(sel.path, CONSTRUCT_PATH_LABEL), `${ref.kind} '${ref.name}' selects on the construct-path hash ${CONSTRUCT_PATH_LABEL}`));
      }
      const needsName = ref.kind !== 'NetworkPolicy' && ref.kind !== 'PodDisruptionBudget';
      if (needsName && !(NAME_LABEL in sel.labels)) {
        out.push(finding(ref, jsonPath(sel.path, NAME_LABEL), `${ref.kind} '${ref.name}' does not select on ${NAME_LABEL}`));
      }
    }
    return out;
  },
});
