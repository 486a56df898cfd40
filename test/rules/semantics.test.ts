import { compliantSet, ctr, find, spec } from './support/fixtures';
import { RuleCatalog, RuleStatus } from '../../src/rules';

/** Precise semantics of the rules whose definition is more than one field. */
const check = (id: string, set: any[]) => RuleCatalog.get(id).check(set);
const paths = (id: string, set: any[]) => check(id, set).findings.map((f) => f.path);

describe('SL-LATCH-6: no latch egress for hub-mode guarded pods', () => {
  const apiPolicy = (s: any[]) => find(s, 'NetworkPolicy', 'api');

  test.each([
    ['a DNS-only rule with no peers', { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
    ['443 to in-cluster pods', { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 443 }] }],
    ['an ipBlock on another port', { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    ['UDP 443 to an ipBlock', { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 443, protocol: 'UDP' }] }],
    ['a range that stops below 443', { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 400, endPort: 442 }] }],
  ])('allows %s', (_what, rule) => {
    const s = compliantSet();
    apiPolicy(s).spec.egress.push(rule);
    expect(check('SL-LATCH-6', s).status).toBe(RuleStatus.COMPLIANT);
  });

  test.each([
    ['an ipBlock with no ports', { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }],
    ['443 to all destinations', { ports: [{ port: 443 }] }],
    ['the named port https to an ipBlock', { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 'https' }] }],
    ['a range containing 443', { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 400, endPort: 500, protocol: 'TCP' }] }],
    ['a TCP entry without a port number', { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP' }] }],
    ['every destination and port', {}],
  ])('rejects %s', (_what, rule) => {
    const s = compliantSet();
    apiPolicy(s).spec.egress.push(rule);
    expect(paths('SL-LATCH-6', s)).toEqual(['spec.egress[0]']);
  });

  test('rejects guarded hub pods that no Egress policy selects (egress unrestricted)', () => {
    const s = compliantSet();
    apiPolicy(s).spec.policyTypes = ['Ingress'];
    find(s, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Ingress'];
    expect(paths('SL-LATCH-6', s)).toEqual(['spec.template.metadata.labels']);
  });

  test('looks at every policy that selects the pod, the namespace default included', () => {
    const s = compliantSet();
    find(s, 'NetworkPolicy', 'default-deny').spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] });
    const result = check('SL-LATCH-6', s);
    expect(result.findings.map((f) => s[f.objectIndex].metadata.name)).toEqual(['default-deny']);
  });
});

describe('SL-LATCH-1 and SL-LATCH-3 in hub mode', () => {
  test('a hub-mode guarded pod may not name a writer', () => {
    const s = compliantSet();
    find(s, 'Deployment', 'api').spec.template.metadata.annotations['superlatch.io/status-writer'] = 'api';
    expect(paths('SL-LATCH-1', s)).toEqual(["spec.template.metadata.annotations['superlatch.io/status-writer']"]);
  });

  test('a hub-mode guarded pod may not carry the credentials', () => {
    const s = compliantSet();
    find(s, 'Deployment', 'api').spec.template.metadata.annotations['superlatch.io/credentials-volume'] = 'latch-status';
    expect(paths('SL-LATCH-3', s)).toEqual(["spec.template.metadata.annotations['superlatch.io/credentials-volume']"]);
  });

  test('an unknown mode is a finding', () => {
    const s = compliantSet();
    find(s, 'Deployment', 'web').spec.template.metadata.annotations['superlatch.io/mode'] = 'daemon';
    expect(check('SL-LATCH-1', s).findings[0].message).toMatch(/has mode 'daemon', not sidecar or hub/);
  });
});

describe('SL-LATCH-5: the hub agent Role', () => {
  test.each([
    ['a second rule', (r: any) => r.rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }), 'rules'],
    ['another API group', (r: any) => { r.rules[0].apiGroups = ['apps']; }, 'rules[0].apiGroups'],
    ['a wildcard resource', (r: any) => { r.rules[0].resources = ['*']; }, 'rules[0].resources'],
    ['two ConfigMaps', (r: any) => { r.rules[0].resourceNames.push('other'); }, 'rules[0].resourceNames'],
    ['no resourceNames', (r: any) => { delete r.rules[0].resourceNames; }, 'rules[0].resourceNames'],
  ])('rejects %s', (_what, change, path) => {
    const s = compliantSet();
    change(find(s, 'Role', 'door-hub'));
    expect(paths('SL-LATCH-5', s)).toContain(path);
  });

  test('rejects a ClusterRole for the agent', () => {
    const s = compliantSet();
    const role = find(s, 'Role', 'door-hub');
    role.kind = 'ClusterRole';
    delete role.metadata.namespace;
    expect(paths('SL-LATCH-5', s)).toEqual(['kind']);
  });
});

describe('SL-NET-1: what counts as a default deny', () => {
  test('a deny whose egress allows more than DNS does not count', () => {
    const s = compliantSet();
    find(s, 'NetworkPolicy', 'default-deny').spec.egress.push({ ports: [{ port: 443 }] });
    expect(check('SL-NET-1', s).status).toBe(RuleStatus.NON_COMPLIANT);
  });

  test('a deny with no rules at all counts (DNS allowed by a separate policy)', () => {
    const s = compliantSet();
    delete find(s, 'NetworkPolicy', 'default-deny').spec.egress;
    expect(check('SL-NET-1', s).status).toBe(RuleStatus.COMPLIANT);
  });

  test('a deny in another namespace does not count', () => {
    const s = compliantSet();
    find(s, 'NetworkPolicy', 'default-deny').metadata.namespace = 'other';
    expect(check('SL-NET-1', s).findings[0].message).toMatch(/namespace 'shop' has no default-deny/);
  });
});

