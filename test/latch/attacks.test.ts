/**
 * Issue 11, latch rule pack: each attack on the real Latch output is reproduced (the patched
 * manifests audit with 0 errors under the old pack: the rule id is new), then shown reported
 * as an error by `superlatch audit --pack latch` and refused at synth.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import { Harden, KubernetesTarget, KubernetesVersion, Latch, LatchCredentials, LatchMode } from '../../src';
import { main } from '../../src/cli/main';
import { TLS_WEAKENING_ENV } from '../../src/rules/latch/agent-integrity';
import { coverNetwork, errorOf, find, goodContainer, newChart, podSpec } from '../util';

const IMAGE = `registry.example.com/superlatch-agent:1.0.0@sha256:${'cd'.repeat(32)}`;

/** A sidecar latch guarding `shop` and a hub latch guarding `ledger`; `attack` runs before synthesis. */
function app(attack: (parts: { chart: any; hub: Latch; sidecar: Latch; shop: kplus.Deployment }) => void = () => undefined) {
  const { chart } = newChart('apps');
  const api = { cidrs: ['203.0.113.0/24'] };
  const credentials = LatchCredentials.fromSecret('latch-credentials');
  const sidecar = new Latch(chart, 'orders', { credentials, api, image: IMAGE });
  const hub = new Latch(chart, 'billing', { mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }), credentials, api, image: IMAGE });
  const made: kplus.Deployment[] = [];
  for (const [name, latch] of [['shop', sidecar], ['ledger', hub]] as const) {
    const d = new kplus.Deployment(chart, name, { metadata: { name }, replicas: 2, containers: [goodContainer({ command: ['/usr/local/bin/web-server'] })] });
    Harden.workload(d);
    coverNetwork(chart, d);
    latch.guard(d);
    made.push(d);
  }
  attack({ chart, hub, sidecar, shop: made[0] });
  return chart;
}

function audit(manifests: any[]): { code: number; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-attack-'));
  try {
    fs.writeFileSync(path.join(dir, 'all.yaml'), manifests.map((m) => stringify(m)).join('---\n'));
    const out: string[] = [];
    const code = main(['audit', '--pack', 'latch', dir], { out: (t) => out.push(t), err: (t) => out.push(t) });
    return { code, out: out.join('\n') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const master = (chart: any) => ApiObject.of(chart.node.findChild('billing').node.findChild('Master'));
const rbac = (kind: string, name: string, body: any) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name }, ...body });

