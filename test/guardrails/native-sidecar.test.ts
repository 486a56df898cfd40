/**
 * Issue 14: the guardrails on the native sidecar output of Kubernetes 1.29 (the agent and the
 * gate as init containers with `restartPolicy: Always`): the admission policy (both CEL
 * engines), the Falco rules and the latch rules agree that the real output is fine and that
 * the attacks the new placement opens are not.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { evaluateCel } from './cel';
import { matchingRules } from './falco-eval';
import { container, exec, openat } from './falco-events';
import { AGENT_IMAGE, AGENT_REPO } from './latch-fixtures';
import { Harden, KubernetesTarget, KubernetesVersion, Latch, LatchCredentials, LatchMode } from '../../src';
import { FalcoRules, GuardrailAdmissionPolicy } from '../../src/guardrails';
import { RulePack } from '../../src/rules';
import { coverNetwork, find, goodContainer, podSpec, podTemplate } from '../util';

jest.setTimeout(60_000);

const RUN = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js'];
const batch = { ...goodContainer({ command: ['/usr/local/bin/report'] }), liveness: undefined, readiness: undefined };

/** A sidecar latch guarding the Deployment `shop` and the Job `nightly`, a hub latch guarding the Job `ledger`, all with the gate. */
function build(version: KubernetesVersion) {
  const app = Testing.app();
  KubernetesTarget.set(app, version);
  const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
  const api = { cidrs: ['203.0.113.0/24'] };
  const credentials = LatchCredentials.fromSecret('latch-credentials');
  const sidecar = new Latch(chart, 'orders', { credentials, api, image: AGENT_IMAGE });
  const hub = new Latch(chart, 'billing', { mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }), credentials, api, image: AGENT_IMAGE });
  const shop = new kplus.Deployment(chart, 'shop', { metadata: { name: 'shop' }, replicas: 2, containers: [goodContainer({ command: ['/usr/local/bin/web-server'] })] });
  Harden.workload(shop);
  coverNetwork(chart, shop);
  sidecar.guard(shop, { gate: true });
  if (version.isAtLeast(KubernetesVersion.V1_29)) {
    for (const [name, latch] of [['nightly', sidecar], ['ledger', hub]] as const) {
      const job = new kplus.Job(chart, name, { metadata: { name }, containers: [batch] });
      Harden.workload(job);
      coverNetwork(chart, job);
      latch.guard(job, { gate: true });
    }
  }
  new GuardrailAdmissionPolicy(chart, 'admission', { namespaces: ['apps'], statusWriterImages: [AGENT_REPO] });
  new FalcoRules(chart, 'falco');
  return Testing.synth(chart);
}

const manifests = build(KubernetesVersion.V1_29);
const validations: Array<{ message: string; expression: string }> = find(manifests, 'ValidatingAdmissionPolicy').spec.validations;
const workloads = manifests.filter((m) => ['Deployment', 'Job'].includes(m.kind));

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** The pod the controller of `kind`/`name` creates: its template as a Pod. */
const podOf = (kind: string, name: string) => {
  const w = clone(find(manifests, kind, name));
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...podTemplate(w).metadata, name: `${name}-x2x9k`, namespace: 'apps' }, spec: podSpec(w) };
};
const initNamed = (pod: any, name: string) => podSpec(pod).initContainers.find((c: any) => c.name === name);

/** The validations that deny `object` (CREATE), with both evaluators; throws on an evaluation error. */
function denials(object: any, using = validations): string[] {
  const results = evaluateCel(using.map((v) => ({ expression: v.expression, context: { object } })));
  return results.flatMap((r, i) => {
    if ('error' in r) throw new Error(`${using[i].message.split(':')[0]}: ${r.error}`);
    return r.value === true ? [] : [using[i].message.split(':')[0]];
  });
}

/** Error findings of the latch pack on the app with `object` in place of its workload of the same kind and name. */
function latchErrors(object: any): string[] {
  const replaced = manifests.map((m) => (m.kind === object.kind && m.metadata?.name === object.metadata.name ? object : m));
  if (!replaced.includes(object)) replaced.push(object);
  return RulePack.latch().evaluate(replaced).errors.map((f) => f.ruleId);
}

