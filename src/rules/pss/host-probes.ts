import { KubernetesVersion } from '../../target/kubernetes-version';
import { defineRule, perPod } from '../internal/define';
import { ContainerRef, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { pss } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** The probes and lifecycle hooks of a container, by field name. */
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const HOOKS = ['postStart', 'preStop'];
/** The handlers that connect to a host (`exec`, `grpc` and `sleep` do not name one). */
const HANDLERS = ['httpGet', 'tcpSocket'];

function hostFindings(c: ContainerRef, base: string, handler: any, what: string): RuleFindingList {
  return HANDLERS.flatMap((h) => {
    const host = obj(obj(handler)[h]).host;
    if (host === undefined || host === null || host === '') return [];
    return [finding(c.pod.ref, jsonPath(base, h, 'host'), `${what} of container '${c.name}' connects to host '${host}' instead of the pod`)];
  });
}

/** PSS baseline `hostProbesAndHostLifecycle` (policy v1.34 and newer). */
export const hostProbes = defineRule({
  id: 'SL-PSS-18',
  title: 'Probes and lifecycle hooks connect to the pod, not to another host',
  severity: RuleSeverity.ERROR,
  rationale: 'The kubelet runs probes and HTTP/TCP lifecycle hooks from the node: a `host` makes it connect, with the node\'s network identity, to any address the pod names (node-local services, cloud metadata, other tenants).',
  remediation: 'Remove `host` from the `httpGet` and `tcpSocket` handlers of `livenessProbe`, `readinessProbe`, `startupProbe` and `lifecycle.postStart`/`preStop` (or set it to \'\'): the kubelet then connects to the pod\'s IP.',
  references: [...pss('hostProbesAndHostLifecycle')],
  since: KubernetesVersion.V1_34,
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => [
    ...PROBES.flatMap((p) => hostFindings(c, jsonPath(c.path, p), obj(c.c)[p], p)),
    ...HOOKS.flatMap((hook) => hostFindings(c, jsonPath(c.path, 'lifecycle', hook), obj(obj(c.c).lifecycle)[hook], `lifecycle hook ${hook}`)),
  ])),
});
