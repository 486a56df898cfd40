import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { arr, finding, jsonPath, obj } from '../internal/manifests';
import { design, kubeLinter, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: container ports of 1024 and above. */
export const unprivilegedPorts = defineRule({
  id: 'SL-HARD-9',
  title: 'Containers listen on ports of 1024 and above',
  severity: RuleSeverity.WARNING,
  rationale: 'Ports below 1024 need NET_BIND_SERVICE or root; a Service can still expose port 80 or 443 in front of a high container port.',
  remediation: 'Change `containerPort` to 1024 or above and map the well-known port in the Service (`port: 443, targetPort: 8443`).',
  references: [...design('§5'), ...kubeLinter('privileged-ports'), ...trivy('KSV117')],
  relaxedBy: [RelaxationName.PRIVILEGED_PORTS],
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => arr(c.c.ports)
    .map((p, i) => ({ port: obj(p).containerPort, i }))
    .filter(({ port }) => typeof port === 'number' && port < 1024)
    .map(({ port, i }) => finding(pod.ref, jsonPath(c.path, 'ports', i, 'containerPort'), `container '${c.name}' listens on privileged port ${port}`)))),
});