test('the guarded pods really run native sidecars: the agent and gate first among the init containers', () => {
  for (const [kind, name, inits] of [['Deployment', 'shop', ['latch-agent', 'latch-gate']], ['Job', 'nightly', ['latch-agent', 'latch-gate']], ['Job', 'ledger', ['latch-gate']]] as const) {
    const spec = podSpec(find(manifests, kind, name));
    expect([name, spec.initContainers.map((c: any) => [c.name, c.restartPolicy]), spec.containers.map((c: any) => c.name)])
      .toEqual([name, inits.map((n) => [n, 'Always']), ['app']]);
  }
});

test('admission: every validation holds on the 1.29 workloads and their pods, on CREATE and on an unchanged UPDATE', () => {
  for (const w of workloads) {
    expect([w.metadata.name, denials(w)]).toEqual([w.metadata.name, []]);
    const results = evaluateCel(validations.map((v) => ({ expression: v.expression, context: { object: w, oldObject: w, request: { operation: 'UPDATE' } } })));
    expect(results.filter((r) => !('value' in r) || r.value !== true)).toEqual([]);
  }
  for (const [kind, name] of [['Deployment', 'shop'], ['Job', 'nightly'], ['Job', 'ledger']]) expect([name, denials(podOf(kind, name))]).toEqual([name, []]);
});

test('admission: the restartable init container clause is written only for an app with native sidecars (1.28 is 1.27\'s policy)', () => {
  const policyText = (m: any[]) => JSON.stringify(find(m, 'ValidatingAdmissionPolicy').spec.validations);
  const v127 = policyText(build(KubernetesVersion.V1_27));
  expect(policyText(build(KubernetesVersion.V1_28))).toBe(v127);
  expect(v127).not.toContain('restartPolicy');
  expect(JSON.stringify(validations)).toContain("c.restartPolicy == 'Always'");
});

test('rules: zero findings of the restricted and latch packs on the 1.29 output', () => {
  for (const pack of [RulePack.restricted(), RulePack.latch()]) {
    expect([pack.name, pack.evaluate(manifests).findings.map((f) => `${f.ruleId} ${f.kind}/${f.name} ${f.path}`)]).toEqual([pack.name, []]);
  }
});

describe('attacks on the native sidecar placement: denied at admission and reported by the latch rules', () => {
  const rw = (name: string, extra: any = {}) => ({
    name,
    image: AGENT_IMAGE,
    command: RUN,
    args: ['run'],
    securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false, runAsNonRoot: true },
    volumeMounts: [{ name: 'latch-status', mountPath: '/usr/share/latch' }],
    ...extra,
  });

  test.each([['Deployment', 'shop'], ['Job', 'nightly']])('%s %s: a second restartable init container mounting latch-status read-write', (kind, name) => {
    const w = clone(find(manifests, kind, name));
    podSpec(w).initContainers.splice(1, 0, rw('latch-helper', { restartPolicy: 'Always' }));
    expect(denials(w)).toEqual(['latch-status-volume-single-writer']);
    expect(latchErrors(w)).toContain('SL-LATCH-2');
  });

  test('the same, placed before the agent, on a live Pod', () => {
    const pod = podOf('Deployment', 'shop');
    podSpec(pod).initContainers.unshift(rw('early-writer', { restartPolicy: 'Always' }));
    expect(denials(pod)).toEqual(['latch-status-volume-single-writer']);
  });

  test('the agent\'s restartPolicy removed: a plain init container writing before the application starts', () => {
    const w = clone(find(manifests, 'Job', 'nightly'));
    delete initNamed(w, 'latch-agent').restartPolicy;
    expect(denials(w)).toEqual(['latch-status-volume-single-writer', 'latch-status-volume-source', 'latch-guarded-workloads-keep-the-latch']);
    expect(latchErrors(w)).toContain('SL-LATCH-1');
  });

  test('restartPolicy: OnFailure is no native sidecar either', () => {
    const pod = podOf('Job', 'nightly');
    initNamed(pod, 'latch-agent').restartPolicy = 'OnFailure';
    expect(denials(pod)).toEqual(['latch-status-volume-single-writer', 'latch-status-volume-source']);
  });

  test('the agent\'s startup probe replaced by code that writes "open" (probes run with the agent\'s read-write mount): SL-LATCH-12', () => {
    const w = clone(find(manifests, 'Deployment', 'shop'));
    initNamed(w, 'latch-agent').startupProbe.exec.command = ['/nodejs/bin/node', '-e', 'require("fs").writeFileSync("/usr/share/latch/latch-info.json","open")'];
    expect(latchErrors(w)).toEqual(['SL-LATCH-12']);
  });

  test.each([['startupProbe', 'a subcommand that is no question (a second `run`)'], ['lifecycle.preStop', 'a shell hook']])('the agent\'s %s running %s: SL-LATCH-12', (field) => {
    const w = clone(find(manifests, 'Job', 'nightly'));
    const agent = initNamed(w, 'latch-agent');
    if (field === 'startupProbe') agent.startupProbe.exec.command = [...RUN, 'run'];
    else agent.lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', 'echo open > /usr/share/latch/latch-info.json'] } } };
    expect(latchErrors(w)).toEqual(['SL-LATCH-12']);
  });

  test('an app without native sidecars admits no writer among the init containers, restartable or not', () => {
    const old = build(KubernetesVersion.V1_28);
    const oldValidations = find(old, 'ValidatingAdmissionPolicy').spec.validations;
    const d = clone(find(old, 'Deployment', 'shop'));
    const spec = podSpec(d);
    const agent = spec.containers.find((c: any) => c.name === 'latch-agent');
    spec.containers = spec.containers.filter((c: any) => c !== agent);
    spec.initContainers = [{ ...agent, restartPolicy: 'Always' }];
    expect(denials(d, oldValidations)).toEqual(['latch-status-volume-single-writer', 'latch-status-volume-source', 'latch-guarded-workloads-keep-the-latch']);
  });
});