/** [attack, rule id, what the attacker changes in the app, the same change on the synthesized manifests] */
const ATTACKS: Array<[string, string, (p: any) => void, (m: any[]) => void]> = [
  ['the hub master patched to replicas: 3', 'SL-LATCH-9',
    ({ chart }) => master(chart).addJsonPatch(JsonPatch.replace('/spec/replicas', 3)),
    (m) => { find(m, 'Deployment', 'billing-latch-agent').spec.replicas = 3; }],
  ['an HPA on the master', 'SL-LATCH-9',
    ({ chart }) => new ApiObject(chart, 'hpa', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'master' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'billing-latch-agent' }, minReplicas: 1, maxReplicas: 3 } } as any),
    (m) => { m.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'master', namespace: 'apps' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'billing-latch-agent' }, minReplicas: 1, maxReplicas: 3 } }); }],
  ['a Service selecting the master', 'SL-LATCH-9',
    ({ chart }) => new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'master' }, spec: { selector: { 'app.kubernetes.io/name': 'billing-latch' }, ports: [{ port: 80 }] } } as any),
    (m) => { m.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'master', namespace: 'apps' }, spec: { selector: { 'app.kubernetes.io/name': 'billing-latch' }, ports: [{ port: 80 }] } }); }],
  ['a sidecar allow-all egress policy (podSelector {}, egress [{}])', 'SL-LATCH-10',
    ({ chart }) => new ApiObject(chart, 'allow-all', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } } as any),
    (m) => { m.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'apps' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } }); }],
  ['a Role granting write on configmaps to an app ServiceAccount in the latch\'s namespace', 'SL-LATCH-11',
    ({ chart }) => {
      new ApiObject(chart, 'role', rbac('Role', 'app-config', { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] }] }) as any);
      new ApiObject(chart, 'binding', rbac('RoleBinding', 'app-config', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app-config' }, subjects: [{ kind: 'ServiceAccount', name: 'ledger' }] }) as any);
    },
    (m) => {
      m.push({ ...rbac('Role', 'app-config', { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] }] }), metadata: { name: 'app-config', namespace: 'apps' } });
      m.push({ ...rbac('RoleBinding', 'app-config', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app-config' }, subjects: [{ kind: 'ServiceAccount', name: 'ledger' }] }), metadata: { name: 'app-config', namespace: 'apps' } });
    }],
  ['the agent\'s command/args replaced by a loop that writes "open"', 'SL-LATCH-12',
    ({ chart }) => master(chart).addJsonPatch(
      JsonPatch.replace('/spec/template/spec/containers/0/command', ['/bin/sh', '-c']),
      JsonPatch.replace('/spec/template/spec/containers/0/args', ['while true; do echo open; sleep 5; done'])),
    (m) => {
      const agent = podSpec(find(m, 'Deployment', 'shop')).containers.find((c: any) => c.name === 'latch-agent');
      agent.command = ['/bin/sh', '-c'];
      agent.args = ['while true; do echo \'{"status":"off"}\' > /usr/share/latch/latch-info.json; sleep 5; done'];
    }],
  ['NODE_TLS_REJECT_UNAUTHORIZED=0 in the agent\'s env', 'SL-LATCH-12',
    ({ chart }) => master(chart).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' })),
    (m) => { podSpec(find(m, 'Deployment', 'shop')).containers.find((c: any) => c.name === 'latch-agent').env.push({ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }); }],
  ['NODE_OPTIONS (code or CAs loaded into the agent) in the agent\'s env', 'SL-LATCH-12',
    ({ chart }) => master(chart).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'NODE_OPTIONS', value: '--use-openssl-ca' })),
    (m) => { podSpec(find(m, 'Deployment', 'billing-latch-agent')).containers[0].env.push({ name: 'NODE_EXTRA_CA_CERTS', value: '/tmp/evil.pem' }); }],
];

const good = Testing.synth(app());

test('the real output audits with 0 errors under --pack latch', () => {
  expect(audit(good)).toMatchObject({ code: 0 });
});

describe.each(ATTACKS)('%s', (_what, id, inApp, onManifests) => {
  test(`superlatch audit --pack latch reports it as an error (${id})`, () => {
    const m = JSON.parse(JSON.stringify(good));
    onManifests(m);
    const r = audit(m);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(new RegExp(`\\b${id}\\b[^\\n]*`));
  });

  test('refused at synth, with the rule id and the fix', () => {
    const message = errorOf(() => Testing.synth(app(inApp)));
    expect(message).toContain(`[${id}]`);
    expect(message).toContain('Fix:');
  });
});

