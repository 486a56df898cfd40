import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardeningProfile, NamespaceNetworkBaseline, SeccompProfile, WorkloadNetworkPolicy } from '../../src';
import { allContainers, coverNetwork, errorOf, find, goodContainer, IMAGE, newChart, podSpec, podTemplate, WORKLOAD_MAKERS } from '../util';

/** The invariants of the restricted profile on one rendered workload. */
function expectRestricted(m: any) {
  const spec = podSpec(m);
  expect(spec.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(spec.automountServiceAccountToken).toBe(false);
  for (const c of allContainers(m)) {
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    });
    for (const kind of ['requests', 'limits']) {
      expect(Object.keys(c.resources[kind]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    }
  }
  expect(JSON.stringify(m)).not.toContain('cdk8s.io/metadata.addr');
}

describe('every cdk8s-plus workload kind', () => {
  test.each(WORKLOAD_MAKERS)('%s gets the restricted profile', (kind, make) => {
    const { chart } = newChart();
    const w = make(chart);
    coverNetwork(chart, w);
    Harden.workload(w);
    const m = find(Testing.synth(chart), kind, 'w');
    expectRestricted(m);
    expect(podTemplate(m).metadata.labels['app.kubernetes.io/name']).toBe('w');
  });
});

test('a raw ApiObject workload is hardened like a cdk8s-plus one', () => {
  const { chart } = newChart();
  coverNetwork(chart, new ApiObject(chart, 'raw', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'raw' },
    spec: { containers: [{ name: 'c', image: IMAGE, livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/', port: 8080 } } }] },
  }));
  Harden.chart(chart);
  expectRestricted(find(Testing.synth(chart), 'Pod', 'raw'));
});

describe('Harden.chart', () => {
  test('hardens workloads added after the call, and leaves non-workloads alone', () => {
    const { chart } = newChart();
    Harden.chart(chart);
    coverNetwork(chart, new kplus.Deployment(chart, 'late', { metadata: { name: 'late' }, containers: [goodContainer()] }));
    new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'cm' }, data: { a: 'b' } });
    const out = Testing.synth(chart);
    expectRestricted(find(out, 'Deployment', 'late'));
    expect(find(out, 'ConfigMap', 'cm').metadata.annotations).toBeUndefined();
  });

  test('per-workload options win over the chart profile', () => {
    const { chart } = newChart();
    Harden.chart(chart, { profile: HardeningProfile.restricted({ user: 20000 }) });
    const a = new kplus.Deployment(chart, 'a', { metadata: { name: 'a' }, containers: [goodContainer()] });
    const b = new kplus.Deployment(chart, 'b', { metadata: { name: 'b' }, containers: [goodContainer()] });
    coverNetwork(chart, a, b);
    Harden.workload(a, { profile: HardeningProfile.restricted({ user: 30000 }) });
    const out = Testing.synth(chart);
    expect(podSpec(find(out, 'Deployment', 'a')).securityContext.runAsUser).toBe(30000);
    expect(podSpec(find(out, 'Deployment', 'b')).securityContext.runAsUser).toBe(20000);
  });
});

