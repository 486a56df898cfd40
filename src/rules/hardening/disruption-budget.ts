import { defineRule } from '../internal/define';
import { finding, jsonPath, obj, selectorMatches } from '../internal/manifests';
import { design, kubeScore, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: replicated workloads get a PodDisruptionBudget. */
export const disruptionBudget = defineRule({
  id: 'SL-HARD-19',
  title: 'Workloads with 2 or more replicas are covered by a PodDisruptionBudget',
  severity: RuleSeverity.WARNING,
  rationale: 'Without a PodDisruptionBudget a node drain may evict every replica at once.',
  remediation: 'Add a PodDisruptionBudget in the same namespace whose selector matches the pod template labels (e.g. `maxUnavailable: 1`).',
  references: [...design('§5'), ...kubeScore('deployment-has-poddisruptionbudget', 'statefulset-has-poddisruptionbudget'), ...polaris('missingPodDisruptionBudget')],
  check: (set) => {
    const pods = set.pods.filter((p) => (p.replicas ?? 0) >= 2);
    if (pods.length === 0) return undefined;
    const budgets = set.ofKind('PodDisruptionBudget');
    return pods
      .filter((pod) => !budgets.some((b) => b.namespace === pod.ref.namespace && obj(b.obj.spec).selector
        && selectorMatches(obj(b.obj.spec).selector, pod.labels)))
      .map((pod) => finding(pod.ref, jsonPath('spec', 'replicas'), `${pod.ref.kind} '${pod.ref.name}' has ${pod.replicas} replicas and no PodDisruptionBudget selects its pods`));
  },
});