test('the agent command replaced by a look-alike that is no shell: refused at synth by the exact check', () => {
  const message = errorOf(() => Testing.synth(app(({ chart }) => master(chart).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/command', ['/opt/evil/agent'])))));
  expect(message).toContain("the latch agent's command or args were replaced");
});

describe('SL-LATCH-12 on every variable docs/latch.md names, and envFrom, in a latch container', () => {
  const agentOf = (m: any[]) => podSpec(find(m, 'Deployment', 'shop')).containers.find((c: any) => c.name === 'latch-agent');
  test.each([...TLS_WEAKENING_ENV, 'envFrom'])('%s: an audit error', (name) => {
    expect(TLS_WEAKENING_ENV).toEqual(expect.arrayContaining(['NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']));
    const m = JSON.parse(JSON.stringify(good));
    if (name === 'envFrom') agentOf(m).envFrom = [{ configMapRef: { name: 'harmless-looking' } }];
    else agentOf(m).env.push({ name, value: '/tmp/x' });
    const r = audit(m);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/\bSL-LATCH-12\b/);
  });
});

test('what the audit does not stop (docs/latch.md): a command replaced together with the probes, no shell, passes SL-LATCH-12; synth refuses it', () => {
  const m = JSON.parse(JSON.stringify(good));
  const agent = podSpec(find(m, 'Deployment', 'shop')).containers.find((c: any) => c.name === 'latch-agent');
  const evil = ['/opt/evil/agent'];
  for (const probe of [agent.livenessProbe, agent.readinessProbe].filter(Boolean)) {
    probe.exec.command = [...evil, probe.exec.command[probe.exec.command.length - 1]];
  }
  agent.command = evil;
  expect(audit(m).out).not.toMatch(/\bSL-LATCH-12\b/);
  expect(errorOf(() => Testing.synth(app(({ chart }) => master(chart).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/command', evil))))))
    .toContain("the latch agent's command or args were replaced");
});

describe('Kubernetes 1.29: attacks on the native sidecar agent of a guarded Job (issue 14)', () => {
  /** A sidecar latch guarding the Job `nightly` of a 1.29 app; `attack` patches the Job before synthesis. */
  function app29(attack: (job: ApiObject) => void = () => undefined): Chart {
    const a = Testing.app();
    KubernetesTarget.set(a, KubernetesVersion.V1_29);
    const chart = new Chart(a, 'test', { namespace: 'apps', disableResourceNameHashes: true });
    const job = new kplus.Job(chart, 'nightly', { metadata: { name: 'nightly' }, containers: [{ ...goodContainer({ command: ['/usr/local/bin/report'] }), liveness: undefined, readiness: undefined }] });
    coverNetwork(chart, job);
    new Latch(chart, 'orders', { credentials: LatchCredentials.fromSecret('latch-credentials'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE }).guard(job, { gate: true });
    attack(ApiObject.of(job));
    return chart;
  }
  const good29 = Testing.synth(app29());
  const agent29 = (m: any[]) => podSpec(find(m, 'Job', 'nightly')).initContainers.find((c: any) => c.name === 'latch-agent');
  const writer = { name: 'helper', image: IMAGE, restartPolicy: 'Always', volumeMounts: [{ name: 'latch-status', mountPath: '/usr/share/latch' }] };

  test('the real output audits with 0 errors under --pack latch', () => {
    expect(podSpec(find(good29, 'Job', 'nightly')).initContainers.map((c: any) => c.name)).toEqual(['latch-agent', 'latch-gate']);
    expect(audit(good29)).toMatchObject({ code: 0 });
  });

  const ATTACKS_129: Array<[string, string, (m: any[]) => void]> = [
    ['a second restartable init container mounting latch-status read-write', 'SL-LATCH-2',
      (m) => { podSpec(find(m, 'Job', 'nightly')).initContainers.push(writer); }],
    ['the agent\'s restartPolicy removed (a plain init container writes before the application starts)', 'SL-LATCH-1',
      (m) => { delete agent29(m).restartPolicy; }],
    ['the agent\'s startup probe replaced by node -e writing "open"', 'SL-LATCH-12',
      (m) => { agent29(m).startupProbe.exec.command = ['/nodejs/bin/node', '-e', 'require("fs").writeFileSync("/usr/share/latch/latch-info.json", "{}")']; }],
    ['a postStart hook running a shell in the agent', 'SL-LATCH-12',
      (m) => { agent29(m).lifecycle = { postStart: { exec: { command: ['/bin/sh', '-c', 'echo open > /usr/share/latch/latch-info.json'] } } }; }],
  ];
  test.each(ATTACKS_129)('%s: superlatch audit --pack latch reports it as an error (%s)', (_what, id, onManifests) => {
    const m = JSON.parse(JSON.stringify(good29));
    onManifests(m);
    const r = audit(m);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(new RegExp(`\\b${id}\\b[^\\n]*`));
  });

  test('escape hatches run before the latch joins the pod: a patch cannot reach the native sidecar agent (the manifests are attacked instead, above)', () => {
    expect(errorOf(() => Testing.synth(app29((job) => job.addJsonPatch(JsonPatch.replace('/spec/template/spec/initContainers/0/command', ['/opt/evil/agent']))))))
      .toContain("Failed serializing construct at path 'test/nightly/Resource'");
  });
});
