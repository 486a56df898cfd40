/**
 * The guardrails on the output of the real Latch construct (sidecar with the gate, and hub
 * mode with a Localhost seccomp profile for the master), not only on hand-written pods.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { evaluateCel } from './cel';
import { matchingRules } from './falco-eval';
import { container, exec, openat, socket } from './falco-events';
import { AGENT_IMAGE, AGENT_REPO } from './latch-fixtures';
import { Harden, HardeningProfile, Latch, LatchCredentials, LatchMode } from '../../src';
import { FalcoRules, GuardrailAdmissionPolicy, OperatorSeccompProfile } from '../../src/guardrails';
import { coverNetwork, find, goodContainer, newChart, podSpec } from '../util';

// GIVEN one sidecar latch (with the gate) and one hub latch whose master runs the SPO profile
const { chart } = newChart('apps');
const seccomp = new OperatorSeccompProfile(chart, 'seccomp');
const api = { cidrs: ['203.0.113.0/24'] };
const credentials = LatchCredentials.fromSecret('latch-credentials');
const sidecar = new Latch(chart, 'orders', { credentials, api, image: AGENT_IMAGE });
const hub = new Latch(chart, 'billing', {
  mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'], masterProfile: HardeningProfile.restricted({ seccompProfile: seccomp.seccompProfile }) }),
  credentials,
  api,
  image: AGENT_IMAGE,
});
for (const [name, latch] of [['shop', sidecar], ['ledger', hub]] as const) {
  const d = new kplus.Deployment(chart, name, { metadata: { name }, replicas: 2, containers: [goodContainer({ command: ['/usr/local/bin/web-server'] })] });
  Harden.workload(d);
  coverNetwork(chart, d);
  latch.guard(d, { gate: true });
}
const policy = new GuardrailAdmissionPolicy(chart, 'admission', { namespaces: ['apps'], allowedLocalhostProfiles: [seccomp.localhostProfile], statusWriterImages: [AGENT_REPO] });
new FalcoRules(chart, 'falco');
const manifests = Testing.synth(chart);
const workloads = manifests.filter((m) => m.kind === 'Deployment');

test('the hub master runs the Localhost profile the SPO construct distributes', () => {
  const master = find(manifests, 'Deployment', 'billing-latch-agent');
  expect(podSpec(master).securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'operator/latch-agent.json' });
  expect(policy.policyName).toBe('superlatch-guardrails');
});

test('every admission expression holds on the real latch output', () => {
  const validations = find(manifests, 'ValidatingAdmissionPolicy').spec.validations;
  expect(workloads.map((w) => w.metadata.name).sort()).toEqual(['billing-latch-agent', 'ledger', 'shop']);
  const cases = validations.flatMap((v: any) => workloads.map((object) => ({ expression: v.expression, context: { object } })));
  const results = evaluateCel(cases);
  expect(results.filter((r) => !('value' in r) || r.value !== true)).toEqual([]);
  expect(results).toHaveLength(validations.length * 3);
});

test('the Falco rules know the real containers: the app command, the exact agent, gate and master command lines, the status mounts', () => {
  const items = parse(find(manifests, 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml']) as any[];
  const lists = new Map<string, any[]>(items.filter((i) => 'list' in i).map((i) => [i.list, i.items]));
  expect(lists.get('superlatch_apps_shop_containers')).toEqual(['"app"', '"latch-agent"', '"latch-gate"']);
  expect(lists.get('superlatch_apps_shop_app_processes')).toEqual(['"web-server"']);
  expect(lists.get('superlatch_apps_shop_latch_agent_cmdlines')).toContain('"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js run"');
  expect(lists.get('superlatch_apps_ledger_latch_gate_cmdlines')).toContain('"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js gate"');
  expect(lists.get('superlatch_apps_billing_latch_agent_latch_agent_cmdlines')).toContain('"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js run"');
  expect(lists.get('superlatch_apps_shop_latch_agent_status_paths')).toEqual(['"/usr/share/latch"']);

  const shop = { 'k8s.ns.name': 'apps', 'k8s.pod.label[app.kubernetes.io/name]': 'shop', 'k8s.pod.label[superlatch.io/latch]': 'orders', 'k8s.pod.label[superlatch.io/role]': 'guarded' };
  const run = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js', 'run'];
  const write = (name: string, argv: string[]) => openat(container(shop, name, name === 'app' ? 'registry.example.com/app' : AGENT_REPO), argv, '/usr/share/latch/latch-info.json', 'O_WRONLY|O_CREAT|O_TRUNC');
  expect(matchingRules(items, write('latch-agent', run))).toEqual([]);
  expect(matchingRules(items, write('app', ['/usr/local/bin/web-server']))).toEqual(['Superlatch status volume written outside the latch agent']);
  const ledger = { ...shop, 'k8s.pod.label[app.kubernetes.io/name]': 'ledger', 'k8s.pod.label[superlatch.io/latch]': 'billing' };
  expect(matchingRules(items, socket(container(ledger, 'app', 'registry.example.com/app'), ['/usr/local/bin/web-server'], 'connect', '203.0.113.9', 443)))
    .toEqual(['Superlatch outbound connection from a hub-mode guarded pod']);
});

test('every entrypoint, exec probe and hook of the real latch pods runs without an alert; an interactive node does not', () => {
  const items = parse(find(manifests, 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml']) as any[];
  let checked = 0;
  for (const w of workloads) {
    const t = w.spec.template;
    const pod = { 'k8s.ns.name': 'apps', ...Object.fromEntries(Object.entries(t.metadata.labels).map(([k, v]) => [`k8s.pod.label[${k}]`, v])) };
    for (const c of t.spec.containers) {
      const where = container(pod, c.name, c.image.split('@')[0].replace(/:[^/:]*$/, ''));
      const probes = [c.livenessProbe, c.readinessProbe, c.startupProbe].map((p) => p?.exec?.command).filter(Boolean);
      const execs = [[...c.command, ...(c.args ?? [])], ...probes];
      for (const argv of execs) {
        expect([w.metadata.name, c.name, argv, matchingRules(items, exec(where, argv))]).toEqual([w.metadata.name, c.name, argv, []]);
        checked++;
      }
      if (c.image.startsWith(AGENT_REPO)) {
        expect(matchingRules(items, exec(where, ['/nodejs/bin/node', '-e', 'process.exit()'], { 'proc.tty': 34816 }))).toEqual(['Superlatch unexpected process in a latch pod']);
      }
    }
  }
  expect(checked).toBeGreaterThan(8);
});

test('toYaml() before synthesis sees the hardened manifests (stable labels, no construct-path hash)', () => {
  const { chart: c } = newChart('apps');
  const latch = new Latch(c, 'orders', { credentials, api, image: AGENT_IMAGE });
  const d = new kplus.Deployment(c, 'shop', { metadata: { name: 'shop' }, containers: [goodContainer()] });
  coverNetwork(c, d);
  latch.guard(d);
  const rules = new FalcoRules(c, 'falco');
  const early = rules.toYaml();
  expect(early).toContain('k8s.pod.label[app.kubernetes.io/name] = "shop"');
  expect(early).not.toContain('cdk8s.io/metadata.addr');
  expect(find(Testing.synth(c), 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml']).toBe(early);
});
