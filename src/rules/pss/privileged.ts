import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, cis, kubeLinter, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `privileged`. */
export const privileged = defineRule({
  id: 'SL-PSS-2',
  title: 'Containers are not privileged',
  severity: RuleSeverity.ERROR,
  rationale: 'A privileged container has every capability and all host devices: it is root on the node.',
  remediation: 'Remove `securityContext.privileged` from every container or set it to `false`.',
  references: [
    ...pss('privileged'), ...cis('5.2.2'), ...polaris('runAsPrivileged'), ...kubescape('C-0057'), ...checkov('CKV_K8S_16'),
    ...trivy('KSV017'), ...kubeLinter('privileged-container'),
  ],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => c.sc.privileged === true)
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'privileged'), `container '${c.name}' is privileged`))),
});
