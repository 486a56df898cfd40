import { securityContextWeakenings } from './weakening';

/** A pod template with one container `app`. */
function template(pod: any = {}, container: any = {}, annotations?: any): any {
  return { metadata: { labels: { app: 'x' }, annotations }, spec: { ...pod, containers: [{ name: 'app', image: 'app:1', ...container }] } };
}

const strict = template(
  { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: 'RuntimeDefault' } } },
  { securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } } },
  { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' },
);

test('an identical or stricter hardened template has no weakening', () => {
  expect(securityContextWeakenings(strict, strict)).toEqual([]);
  const stricter = template(
    { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } },
    { securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true } },
    { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/x' },
  );
  expect(securityContextWeakenings(strict, stricter)).toEqual([]);
});

test('a permissive upstream has nothing to lose', () => {
  expect(securityContextWeakenings(template(), template({}, { securityContext: { readOnlyRootFilesystem: false } }))).toEqual([]);
});

test('every weakened field is listed, at the pod and per container', () => {
  // GIVEN the strict upstream  WHEN the hardened template loses or flips every setting
  const weak = template(
    { automountServiceAccountToken: true, hostPID: true, securityContext: { runAsUser: 0, seccompProfile: { type: 'Unconfined' }, sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] } },
    { securityContext: { readOnlyRootFilesystem: false, privileged: true, capabilities: { drop: ['NET_RAW'], add: ['SYS_ADMIN'] } } },
    { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' },
  );
  // THEN each one is reported with both values
  expect(securityContextWeakenings(strict, weak)).toEqual([
    { path: 'spec.automountServiceAccountToken', upstream: false, hardened: true },
    { path: 'spec.hostPID', upstream: undefined, hardened: true },
    { path: 'spec.securityContext.runAsNonRoot', upstream: true, hardened: undefined },
    { path: 'spec.securityContext.runAsUser', upstream: 999, hardened: 0 },
    { path: 'spec.securityContext.seccompProfile', upstream: { type: 'RuntimeDefault' }, hardened: { type: 'Unconfined' } },
    { path: 'spec.securityContext.sysctls[net.ipv4.ip_forward]', upstream: undefined, hardened: 'set' },
    { path: 'spec.containers[app].securityContext.runAsNonRoot', upstream: true, hardened: undefined },
    { path: 'spec.containers[app].securityContext.runAsUser', upstream: 999, hardened: 0 },
    { path: 'spec.containers[app].securityContext.seccompProfile', upstream: { type: 'RuntimeDefault' }, hardened: { type: 'Unconfined' } },
    { path: 'spec.containers[app].securityContext.readOnlyRootFilesystem', upstream: true, hardened: false },
    { path: 'spec.containers[app].securityContext.allowPrivilegeEscalation', upstream: false, hardened: undefined },
    { path: 'spec.containers[app].securityContext.privileged', upstream: false, hardened: true },
    { path: 'spec.containers[app].securityContext.capabilities[ALL]', upstream: 'removed', hardened: 'granted' },
    { path: 'spec.containers[app].securityContext.capabilities[SYS_ADMIN]', upstream: 'removed', hardened: 'granted' },
    { path: 'spec.containers[app] AppArmor', upstream: 'runtime/default', hardened: 'unconfined' },
  ]);
});

test('a container inherits the pod securityContext: repeating the value is fine, a weaker override is reported', () => {
  const pod = { securityContext: { runAsNonRoot: true } };
  const upstream = template(pod);
  expect(securityContextWeakenings(upstream, template(pod, { securityContext: { runAsNonRoot: true } }))).toEqual([]);
  expect(securityContextWeakenings(upstream, template(pod, { securityContext: { runAsNonRoot: false } }))).toEqual([
    { path: 'spec.containers[app].securityContext.runAsNonRoot', upstream: true, hardened: false },
  ]);
});

test('a named dropped capability may be covered by drop ALL, but not re-added', () => {
  const upstream = template({}, { securityContext: { capabilities: { drop: ['NET_RAW'] } } });
  expect(securityContextWeakenings(upstream, template({}, { securityContext: { capabilities: { drop: ['ALL'] } } }))).toEqual([]);
  expect(securityContextWeakenings(upstream, template({}, { securityContext: { capabilities: { drop: ['ALL'], add: ['CAP_NET_RAW'] } } }))).toEqual([
    { path: 'spec.containers[app].securityContext.capabilities[NET_RAW]', upstream: 'removed', hardened: 'granted' },
  ]);
});

test('an upstream container missing from the hardened pod is reported; containers match by name, not position', () => {
  const two = (first: string, second: string) => ({
    spec: { initContainers: [{ name: 'init', securityContext: { readOnlyRootFilesystem: true } }], containers: [{ name: first }, { name: second }] },
  });
  expect(securityContextWeakenings(two('a', 'b'), two('b', 'a'))).toEqual([]);
  expect(securityContextWeakenings(two('a', 'b'), { spec: { containers: [{ name: 'a' }] } })).toEqual([
    { path: 'spec.initContainers[init]', upstream: 'present', hardened: undefined },
    { path: 'spec.containers[b]', upstream: 'present', hardened: undefined },
  ]);
});
