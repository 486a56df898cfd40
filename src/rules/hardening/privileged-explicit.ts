import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { design, kubeScore } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: `privileged: false` written out. */
export const privilegedExplicit = defineRule({
  id: 'SL-HARD-4',
  title: 'privileged is explicitly false on every container',
  severity: RuleSeverity.WARNING,
  rationale: 'An explicit false documents intent and survives defaulting by mutating admission webhooks or runtime classes.',
  remediation: 'Set `securityContext.privileged: false` on every container.',
  references: [...design('§5'), ...kubeScore('container-security-context-privileged')],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => c.sc.privileged !== false)
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'privileged'), `container '${c.name}' does not set privileged: false`))),
});