/** The Falco fields of a pod of workload `w`: its namespace and the labels of its template. */
const podFields = (w: any) => ({ 'k8s.ns.name': 'apps', ...Object.fromEntries(Object.entries(podTemplate(w).metadata.labels).map(([k, v]) => [`k8s.pod.label[${k}]`, v])) });

describe('Falco knows the init containers', () => {
  const items = parse(find(manifests, 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml']) as any[];
  const lists = new Map<string, any[]>(items.filter((i) => 'list' in i).map((i) => [i.list, i.items]));

  test('the agent of the Job is the writer; its startup probe is an allowed command line', () => {
    expect(lists.get('superlatch_apps_nightly_containers')).toEqual(['"app"', '"latch-agent"', '"latch-gate"']);
    expect(lists.get('superlatch_apps_nightly_latch_agent_cmdlines')).toEqual(expect.arrayContaining([
      '"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js run"',
      '"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js published"',
    ]));
    expect(lists.get('superlatch_apps_nightly_latch_agent_status_paths')).toEqual(['"/usr/share/latch"']);
    const pod = podFields(find(manifests, 'Job', 'nightly'));
    const write = (name: string, argv: string[]) => openat(container(pod, name, name === 'app' ? 'registry.example.com/app' : AGENT_REPO), argv, '/usr/share/latch/latch-info.json', 'O_WRONLY|O_CREAT|O_TRUNC');
    expect(matchingRules(items, write('latch-agent', [...RUN, 'run']))).toEqual([]);
    expect(matchingRules(items, write('app', ['/usr/local/bin/report']))).toEqual(['Superlatch status volume written outside the latch agent']);
    expect(matchingRules(items, write('latch-gate', [...RUN, 'gate']))).toEqual(['Superlatch status volume written outside the latch agent']);
  });

  test('every entrypoint and exec probe of every init and regular container runs without an alert', () => {
    let checked = 0;
    for (const w of workloads) {
      const t = podTemplate(w);
      const pod = podFields(w);
      for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
        const where = container(pod, c.name, c.image.split('@')[0].replace(/:[^/:]*$/, ''));
        const probes = [c.livenessProbe, c.readinessProbe, c.startupProbe].map((p) => p?.exec?.command).filter(Boolean);
        for (const argv of [[...c.command, ...(c.args ?? [])], ...probes]) {
          expect([w.metadata.name, c.name, argv, matchingRules(items, exec(where, argv))]).toEqual([w.metadata.name, c.name, argv, []]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(12);
  });
});
