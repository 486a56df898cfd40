import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { checkov, cis, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS restricted `capabilities_restricted` (replaces SL-PSS-3; Windows pods exempt). */
export const capabilitiesRestricted = defineRule({
  id: 'SL-PSS-17',
  title: 'Containers drop ALL capabilities and add at most NET_BIND_SERVICE',
  severity: RuleSeverity.ERROR,
  rationale: 'The runtime\'s default capability set (e.g. NET_RAW, CHOWN, SETUID) is more than almost any application needs and widens every exploit.',
  remediation: 'Set `securityContext.capabilities.drop: [ALL]` on every container; `capabilities.add` may contain only `NET_BIND_SERVICE`.',
  references: [
    ...pss('capabilities_restricted', 'capabilities_baseline'), ...cis('5.2.8', '5.2.9', '5.2.10'), ...polaris('insecureCapabilities', 'dangerousCapabilities'),
    ...kubescape('C-0046'), ...checkov('CKV_K8S_28', 'CKV_K8S_37'), ...trivy('KSV003', 'KSV106'),
  ],
  relaxedBy: [RelaxationName.ADD_CAPABILITIES],
  check: (set) => perPod(set, (pod) => {
    if (pod.windows) return [];
    const out: RuleFindingList = [];
    for (const c of pod.containers) {
      const caps = obj(c.sc.capabilities);
      if (!arr(caps.drop).includes('ALL')) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'capabilities', 'drop'), `container '${c.name}' does not drop ALL capabilities`));
      }
      arr(caps.add).forEach((cap, i) => {
        if (cap !== 'NET_BIND_SERVICE') {
          out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'capabilities', 'add', i), `container '${c.name}' adds capability '${cap}'; only NET_BIND_SERVICE is allowed`));
        }
      });
    }
    return out;
  }),
});
