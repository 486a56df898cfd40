import { Size, Testing } from 'cdk8s';
import { HardenedNamespace } from '../../src/namespace/hardened-namespace';
import { NamespaceLimitRange } from '../../src/namespace/namespace-limit-range';
import { NamespaceResourceQuota } from '../../src/namespace/namespace-resource-quota';
import { expectNoFindings } from '../judges';
import { errorOf, find, newChart } from '../util';

jest.setTimeout(60_000);

function synthNamespace(props: Partial<ConstructorParameters<typeof HardenedNamespace>[2]> = {}) {
  const { chart } = newChart('apps');
  new HardenedNamespace(chart, 'ns', { name: 'team', ...props });
  return Testing.synth(chart);
}

describe('HardenedNamespace with quota and limit range', () => {
  // GIVEN a namespace with every option of the issue
  const manifests = synthNamespace({
    quota: { requestsCpu: '4', limitsCpu: '8', requestsMemory: Size.gibibytes(8), limitsMemory: Size.gibibytes(16), pods: 50 },
    limitRange: { maxCpu: '2', maxMemory: Size.gibibytes(2), maxEphemeralStorage: Size.gibibytes(1) },
    labels: { 'policy.sigstore.dev/include': 'true' },
  });

  test('the manifests match the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('the quota totals are rendered as quantities, and LoadBalancer / NodePort services default to 0', () => {
    const quota = find(manifests, 'ResourceQuota', 'namespace-quota');
    expect(quota.metadata.namespace).toBe('team');
    expect(quota.spec.hard).toEqual({
      'limits.cpu': '8',
      'limits.memory': '16384Mi',
      'pods': '50',
      'requests.cpu': '4',
      'requests.memory': '8192Mi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  test('the limit range gives containers the hardened profile defaults for cpu, memory and ephemeral-storage, with maximums', () => {
    const lr = find(manifests, 'LimitRange', 'container-defaults');
    expect(lr.metadata.namespace).toBe('team');
    expect(lr.spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' },
      default: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
      max: { 'cpu': '2', 'memory': '2048Mi', 'ephemeral-storage': '1024Mi' },
    }]);
  });

  test('extra labels are added next to the pinned Pod Security Admission labels', () => {
    const ns = find(manifests, 'Namespace', 'team');
    expect(ns.metadata.labels).toMatchObject({
      'policy.sigstore.dev/include': 'true',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.27',
    });
  });

  test('the Namespace has no namespace; every other object is in the new namespace', () => {
    for (const m of manifests) {
      if (m.kind === 'Namespace') expect(m.metadata.namespace).toBeUndefined();
      else expect(m.metadata.namespace).toBe('team');
    }
  });

  test('zero findings from the schema, Monokle and Polaris judges', async () => {
    await expectNoFindings(manifests);
  });
});

describe('defaults', () => {
  test('no ResourceQuota and no LimitRange unless asked for', () => {
    const kinds = synthNamespace().map((m) => m.kind).sort();
    expect(kinds).toEqual(['Namespace', 'NetworkPolicy', 'NetworkPolicy']);
  });

  test('an empty quota still forbids LoadBalancer and NodePort services', () => {
    const quota = find(synthNamespace({ quota: {} }), 'ResourceQuota');
    expect(quota.spec.hard).toEqual({ 'services.loadbalancers': '0', 'services.nodeports': '0' });
  });

  test('an empty limit range uses the values of the hardened profile, and custom defaults replace them', () => {
    const custom = find(synthNamespace({ limitRange: { containerDefaults: { cpuLimit: '1', memoryLimit: Size.mebibytes(512) } } }), 'LimitRange');
    expect(custom.spec.limits[0].default).toEqual({ 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '256Mi' });
    expect(custom.spec.limits[0].max).toBeUndefined();
  });

  test('the quota can allow load balancers and node ports explicitly', () => {
    const quota = find(synthNamespace({ quota: { loadBalancers: 1, nodePorts: 2 } }), 'ResourceQuota');
    expect(quota.spec.hard).toEqual({ 'services.loadbalancers': '1', 'services.nodeports': '2' });
  });
});

describe('bad input fails with the construct path, the field and the fix', () => {
  test('a label that would replace a Pod Security Admission label', () => {
    expect(errorOf(() => synthNamespace({ labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } })))
      .toBe("[test/ns] labels: 'pod-security.kubernetes.io/enforce' is set by HardenedNamespace itself. Fix: remove it from labels (use podSecurity / podSecurityVersion for the Pod Security Admission labels)");
  });

  test('a cpu quantity that is not one', () => {
    expect(errorOf(() => synthNamespace({ quota: { limitsCpu: '2 cores' } })))
      .toBe("[test/ns/Quota]: limitsCpu '2 cores' is not a cpu quantity. Fix: write millicores such as '500m' or cores such as '2' or '0.5'");
  });

  test('a negative count', () => {
    expect(errorOf(() => synthNamespace({ quota: { pods: -1 } }))).toMatch(/^\[test\/ns\/Quota\]: pods must be a non-negative integer \(got -1\)\. Fix:/);
  });

  test('a default limit above the maximum', () => {
    expect(errorOf(() => synthNamespace({ limitRange: { maxMemory: Size.mebibytes(128) } })))
      .toBe('[test/ns/LimitRange]: the default memory limit 256Mi is above maxMemory 128Mi. Fix: raise maxMemory or lower containerDefaults.memoryLimit');
  });

  test('a default request above the default limit', () => {
    expect(errorOf(() => synthNamespace({ limitRange: { containerDefaults: { cpuRequest: '2', cpuLimit: '1' } } })))
      .toBe('[test/ns/LimitRange]: the default cpu request 2 is above the default limit 1. Fix: lower containerDefaults.cpuRequest or raise containerDefaults.cpuLimit');
  });
});

test('the quota and limit range constructs also work on their own, in any namespace', () => {
  const { chart } = newChart('apps');
  new NamespaceResourceQuota(chart, 'q', { namespace: 'other', name: 'small', pods: 3 });
  new NamespaceLimitRange(chart, 'lr', { namespace: 'other' });
  const out = Testing.synth(chart);
  expect(find(out, 'ResourceQuota', 'small').metadata.namespace).toBe('other');
  expect(find(out, 'LimitRange', 'container-defaults').metadata.namespace).toBe('other');
});
