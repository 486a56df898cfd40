import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { cis, kubescape, polaris, pss, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** PSS baseline `hostPathVolumes` (replaced by SL-PSS-12 at restricted). */
export const hostPathVolumes = defineRule({
  id: 'SL-PSS-4',
  title: 'Pods mount no hostPath volume',
  severity: RuleSeverity.ERROR,
  rationale: 'A hostPath volume exposes the node\'s filesystem (container runtime socket, kubelet credentials, other pods\' data) to the pod.',
  remediation: 'Replace the `hostPath` volume with an `emptyDir`, a ConfigMap/Secret, a projected volume or a PersistentVolumeClaim.',
  references: [...pss('hostPathVolumes'), ...cis('5.2.12'), ...polaris('hostPathSet'), ...kubescape('C-0048'), ...trivy('KSV023')],
  check: (set) => perPod(set, (pod) => arr(pod.spec.volumes)
    .map((v, i) => ({ v: obj(v), i }))
    .filter(({ v }) => v.hostPath !== undefined && v.hostPath !== null)
    .map(({ v, i }) => finding(pod.ref, jsonPath(pod.specPath, 'volumes', i, 'hostPath'), `volume '${v.name}' is a hostPath volume`))),
});

