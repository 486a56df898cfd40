import { KubernetesVersion } from '../../target/kubernetes-version';
import { defineRule, perPod } from '../internal/define';
import { polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';
import { procMount, unmaskedProcMounts } from './proc-mount';

/**
 * PSS restricted `procMount_restricted` (policy v1.35 and newer): the
 * procMount check without the baseline's exemption of user-namespaced pods;
 * replaces SL-PSS-8 in a pack that holds both.
 */
export const procMountRestricted = defineRule({
  id: 'SL-PSS-19',
  title: 'Containers keep the default /proc mask, user-namespaced pods too',
  severity: RuleSeverity.ERROR,
  rationale: 'An unmasked /proc exposes kernel interfaces that the default mask hides from containers; the restricted level keeps the mask even in a pod with its own user namespace.',
  remediation: 'Remove `securityContext.procMount` or set it to `Default`, whatever `spec.hostUsers` says.',
  references: [...pss('procMount_restricted', 'procMount'), ...polaris('procMount'), ...trivy('KSV027')],
  since: KubernetesVersion.V1_35,
  replaces: { rule: procMount, from: KubernetesVersion.V1_35 },
  check: (set) => perPod(set, unmaskedProcMounts),
});
