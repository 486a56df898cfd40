import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, design, kubeLinter, kubeScore, kubescape, polaris, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: read-only root filesystem. */
export const readOnlyRootFilesystem = defineRule({
  id: 'SL-HARD-5',
  title: 'Containers have a read-only root filesystem',
  severity: RuleSeverity.ERROR,
  rationale: 'A writable root filesystem lets an attacker drop tools, alter binaries or persist changes inside the container.',
  remediation: 'Set `securityContext.readOnlyRootFilesystem: true` on every container and mount small `emptyDir` volumes for the paths it must write (e.g. /tmp).',
  references: [
    ...design('§5'), ...kubeScore('container-security-context-readonlyrootfilesystem'), ...polaris('notReadOnlyRootFilesystem'),
    ...kubescape('C-0017'), ...checkov('CKV_K8S_22'), ...trivy('KSV014'), ...kubeLinter('no-read-only-root-fs'),
  ],
  relaxedBy: [RelaxationName.WRITABLE_ROOT_FILESYSTEM],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => c.sc.readOnlyRootFilesystem !== true)
    .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'readOnlyRootFilesystem'), `container '${c.name}' has a writable root filesystem`))),
});