describe('SL-NET-2: per-workload coverage', () => {
  test('the namespace default deny alone does not cover a workload', () => {
    const s = compliantSet();
    s.splice(s.indexOf(find(s, 'NetworkPolicy', 'web')), 1);
    expect(check('SL-NET-2', s).findings[0].message).toBe("Deployment 'web': no NetworkPolicy selects its pods by matchLabels");
  });

  test('Ingress and Egress may come from two policies', () => {
    const s = compliantSet();
    const web = find(s, 'NetworkPolicy', 'web');
    web.spec.policyTypes = ['Ingress'];
    s.push({ ...web, metadata: { name: 'web-egress', namespace: 'shop' }, spec: { ...web.spec, policyTypes: ['Egress'] } });
    expect(check('SL-NET-2', s).status).toBe(RuleStatus.COMPLIANT);
  });

  test('names the missing direction', () => {
    const s = compliantSet();
    find(s, 'NetworkPolicy', 'web').spec.policyTypes = ['Ingress'];
    expect(check('SL-NET-2', s).findings[0].message).toBe("Deployment 'web': its NetworkPolicies do not cover Egress");
  });
});

describe('SL-HARD-23: literal secrets', () => {
  test.each([
    ['a password value', 'DB_PASSWORD', 'hunter2hunter2', true],
    ['an API key', 'STRIPE_API_KEY', 'sk_live_abcdef', true],
    ['a private key under any name', 'CONFIG', '-----BEGIN RSA PRIVATE KEY-----\nabc', true],
    ['an AWS access key id under any name', 'ID', 'AKIAABCDEFGHIJKLMNOP', true],
    ['a path to a secret file', 'LATCH_SECRET_FILE', '/var/run/latch/secret', false],
    ['a secret name reference', 'DB_SECRET_NAME', 'db-credentials', false],
    ['a boolean flag', 'AUTH_KEY_ROTATION', 'true', false],
    ['an empty value', 'PASSWORD', '', false],
    ['an ordinary setting', 'LOG_LEVEL', 'debug', false],
  ])('%s: %s', (_what, name, value, flagged) => {
    const s = compliantSet();
    ctr(s, 'web', 'app').env = [{ name, value }];
    expect(check('SL-HARD-23', s).status).toBe(flagged ? RuleStatus.NON_COMPLIANT : RuleStatus.COMPLIANT);
  });

  test('ConfigMap keys holding secrets are flagged', () => {
    const s = compliantSet();
    find(s, 'ConfigMap', 'door-status').data['api-token'] = 'abc123abc123';
    expect(paths('SL-HARD-23', s)).toEqual(["data['api-token']"]);
  });
});

describe('pod templates of every workload kind are checked', () => {
  const pod = (s: any[]) => {
    const t = find(s, 'Deployment', 'web').spec.template;
    t.spec.hostPID = true;
    return t;
  };
  test.each([
    ['Pod', (t: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', ...t.metadata }, spec: t.spec }), 'spec.hostPID'],
    ['StatefulSet', (t: any) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'p' }, spec: { template: t } }), 'spec.template.spec.hostPID'],
    ['DaemonSet', (t: any) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'p' }, spec: { template: t } }), 'spec.template.spec.hostPID'],
    ['ReplicaSet', (t: any) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'p' }, spec: { template: t } }), 'spec.template.spec.hostPID'],
    ['ReplicationController', (t: any) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'p' }, spec: { template: t } }), 'spec.template.spec.hostPID'],
    ['Job', (t: any) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'p' }, spec: { template: t } }), 'spec.template.spec.hostPID'],
    ['CronJob', (t: any) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'p' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: t } } } }), 'spec.jobTemplate.spec.template.spec.hostPID'],
    ['PodTemplate', (t: any) => ({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'p' }, template: t }), 'template.spec.hostPID'],
  ])('%s', (_kind, wrap, path) => {
    const s = compliantSet();
    const o = wrap(pod(compliantSet()));
    expect(check('SL-PSS-1', [...s, o]).findings.map((f) => [f.objectIndex, f.path])).toEqual([[s.length, path]]);
  });
});

describe('SL-HARD-2 uses the effective uid and gid', () => {
  test('pod-level values above 10000 cover containers that set none', () => {
    const s = compliantSet();
    for (const c of spec(s, 'web').containers) {
      delete c.securityContext.runAsUser;
      delete c.securityContext.runAsGroup;
    }
    expect(check('SL-HARD-2', s).status).toBe(RuleStatus.COMPLIANT);
  });

  test('nothing set anywhere is a finding per container', () => {
    const s = compliantSet();
    delete spec(s, 'web').securityContext.runAsUser;
    for (const c of spec(s, 'web').containers) delete c.securityContext.runAsUser;
    expect(paths('SL-HARD-2', s)).toEqual([
      'spec.template.spec.containers[0].securityContext.runAsUser',
      'spec.template.spec.containers[1].securityContext.runAsUser',
    ]);
  });
});
