import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { checkov, design, kubeScore, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: runAsNonRoot on the pod and on each container, so moving a container keeps it. */
export const runAsNonRootExplicit = defineRule({
  id: 'SL-HARD-1',
  title: 'runAsNonRoot is true on the pod and on every container',
  severity: RuleSeverity.WARNING,
  rationale: 'Setting it at both levels keeps a container non-root when it is copied into another pod spec or the pod-level context is edited.',
  remediation: 'Set `runAsNonRoot: true` in `spec.securityContext` and in every container\'s `securityContext`.',
  references: [...design('§5'), ...polaris('runAsRootAllowed'), ...checkov('CKV_K8S_23'), ...kubeScore('container-security-context-user-group-id')],
  relaxedBy: [RelaxationName.RUN_AS_ROOT],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (pod.podSc.runAsNonRoot !== true) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'runAsNonRoot'), pod.podSc.runAsNonRoot === false
        ? 'the pod sets runAsNonRoot: false, so it may run as root' : 'the pod does not set runAsNonRoot: true'));
    }
    for (const c of pod.containers) {
      if (c.sc.runAsNonRoot !== true) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'runAsNonRoot'), c.sc.runAsNonRoot === false
          ? `container '${c.name}' sets runAsNonRoot: false, so it may run as root` : `container '${c.name}' does not set runAsNonRoot: true`));
      }
    }
    return out;
  }),
});
