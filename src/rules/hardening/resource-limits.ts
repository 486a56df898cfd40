import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj } from '../internal/manifests';
import { checkov, design, kubeScore, kubescape, polaris, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** Hardened profile: requests and limits for cpu, memory and ephemeral storage. */
export const resourceLimits = defineRule({
  id: 'SL-HARD-13',
  title: 'Containers set requests and limits for cpu, memory and ephemeral-storage',
  severity: RuleSeverity.ERROR,
  rationale: 'Without limits one container can exhaust the node\'s cpu, memory or disk (a denial of service for every pod on it); without requests the scheduler cannot place it safely.',
  remediation: `Set \`resources.requests\` and \`resources.limits\` for ${RESOURCES.join(', ')} on every container and init container.`,
  references: [
    ...design('§5'), ...kubeScore('container-resources', 'container-ephemeral-storage-request-and-limit'),
    ...polaris('cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing'),
    ...kubescape('C-0009', 'C-0004', 'C-0050'), ...checkov('CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'),
    ...trivy('KSV011', 'KSV015', 'KSV016', 'KSV018'),
  ],
  check: (set) => perPod(set, (pod) => pod.containers
    // ephemeral containers cannot declare resources
    .filter((c) => c.list !== 'ephemeralContainers')
    .flatMap((c) => {
      const res = obj(c.c.resources);
      const missing = ['requests', 'limits'].flatMap((kind) => RESOURCES.filter((r) => obj(res[kind])[r] === undefined).map((r) => `${kind}.${r}`));
      return missing.length === 0 ? [] : [
        finding(pod.ref, jsonPath(c.path, 'resources'), `container '${c.name}' has no ${missing.join(', ')}`),
      ];
    })),
});