describe('stable selectors', () => {
  test('Deployment and Service select on app.kubernetes.io labels, not a construct-path hash', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    web.exposeViaService({ name: 'web' });
    coverNetwork(chart, web);
    Harden.workload(web, { component: 'frontend' });
    const out = Testing.synth(chart);
    const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/component': 'frontend' };
    expect(find(out, 'Deployment', 'web').spec.selector.matchLabels).toEqual(labels);
    expect(find(out, 'Service', 'web').spec.selector).toEqual(labels);
    expect(JSON.stringify(out)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('moving a workload under another construct does not change its selector', () => {
    const selectorAt = (parentId?: string) => {
      const { chart } = newChart();
      const scope = parentId ? new kplus.ConfigMap(chart, parentId) : chart;
      const web = new kplus.Deployment(scope, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
      coverNetwork(chart, web);
      Harden.workload(web);
      return find(Testing.synth(chart), 'Deployment', 'web').spec.selector;
    };
    expect(selectorAt('group')).toEqual(selectorAt());
  });

  test.each([
    ['the same name', { name: 'web' }, { name: 'web' }],
    ['a name without component and the same name with one', { name: 'web' }, { name: 'web', component: 'api' }],
  ])('two workloads with overlapping selectors (%s) are an error naming both', (_case, optionsA, optionsB) => {
    const { chart } = newChart();
    const a = new kplus.Deployment(chart, 'a', { metadata: { name: 'a' }, containers: [goodContainer()] });
    const b = new kplus.Deployment(chart, 'b', { metadata: { name: 'b' }, containers: [goodContainer()] });
    Harden.workload(a, optionsA);
    Harden.workload(b, optionsB);
    expect(errorOf(() => Testing.synth(chart))).toMatch(/\[test\/b\] and \[test\/a\] have the same identity in namespace 'apps' .*Fix: give one of them a distinct 'name' or 'component'/);
  });

  test('the same name with distinct components is fine, and the same name in another namespace too', () => {
    const { chart } = newChart();
    const a = new kplus.Deployment(chart, 'a', { metadata: { name: 'a' }, containers: [goodContainer()] });
    const b = new kplus.Deployment(chart, 'b', { metadata: { name: 'b' }, containers: [goodContainer()] });
    const c = new kplus.Deployment(chart, 'c', { metadata: { name: 'c', namespace: 'other' }, containers: [goodContainer()] });
    Harden.workload(a, { name: 'web', component: 'ui' });
    Harden.workload(b, { name: 'web', component: 'api' });
    Harden.workload(c, { name: 'web', component: 'ui' });
    coverNetwork(chart, a, b);
    new NamespaceNetworkBaseline(chart, 'other-default-deny', { namespace: 'other' });
    new WorkloadNetworkPolicy(chart, 'c-policy', { workload: c });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('hardening a workload twice is an error', () => {
    const { chart } = newChart();
    const a = new kplus.Deployment(chart, 'a', { containers: [goodContainer()] });
    Harden.workload(a);
    expect(() => Harden.workload(a)).toThrow(/\[test\/a\] Harden.workload\(\) was already called/);
  });
});

describe('what the profile refuses, with path, field and fix', () => {
  const refuse = (container: Partial<kplus.ContainerProps>, extra: Partial<kplus.DeploymentProps> = {}) => {
    const { chart } = newChart();
    Harden.workload(new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer(container)], ...extra }));
    return errorOf(() => Testing.synth(chart));
  };

  test('a tag-only image when digests are required', () => {
    const msg = refuse({ image: 'nginx:1.27' });
    expect(msg).toContain('[test/web]');
    expect(msg).toContain("spec.template.spec.containers[0].image: [SL-HARD-15] container 'app' image 'nginx:1.27' is not pinned by a sha256 or sha512 digest");
    expect(msg).toContain('Fix: Reference every image as `registry/repo:tag@sha256:<64 hex digits>` or `registry/repo:tag@sha512:<128 hex digits>`');
    expect(msg).toContain('or add Relaxation.tagOnlyImages(reason)');
  });

  test('a container port below 1024 under the restricted preset', () => {
    const msg = refuse({ portNumber: 80 });
    expect(msg).toContain('[test/web]');
    expect(msg).toContain("spec.template.spec.containers[0].ports[0].containerPort: [SL-HARD-9] container 'app' listens on privileged port 80");
    expect(msg).toContain('Relaxation.privilegedPorts(reason)');
  });

  test('a name over 63 characters', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
    expect(() => Harden.workload(web, { name: 'x'.repeat(64) })).toThrow(/\[test\/web\]: name \(app.kubernetes.io\/name\) 'x{64}' is not a valid label value \(at most 63 characters.*Fix: shorten or rename it/);
  });

  test('identical liveness and readiness probes', () => {
    const probe = kplus.Probe.fromTcpSocket({ port: 8080 });
    expect(refuse({ liveness: probe, readiness: probe })).toContain("containers[0].livenessProbe: [SL-HARD-14] container 'app' uses the same probe for liveness and readiness");
  });

  test('an explicitly writable root filesystem, naming the relaxation to use', () => {
    expect(refuse({ securityContext: { readOnlyRootFilesystem: false } })).toContain('[SL-HARD-5] container \'app\' has a writable root filesystem. Fix: Set `securityContext.readOnlyRootFilesystem: true` on every container and mount small `emptyDir` volumes for the paths it must write (e.g. /tmp), or add Relaxation.writableRootFilesystem(reason)');
  });

  test('a user id at or below 10000 set on a container', () => {
    expect(refuse({ securityContext: { user: 1000 } })).toContain("containers[0].securityContext.runAsUser: [SL-HARD-2] container 'app' sets runAsUser 1000, not above 10000");
  });

  test('host network', () => {
    expect(refuse({}, { hostNetwork: true })).toContain("spec.template.spec.hostNetwork: [SL-PSS-1] hostNetwork is true: the pod shares the node's Network namespace");
  });

  test('a non-workload is refused at the call', () => {
    const { chart } = newChart();
    const cm = new kplus.ConfigMap(chart, 'cm');
    expect(() => Harden.workload(cm)).toThrow(/\[test\/cm\] is a ConfigMap, not a workload/);
  });
});

describe('profile options', () => {
  test('a Localhost seccomp profile is rendered at pod and container level', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    coverNetwork(chart, web);
    Harden.workload(web, { profile: HardeningProfile.restricted({ seccompProfile: SeccompProfile.localhost('operator/web.json') }) });
    const m = find(Testing.synth(chart), 'Deployment', 'web');
    const expected = { type: 'Localhost', localhostProfile: 'operator/web.json' };
    expect(podSpec(m).securityContext.seccompProfile).toEqual(expected);
    expect(podSpec(m).containers[0].securityContext.seccompProfile).toEqual(expected);
  });

  test('a single replica gets no PodDisruptionBudget and no anti-affinity', () => {
    const { chart } = newChart();
    const one = new kplus.Deployment(chart, 'one', { metadata: { name: 'one' }, replicas: 1, containers: [goodContainer()] });
    coverNetwork(chart, one);
    Harden.workload(one);
    const out = Testing.synth(chart);
    expect(out.filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(podSpec(find(out, 'Deployment', 'one')).affinity).toBeUndefined();
  });

  test('an existing mount at /tmp is kept and no tmp volume is added', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    web.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch'));
    coverNetwork(chart, web);
    Harden.workload(web);
    const spec = podSpec(find(Testing.synth(chart), 'Deployment', 'web'));
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['scratch']);
  });

  test('output is deterministic', () => {
    const build = () => {
      const { chart } = newChart();
      const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
      coverNetwork(chart, web);
      Harden.workload(web);
      return JSON.stringify(Testing.synth(chart));
    };
    expect(build()).toBe(build());
  });
});

