import { defineRule } from '../internal/define';
import { arr, finding, jsonPath, obj, selectorMatches } from '../internal/manifests';
import { design, kubeLinter, kubeScore } from '../internal/refs';
import { RuleSeverity } from '../rule';

const HOSTNAME = 'kubernetes.io/hostname';

/** Hardened profile: replicas spread over nodes. */
export const antiAffinity = defineRule({
  id: 'SL-HARD-20',
  title: 'Workloads with 2 or more replicas spread them over nodes with pod anti-affinity',
  severity: RuleSeverity.WARNING,
  rationale: 'Replicas on the same node fail together when that node does.',
  remediation: `Add \`spec.affinity.podAntiAffinity\` (preferred or required) with \`topologyKey: ${HOSTNAME}\` and a labelSelector matching the pod's own labels.`,
  references: [...design('§5'), ...kubeScore('deployment-has-host-podantiaffinity', 'statefulset-has-host-podantiaffinity'), ...kubeLinter('no-anti-affinity')],
  check: (set) => {
    const pods = set.pods.filter((p) => (p.replicas ?? 0) >= 2);
    if (pods.length === 0) return undefined;
    return pods.filter((pod) => {
      const anti = obj(obj(pod.spec.affinity).podAntiAffinity);
      const terms = [
        ...arr(anti.requiredDuringSchedulingIgnoredDuringExecution),
        ...arr(anti.preferredDuringSchedulingIgnoredDuringExecution).map((w) => obj(w).podAffinityTerm),
      ].map(obj);
      return !terms.some((t) => t.topologyKey === HOSTNAME && t.labelSelector && selectorMatches(t.labelSelector, pod.labels));
    }).map((pod) => finding(pod.ref, jsonPath(pod.specPath, 'affinity', 'podAntiAffinity'), `${pod.ref.kind} '${pod.ref.name}' has ${pod.replicas} replicas and no pod anti-affinity on ${HOSTNAME}`));
  },
});
