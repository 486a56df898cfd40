import { deployment, networkPolicy, service } from './builders';
import { selections, selectorMismatches, selects } from './selection';

describe('selects', () => {
  test('matchLabels must all be equal', () => {
    expect(selects({ matchLabels: { a: '1', b: '2' } }, { a: '1', b: '2', c: '3' })).toBe(true);
    expect(selects({ matchLabels: { a: '1', b: '2' } }, { a: '1' })).toBe(false);
  });

  test.each([
    ['In', { key: 'tier', operator: 'In', values: ['web', 'api'] }, { tier: 'api' }, true],
    ['In, other value', { key: 'tier', operator: 'In', values: ['web'] }, { tier: 'api' }, false],
    ['In, no label', { key: 'tier', operator: 'In', values: ['web'] }, {}, false],
    ['NotIn, no label', { key: 'tier', operator: 'NotIn', values: ['web'] }, {}, true],
    ['NotIn, listed value', { key: 'tier', operator: 'NotIn', values: ['web'] }, { tier: 'web' }, false],
    ['Exists', { key: 'tier', operator: 'Exists' }, { tier: '' }, true],
    ['Exists, no label', { key: 'tier', operator: 'Exists' }, {}, false],
    ['DoesNotExist', { key: 'tier', operator: 'DoesNotExist' }, { tier: 'web' }, false],
  ])('matchExpressions %s', (_name, expression, labels, expected) => {
    expect(selects({ matchExpressions: [expression] }, labels)).toBe(expected);
  });

  test('an empty selector selects everything, a missing one nothing', () => {
    expect(selects({}, { a: '1' })).toBe(true);
    expect(selects(undefined, { a: '1' })).toBe(false);
  });
});

describe('selections', () => {
  const web = deployment('web', { app: 'web' });
  const api = deployment('api', { app: 'api', tier: 'backend' });
  const otherNs = deployment('web', { app: 'web' }, { namespace: 'other' });

  test('a Service selects matching pods of its own namespace only', () => {
    // GIVEN two `app: web` workloads in two namespaces  WHEN a Service in `apps` selects `app: web`
    const out = selections([web, api, otherNs, service('web', { app: 'web' })]);
    // THEN it selects only the one in `apps`
    expect(out).toEqual([{ by: 'Service/apps/web spec.selector', pods: ['Deployment/apps/web'] }]);
  });

  test('a Service whose selector matches no pod selects nothing, one without a selector is left out', () => {
    const headless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'apps' }, spec: { ports: [{ port: 80 }] } };
    expect(selections([web, service('web', { app: 'website' }), headless])).toEqual([{ by: 'Service/apps/web spec.selector', pods: [] }]);
  });

  test('a NetworkPolicy podSelector {} selects every pod of its namespace', () => {
    const out = selections([web, api, otherNs, networkPolicy('deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(out).toEqual([{ by: 'NetworkPolicy/apps/deny spec.podSelector', pods: ['Deployment/apps/api', 'Deployment/apps/web'] }]);
  });

  test('a NetworkPolicy podSelector with matchExpressions', () => {
    const policy = networkPolicy('backend', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] } });
    expect(selections([web, api, policy])).toEqual([{ by: 'NetworkPolicy/apps/backend spec.podSelector', pods: ['Deployment/apps/api'] }]);
  });

  test('peers: a podSelector alone stays in the namespace, a namespaceSelector picks namespaces by label, ipBlock is left out', () => {
    // GIVEN a policy on `api` with four ingress peers and one egress peer
    const policy = networkPolicy('api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        from: [
          { podSelector: { matchLabels: { app: 'web' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } }, podSelector: { matchLabels: { app: 'web' } } },
          { namespaceSelector: {} },
          { ipBlock: { cidr: '10.0.0.0/8' } },
        ],
      }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }],
    });
    const blue = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'blue' } } };
    // WHEN the selections are computed
    const out = selections([web, api, otherNs, blue, policy]);
    // THEN each peer gets its own set of pods
    expect(out).toEqual([
      { by: 'NetworkPolicy/apps/api spec.podSelector', pods: ['Deployment/apps/api'] },
      { by: 'NetworkPolicy/apps/api spec.ingress[0].from[0]', pods: ['Deployment/apps/web'] },
      { by: 'NetworkPolicy/apps/api spec.ingress[0].from[1]', pods: ['Deployment/other/web'] },
      { by: 'NetworkPolicy/apps/api spec.ingress[0].from[2]', pods: ['Deployment/apps/api', 'Deployment/apps/web', 'Deployment/other/web'] },
      { by: 'NetworkPolicy/apps/api spec.egress[0].to[0]', pods: ['Deployment/other/web'] },
    ]);
  });

  test('a custom kind with a pod template counts as pods', () => {
    const rollout = { ...deployment('canary', { app: 'canary' }), apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' };
    expect(selections([rollout, service('canary', { app: 'canary' })])[0].pods).toEqual(['Rollout/apps/canary']);
  });
});

describe('selectorMismatches', () => {
  test('a workload whose selector matches its template has none', () => {
    const expressions = deployment('api', { app: 'api' }, { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } });
    expect(selectorMismatches([deployment('web', { app: 'web' }), expressions])).toEqual([]);
  });

  test('a selector that does not match the template labels is reported', () => {
    const broken = deployment('web', { 'app.kubernetes.io/name': 'web-deployment' }, { selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } });
    expect(selectorMismatches([broken])).toEqual([
      'Deployment/apps/web: selector {"matchLabels":{"app.kubernetes.io/name":"web"}} does not match template labels {"app.kubernetes.io/name":"web-deployment"}',
    ]);
  });

  test('a missing or empty selector where the kind needs one is reported', () => {
    const none = deployment('a', { app: 'a' });
    delete none.spec.selector;
    const empty = deployment('b', { app: 'b' }, { selector: {} });
    expect(selectorMismatches([none, empty])).toEqual(['Deployment/apps/a: no selector', 'Deployment/apps/b: empty selector {} selects every pod']);
  });

  test("a ReplicationController's selector is a label map; a Pod or a Job without one is fine", () => {
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [] } } } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } };
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [] } } } };
    expect(selectorMismatches([rc, pod, job])).toEqual(['ReplicationController/default/rc: selector {"app":"x"} does not match template labels {"app":"y"}']);
  });
});