describe('resource defaults never make a request exceed its limit', () => {
  const rendered = (resources: any) => {
    const { chart } = newChart();
    coverNetwork(chart, new ApiObject(chart, 'raw', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'raw' },
      spec: { containers: [{ name: 'c', image: IMAGE, resources, livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/', port: 8080 } } }] },
    }));
    Harden.chart(chart);
    return () => podSpec(find(Testing.synth(chart), 'Pod', 'raw')).containers[0].resources;
  };

  test('a lone limit below the default request becomes the request too', () => {
    expect(rendered({ limits: { memory: '32Mi', cpu: '50m' } })()).toMatchObject({
      requests: { memory: '32Mi', cpu: '50m' }, limits: { memory: '32Mi', cpu: '50m' },
    });
  });

  test('a lone request above the default limit becomes the limit too', () => {
    expect(rendered({ requests: { memory: '1Gi', cpu: '2' } })()).toMatchObject({
      requests: { memory: '1Gi', cpu: '2' }, limits: { memory: '1Gi', cpu: '2' },
    });
  });

  test('a request above its own limit is refused', () => {
    expect(errorOf(rendered({ requests: { memory: '1Gi' }, limits: { memory: '512Mi' } }))).toContain("containers[0].resources.requests.memory: [SL-HARD-26] container 'c' requests 1Gi of memory, more than its limit 512Mi");
  });
});

describe('construct-path hash selectors are replaced everywhere', () => {
  test('in a Service of another chart, and in the workload\'s own cdk8s-plus spread affinity', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'apps' });
    const b = new Chart(app, 'b', { namespace: 'apps' });
    const web = new kplus.Deployment(a, 'web', { metadata: { name: 'web' }, containers: [goodContainer()], spread: true } as any);
    Harden.workload(web);
    coverNetwork(a, web);
    new kplus.Service(b, 'svc', { metadata: { name: 'svc' }, selector: web, ports: [{ port: 8080 }] });
    Testing.synth(a);
    expect(JSON.stringify(Testing.synth(b))).not.toContain('cdk8s.io/metadata.addr');
    expect(find(Testing.synth(b), 'Service', 'svc').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(JSON.stringify(Testing.synth(a))).not.toContain('cdk8s.io/metadata.addr');
  });

  test('synthesizing twice gives the same output, and a change between the two is included', () => {
    const { app, chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    coverNetwork(chart, web);
    Harden.workload(web);
    const first = JSON.stringify(Testing.synth(chart));
    expect(JSON.stringify(Testing.synth(chart))).toBe(first);
    const late = new kplus.Deployment(chart, 'late', { metadata: { name: 'late' }, containers: [goodContainer()] });
    coverNetwork(chart, late);
    Harden.workload(late);
    expect(podSpec(find(Testing.synth(chart), 'Deployment', 'late')).securityContext.runAsUser).toBe(10001);
    expect(app.charts).toHaveLength(1);
  });
});

test('liveness and readiness probes that differ only in key order are the same probe, for the profile as for SL-HARD-14', () => {
  const { chart } = newChart();
  const probe = (path: string, port: number, order: 'path-first' | 'port-first') => ({ httpGet: order === 'path-first' ? { path, port } : { port, path } });
  const pod = coverNetworked(chart, new ApiObject(chart, 'raw', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'raw' },
    spec: { containers: [{ name: 'c', image: IMAGE, livenessProbe: probe('/ready', 8080, 'path-first'), readinessProbe: probe('/ready', 8080, 'port-first') }] },
  }));
  Harden.workload(pod);
  expect(errorOf(() => Testing.synth(chart))).toContain("spec.containers[0].livenessProbe: [SL-HARD-14] container 'c' uses the same probe for liveness and readiness");
});

function coverNetworked<T extends ApiObject>(chart: Chart, obj: T): T {
  coverNetwork(chart, obj);
  return obj;
}
