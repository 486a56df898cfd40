import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, cis, kubeLinter, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `hostNamespaces`: no hostNetwork, hostPID or hostIPC. */
export const hostNamespaces = defineRule({
  id: 'SL-PSS-1',
  title: 'Pods do not share the host network, PID or IPC namespace',
  severity: RuleSeverity.ERROR,
  rationale: 'A pod in a host namespace sees the node\'s network interfaces, processes or shared memory and can attack the node and every other pod on it.',
  remediation: 'Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec, or set them to `false`.',
  references: [
    ...pss('hostNamespaces'), ...cis('5.2.3', '5.2.4', '5.2.5'), ...polaris('hostNetworkSet', 'hostPIDSet', 'hostIPCSet'),
    ...kubescape('C-0038', 'C-0041'), ...checkov('CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19'), ...trivy('KSV008', 'KSV009', 'KSV010'),
    ...kubeLinter('host-network', 'host-pid', 'host-ipc'),
  ],
  check: (set) => perPod(set, (pod) => ['hostNetwork', 'hostPID', 'hostIPC']
    .filter((field) => pod.spec[field] === true)
    .map((field) => finding(pod.ref, jsonPath(pod.specPath, field), `${field} is true: the pod shares the node's ${field.slice(4)} namespace`))),
});
