import { defineRule } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
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
    return pods
      .filter((pod) => set.selecting('PodDisruptionBudget', 'selector', pod).length === 0)
      .map((pod) => finding(pod.ref, jsonPath('spec', 'replicas'), `${pod.ref.kind} '${pod.ref.name}' has ${pod.replicas} replicas and no PodDisruptionBudget selects its pods`));
  },
});
