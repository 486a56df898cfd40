import { hardenedChart } from './support/charts';
import { compliantSet, ctr, find } from './support/fixtures';
import { RuleAcknowledgements, RulePack, SecurityTesting } from '../../src/rules';

describe('SecurityTesting.securityObjects', () => {
  test('returns the policies, RBAC, budgets and namespaces of a chart in a stable order', () => {
    // GIVEN the hardened chart plus a Kyverno policy and a rules ConfigMap
    const chart = hardenedChart((s) => s.push(
      { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'require-digest' }, spec: { rules: [] } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco-rules', namespace: 'shop', labels: { 'superlatch.io/rules': 'falco' } }, data: { 'rules.yaml': '- rule: x' } },
    ));
    // WHEN the helper collects the security objects
    const objects = SecurityTesting.securityObjects(chart);
    // THEN only security-relevant objects are kept, sorted by apiVersion, kind, namespace, name
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'kyverno.io/v1 ClusterPolicy -/require-digest',
      'networking.k8s.io/v1 NetworkPolicy shop/api',
      'networking.k8s.io/v1 NetworkPolicy shop/default-deny',
      'networking.k8s.io/v1 NetworkPolicy shop/door-hub',
      'networking.k8s.io/v1 NetworkPolicy shop/web',
      'policy/v1 PodDisruptionBudget shop/web',
      'rbac.authorization.k8s.io/v1 Role shop/door-hub',
      'v1 ConfigMap shop/falco-rules',
      'v1 Namespace -/shop',
      'v1 ServiceAccount shop/api',
      'v1 ServiceAccount shop/door-hub',
      'v1 ServiceAccount shop/web',
    ]);
    // AND the result is what users snapshot
    expect(objects).toMatchSnapshot();
  });

  test('works on plain manifests too, without reordering the input', () => {
    const set = compliantSet();
    const before = set.map((o) => o.metadata.name);
    expect(SecurityTesting.securityObjectsOf(set)).toHaveLength(10);
    expect(set.map((o) => o.metadata.name)).toEqual(before);
  });
});

describe('SecurityTesting.assertCompliant', () => {
  test('returns the report when the pack finds no error', () => {
    const report = SecurityTesting.assertCompliant(hardenedChart(), RulePack.latch());
    expect(report.packName).toBe('latch');
    expect(report.hasErrors).toBe(false);
  });

  test('throws an Error listing every error finding', () => {
    const chart = hardenedChart((s) => {
      ctr(s, 'web', 'app').image = 'nginx:1.25';
      find(s, 'Role', 'door-hub').rules[0].resourceNames = [];
    });
    expect(() => SecurityTesting.assertCompliant(chart)).toThrow(
      'restricted: 1 error(s), 0 warning(s), 0 acknowledged\n'
      + "  [SL-HARD-15] shop/web/Deployment (Deployment/shop/web) spec.template.spec.containers[0].image: container 'app' image 'nginx:1.25' is not pinned by a sha256 or sha512 digest; pin it as 'nginx:1.25@sha256:<64 hex digits>' or 'nginx:1.25@sha512:<128 hex digits>'.",
    );
    expect(() => SecurityTesting.assertCompliant(chart, RulePack.latch())).toThrow(/\[SL-LATCH-5\] shop\/door-hub\/Role .* rules\[0\]\.resourceNames: rule 0 must name exactly one ConfigMap/);
  });

  test('honours acknowledgements made on constructs', () => {
    const chart = hardenedChart((s) => { ctr(s, 'web', 'app').image = 'nginx:1.25'; });
    RuleAcknowledgements.acknowledgeRule(chart, 'SL-HARD-15', 'internal mirror pins digests on pull');
    expect(SecurityTesting.assertCompliant(chart).acknowledged).toHaveLength(1);
  });

  test('checks plain manifests', () => {
    const set = compliantSet();
    find(set, 'Deployment', 'web').spec.template.spec.hostIPC = true;
    expect(() => SecurityTesting.assertManifestsCompliant(set, RulePack.baseline())).toThrow(/\[SL-PSS-1\] \(Deployment\/shop\/web\) spec\.template\.spec\.hostIPC/);
  });
});
