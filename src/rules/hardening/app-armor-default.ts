import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj } from '../internal/manifests';
import { design, kubescape, trivy } from '../internal/refs';
import { APPARMOR_PREFIX } from '../pss/app-armor-profile';
import { RuleSeverity } from '../rule';

function confined(annotation: string | undefined, field: unknown): boolean {
  if (annotation !== undefined) return annotation === 'runtime/default' || annotation.startsWith('localhost/');
  const type = obj(field).type;
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** Hardened profile: AppArmor runtime/default for every container (1.27 annotation). */
export const appArmorDefault = defineRule({
  id: 'SL-HARD-16',
  title: 'Every container has an AppArmor profile (runtime/default or localhost)',
  severity: RuleSeverity.WARNING,
  rationale: 'PSS accepts an unset profile, but on nodes whose runtime does not apply one by default the container then runs unconfined.',
  remediation: `Add the pod-template annotation \`${APPARMOR_PREFIX}<container>: runtime/default\` for every container.`,
  references: [...design('§5'), ...kubescape('C-0055'), ...trivy('KSV002')],
  relaxedBy: [RelaxationName.NO_APPARMOR],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => !confined(pod.annotations[APPARMOR_PREFIX + c.name], c.sc.appArmorProfile ?? pod.podSc.appArmorProfile))
    .map((c) => finding(pod.ref, jsonPath(pod.metaPath, 'annotations', APPARMOR_PREFIX + c.name), `container '${c.name}' has no AppArmor runtime/default or localhost profile`))),
});
