import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { cis, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `windowsHostProcess`. */
export const windowsHostProcess = defineRule({
  id: 'SL-PSS-11',
  title: 'No Windows HostProcess containers',
  severity: RuleSeverity.ERROR,
  rationale: 'A Windows HostProcess container runs directly on the node with privileged access to it.',
  remediation: 'Remove `securityContext.windowsOptions.hostProcess` from the pod and every container, or set it to `false`.',
  references: [...pss('windowsHostProcess'), ...cis('5.2.11'), ...polaris('hostProcess'), ...trivy('KSV103')],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (obj(pod.podSc.windowsOptions).hostProcess === true) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'windowsOptions', 'hostProcess'), 'the pod is a Windows HostProcess pod'));
    }
    for (const c of pod.containers) {
      if (obj(c.sc.windowsOptions).hostProcess === true) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'windowsOptions', 'hostProcess'), `container '${c.name}' is a Windows HostProcess container`));
      }
    }
    return out;
  }),
});
