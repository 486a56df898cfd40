import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { checkov, design, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: nothing added on top of `drop: [ALL]` (SL-PSS-17 checks the drop). */
export const noAddedCapabilities = defineRule({
  id: 'SL-HARD-6',
  title: 'Containers add no capabilities',
  severity: RuleSeverity.WARNING,
  rationale: 'Even NET_BIND_SERVICE, which PSS restricted allows, is unnecessary for ports of 1024 and above.',
  remediation: 'Remove `securityContext.capabilities.add` and listen on a port of 1024 or above.',
  references: [...design('§5'), ...checkov('CKV_K8S_25', 'CKV_K8S_37'), ...trivy('KSV022')],
  relaxedBy: [RelaxationName.ADD_CAPABILITIES],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => arr(obj(c.sc.capabilities).add).length > 0)
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'capabilities', 'add'),
      `container '${c.name}' adds capabilities: ${arr(obj(c.sc.capabilities).add).join(', ')}`))),
});
