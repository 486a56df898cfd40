import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { kubescape, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/**
 * Volume sources PSS restricted allows. `image` is accepted by the current
 * pod-security-admission code for every policy version.
 */
export const RESTRICTED_VOLUME_SOURCES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret', 'image',
];

/** PSS restricted `restrictedVolumes` (replaces SL-PSS-4). */
export const restrictedVolumes = defineRule({
  id: 'SL-PSS-12',
  title: 'Pods use only ephemeral, projected or claim-based volume types',
  severity: RuleSeverity.ERROR,
  rationale: 'Other volume types (hostPath, NFS, cloud disks, iSCSI...) reach node or infrastructure storage directly, outside the controls of PersistentVolumeClaims.',
  remediation: `Use only ${RESTRICTED_VOLUME_SOURCES.join(', ')} volumes; move other storage behind a PersistentVolumeClaim.`,
  references: [...pss('restrictedVolumes', 'hostPathVolumes'), ...kubescape('C-0048'), ...trivy('KSV028', 'KSV023')],
  check: (set) => perPod(set, (pod) => arr(pod.spec.volumes).flatMap((v, i) => {
    // A volume with no source is defaulted to emptyDir by the API server.
    const sources = Object.keys(obj(v)).filter((k) => k !== 'name' && obj(v)[k] !== null && obj(v)[k] !== undefined);
    return sources.filter((k) => !RESTRICTED_VOLUME_SOURCES.includes(k))
      .map((k) => finding(pod.ref, jsonPath(pod.specPath, 'volumes', i, k), `volume '${obj(v).name}' uses the restricted volume type '${k}'`));
  })),
});
