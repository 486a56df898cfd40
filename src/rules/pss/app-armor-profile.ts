import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { pss } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Annotation prefix of the AppArmor profile of one container (Kubernetes up to 1.29). */
export const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

function allowedField(type: unknown): boolean {
  return type === undefined || type === 'RuntimeDefault' || type === 'Localhost';
}

/** PSS baseline `appArmorProfile`. */
export const appArmorProfile = defineRule({
  id: 'SL-PSS-6',
  title: 'No container runs AppArmor-unconfined',
  severity: RuleSeverity.ERROR,
  rationale: 'Disabling AppArmor removes the mandatory access control that confines what a compromised container can touch on the node.',
  remediation: `Set the \`${APPARMOR_PREFIX}<container>\` annotation to \`runtime/default\` or \`localhost/<profile>\` (or leave it unset); never \`unconfined\`. The \`appArmorProfile.type\` field may only be RuntimeDefault or Localhost.`,
  references: [...pss('appArmorProfile')],
  relaxedBy: [RelaxationName.NO_APPARMOR],
  check: (set) => perPod(set, (pod) => {
    const out: RuleFindingList = [];
    for (const [key, value] of Object.entries(pod.annotations)) {
      if (key.startsWith(APPARMOR_PREFIX) && !allowedAnnotation(value)) {
        out.push(finding(pod.ref, jsonPath(pod.metaPath, 'annotations', key), `AppArmor profile '${value}' of container '${key.slice(APPARMOR_PREFIX.length)}' is not allowed`));
      }
    }
    const podType = obj(pod.podSc.appArmorProfile).type;
    if (!allowedField(podType)) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'appArmorProfile', 'type'), `pod AppArmor profile type '${podType}' is not allowed`));
    }
    for (const c of pod.containers) {
      const type = obj(c.sc.appArmorProfile).type;
      if (!allowedField(type)) {
        out.push(finding(pod.ref, jsonPath(c.path, 'securityContext', 'appArmorProfile', 'type'), `container '${c.name}' AppArmor profile type '${type}' is not allowed`));
      }
    }
    return out;
  }),
});
