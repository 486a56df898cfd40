import { Testing } from 'cdk8s';
import { buildApp } from '../../examples/hardened-web/main';
import { expectNoFindings } from '../judges';
import { find, podSpec } from '../util';

// GIVEN the hardened-web example app
const app = buildApp(Testing.app().outdir);
const manifests = app.charts.flatMap((c) => c.toJson());

test('the manifests match the snapshot', () => {
  expect(manifests).toMatchSnapshot();
});

test('zero findings from the schema, Monokle (PSS restricted + practices) and Polaris judges', async () => {
  await expectNoFindings(manifests);
});

test('one chart, one YAML file with a stable name', () => {
  expect(app.charts.map((c) => c.node.id)).toEqual(['hardened-web']);
});

test('every namespaced object is in the web namespace; the Namespace and PriorityClass have none', () => {
  for (const m of manifests) {
    if (['Namespace', 'PriorityClass'].includes(m.kind)) expect(m.metadata.namespace).toBeUndefined();
    else expect(m.metadata.namespace).toBe('web');
  }
});

test('the web pods are selected by a default-deny and their own Ingress+Egress policy', () => {
  const deny = find(manifests, 'NetworkPolicy', 'default-deny');
  expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const own = find(manifests, 'NetworkPolicy', 'web-frontend');
  expect(own.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  const labels = find(manifests, 'Deployment', 'web').spec.template.metadata.labels;
  // a non-empty selector that the pod labels satisfy (an empty one would select every pod)
  expect(Object.keys(own.spec.podSelector.matchLabels).length).toBeGreaterThan(0);
  expect(labels).toMatchObject(own.spec.podSelector.matchLabels);
});

test('names are readable and free of hashes', () => {
  const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
  expect(names).toEqual([
    'Deployment/web', 'Namespace/web', 'NetworkPolicy/allow-dns', 'NetworkPolicy/default-deny', 'NetworkPolicy/web-frontend',
    'PodDisruptionBudget/web-frontend', 'PriorityClass/web-standard', 'Service/web', 'ServiceAccount/web-frontend',
  ]);
  expect(podSpec(find(manifests, 'Deployment', 'web')).serviceAccountName).toBe('web-frontend');
});
