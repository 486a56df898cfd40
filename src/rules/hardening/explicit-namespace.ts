import { defineRule } from '../internal/define';
import { CLUSTER_SCOPED_KINDS, finding, RuleFindingList } from '../internal/manifests';
import { checkov, cis, design, kubeLinter, kubescape, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Built-in kinds that are always namespaced: they must name their namespace. */
const NAMESPACED_KINDS = new Set([
  'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'PodTemplate',
  'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'NetworkPolicy', 'PodDisruptionBudget',
  'Ingress', 'PersistentVolumeClaim', 'HorizontalPodAutoscaler', 'LimitRange', 'ResourceQuota', 'Endpoints', 'EndpointSlice', 'Lease',
]);

/** Hardened profile: explicit namespace; never one on cluster-scoped objects. */
export const explicitNamespace = defineRule({
  id: 'SL-HARD-18',
  title: 'Namespaced objects name a namespace other than default; cluster-scoped objects name none',
  severity: RuleSeverity.WARNING,
  rationale: 'Without an explicit namespace the object lands wherever kubectl or the GitOps tool points, often default, next to unrelated workloads and policies.',
  remediation: 'Set `metadata.namespace` on every namespaced object (the chart\'s `namespace` prop does it for all) and remove it from cluster-scoped ones.',
  references: [...design('§5'), ...cis('5.7.4'), ...kubescape('C-0061'), ...checkov('CKV_K8S_21'), ...trivy('KSV110'), ...kubeLinter('use-namespace')],
  check: (set) => {
    if (set.objects.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const ref of set.objects) {
      if (CLUSTER_SCOPED_KINDS.has(ref.kind)) {
        if (ref.namespace !== '') out.push(finding(ref, 'metadata.namespace', `${ref.kind} '${ref.name}' is cluster-scoped but names namespace '${ref.namespace}'`));
      } else if (ref.namespace === 'default') {
        out.push(finding(ref, 'metadata.namespace', `${ref.kind} '${ref.name}' is in the default namespace`));
      } else if (ref.namespace === '' && NAMESPACED_KINDS.has(ref.kind)) {
        out.push(finding(ref, 'metadata.namespace', `${ref.kind} '${ref.name}' names no namespace`));
      }
    }
    return out;
  },
});
