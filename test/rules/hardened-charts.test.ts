import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, NamespaceNetworkBaseline, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';
import { CLUSTER_SCOPED_KINDS } from '../../src/internal/render';
import { RulePack, SecurityTesting } from '../../src/rules';
import { errorOf, find, goodContainer } from '../util';

const TAG_ONLY = 'registry.example.com/app:1.0';

/**
 * A chart written with the constructs, not raw manifests: a cdk8s-plus
 * Deployment that only `Harden.workload` makes compliant, its network policy
 * and the namespace baseline.
 */
function shopChart(app: App = Testing.app(), image?: string): Chart {
  const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const web = new kplus.Deployment(chart, 'web', { replicas: 2, containers: [goodContainer(image ? { image } : {})] });
  Harden.workload(web, { component: 'frontend' });
  new WorkloadNetworkPolicy(chart, 'web-policy', {
    workload: web,
    ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
  });
  new NamespaceNetworkBaseline(chart, 'baseline');
  return chart;
}

describe('packs attached above a hardened chart judge the hardened manifests', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); });
  afterEach(() => warn.mockRestore());

  test('attached to the app (validated before the chart\'s hardening): app.synth() succeeds with no findings', () => {
    // GIVEN a pack on the app, whose validation cdk8s runs before the chart's hardening
    const app = Testing.app();
    shopChart(app);
    const validation = RulePack.restricted().attachTo(app);
    // WHEN the app is synthesized THEN nothing fails
    expect(() => app.synth()).not.toThrow();
    // AND the pack judged the hardened workload and the objects the hardening adds
    const report = validation.report!;
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(report.outcomes.find((o) => o.ruleId === 'SL-PSS-16')?.findingCount).toBe(0);
  });

  test('attached to the chart: Testing.synth() succeeds and writes the hardened objects', () => {
    const chart = shopChart();
    const validation = RulePack.restricted().attachTo(chart);
    const manifests = Testing.synth(chart);
    expect(validation.report!.errors).toEqual([]);
    expect(validation.report!.warnings).toEqual([]);
    // the objects written are the ones judged
    const deployment = find(manifests, 'Deployment');
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('web-frontend');
    expect(find(manifests, 'ServiceAccount', 'web-frontend').automountServiceAccountToken).toBe(false);
    expect(find(manifests, 'PodDisruptionBudget', 'web-frontend')).toBeDefined();
  });

  test('attached to both the app and the chart, synthesized twice', () => {
    const app = Testing.app();
    const chart = shopChart(app);
    const onApp = RulePack.restricted().attachTo(app);
    const onChart = RulePack.restricted().attachTo(chart);
    expect(() => app.synth()).not.toThrow();
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(onApp.report!.errors).toEqual([]);
    expect(onChart.report!.errors).toEqual([]);
    // one ServiceAccount and one budget: preparing the hardening early does not duplicate it
    expect(Testing.synth(chart).filter((m) => m.kind === 'ServiceAccount')).toHaveLength(1);
  });

  test.each([
    ['app', (app: App, _chart: Chart) => app],
    ['chart', (_app: App, chart: Chart) => chart],
  ])('a tag-only image fails with the hardening error, not a crash or pack noise (pack on the %s)', (_where, scopeOf) => {
    const app = Testing.app();
    const chart = shopChart(app, TAG_ONLY);
    const validation = RulePack.restricted().attachTo(scopeOf(app, chart));
    const message = errorOf(() => app.synth());
    expect(message).toMatch(/^Validation failed with the following errors:/);
    expect(message).toContain(`[shop/web] spec.template.spec.containers[0].image: [SL-HARD-15] container 'app' image '${TAG_ONLY}' is not pinned by a sha256 or sha512 digest`);
    // reported once, by the hardening (with the rule that found it): the pack neither crashes nor repeats it
    expect(message).not.toMatch(/\[SL-[A-Z]+-\d+\] \(/);
    expect(message).not.toMatch(/failed while checking|HardeningFailure|hardening of the app failed/);
    expect(message.match(/is not pinned by/g)).toHaveLength(1);
    expect(validation.report).toBeUndefined();
  });

  test('every kind the pipeline treats as cluster-scoped, the packs do too, and a namespaced kind is not', () => {
    // GIVEN one object of each cluster-scoped kind, and a ConfigMap, in a hardened chart with a namespace
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    Harden.chart(chart);
    const kinds = [...CLUSTER_SCOPED_KINDS];
    kinds.forEach((kind, i) => new ApiObject(chart, `o${i}`, { apiVersion: 'example.com/v1', kind, metadata: { name: `o${i}` } }));
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    const out = Testing.synth(chart);
    // THEN the pipeline strips the namespace of each cluster-scoped object, and keeps the ConfigMap's
    expect(out.filter((m) => m.metadata.namespace !== undefined).map((m) => m.kind)).toEqual(['ConfigMap']);
    // AND the namespace rule agrees: nothing to say about them; given their namespace back, each is a finding
    expect(RulePack.restricted().evaluate(out).findings.filter((f) => f.ruleId === 'SL-HARD-18')).toEqual([]);
    const namespaced = out.map((m) => ({ ...m, metadata: { ...m.metadata, namespace: 'shop' } }));
    const flagged = RulePack.restricted().evaluate(namespaced).findings.filter((f) => f.ruleId === 'SL-HARD-18').map((f) => f.kind);
    expect(flagged.sort()).toEqual([...kinds].sort());
    for (const kind of ['ClusterIssuer', 'ConstraintTemplate', 'SeccompProfile', 'ClusterImagePolicy', 'PodSecurityPolicy']) expect(kinds).toContain(kind);
  });

  test('a cluster-scoped kind in a namespaced hardened chart loses the namespace before the pack judges it', () => {
    const app = Testing.app();
    const chart = shopChart(app);
    new ApiObject(chart, 'issuer', { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt' } });
    const validation = RulePack.restricted().attachTo(app);
    app.synth();
    expect(find(Testing.synth(chart), 'ClusterIssuer').metadata.namespace).toBeUndefined();
    expect(validation.report!.findings.filter((f) => f.ruleId === 'SL-HARD-18')).toEqual([]);
  });
});

describe('SecurityTesting on a hardened chart', () => {
  test('assertCompliant passes without a synthesis first: the hardening is applied', () => {
    const chart = shopChart();
    const report = SecurityTesting.assertCompliant(chart, RulePack.restricted());
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    // and the chart still synthesizes afterwards, with the same objects
    const manifests = Testing.synth(chart);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toHaveLength(1);
  });

  test('securityObjects lists what the hardening adds', () => {
    const objects = SecurityTesting.securityObjects(shopChart());
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy shop/allow-dns',
      'NetworkPolicy shop/default-deny',
      'NetworkPolicy shop/web-frontend',
      'PodDisruptionBudget shop/web-frontend',
      'ServiceAccount shop/web-frontend',
    ]);
  });

  test('a hardening error is thrown with its message, not as a crash', () => {
    const chart = shopChart(Testing.app(), TAG_ONLY);
    const message = errorOf(() => SecurityTesting.assertCompliant(chart, RulePack.restricted()));
    expect(message).toMatch(/^The hardening of the app failed with 1 error\(s\):\n {2}\[shop\/web\] /);
    expect(message).toContain(`[SL-HARD-15] container 'app' image '${TAG_ONLY}' is not pinned by a sha256 or sha512 digest`);
    expect(() => SecurityTesting.securityObjects(chart)).toThrow(/hardening of the app failed/);
  });
});
