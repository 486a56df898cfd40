import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { checkov, cis, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `hostPorts`. */
export const hostPorts = defineRule({
  id: 'SL-PSS-5',
  title: 'Containers bind no host port',
  severity: RuleSeverity.ERROR,
  rationale: 'A hostPort opens the port on the node\'s own address, bypassing Services and NetworkPolicies and limiting scheduling.',
  remediation: 'Remove `hostPort` from every entry of `ports` (or set it to 0) and expose the pod through a Service.',
  references: [...pss('hostPorts'), ...cis('5.2.13'), ...polaris('hostPortSet'), ...kubescape('C-0044'), ...checkov('CKV_K8S_26'), ...trivy('KSV024')],
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => arr(c.c.ports)
    .map((p, i) => ({ p: obj(p), i }))
    .filter(({ p }) => p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0)
    .map(({ p, i }) => finding(pod.ref, jsonPath(c.path, 'ports', i, 'hostPort'), `container '${c.name}' binds host port ${p.hostPort}`)))),
});
