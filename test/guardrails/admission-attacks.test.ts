/**
 * Issue 11, admission policy: each attack is first built as the attacker would send it,
 * then evaluated with the policy's CEL by both evaluators (test/guardrails/cel.ts), on the
 * output of the real Latch construct (a sidecar latch guarding `shop`, a hub latch guarding
 * `ledger`).
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { evaluateCel } from './cel';
import { AGENT_IMAGE, AGENT_REPO } from './latch-fixtures';
import { Harden, Latch, LatchCredentials, LatchMode } from '../../src';
import { GuardrailAdmissionPolicy } from '../../src/guardrails';
import { coverNetwork, find, goodContainer, newChart, podSpec, podTemplate } from '../util';

jest.setTimeout(60_000);

const { chart } = newChart('apps');
const api = { cidrs: ['203.0.113.0/24'] };
const credentials = LatchCredentials.fromSecret('latch-credentials');
const sidecarLatch = new Latch(chart, 'orders', { credentials, api, image: AGENT_IMAGE });
const hubLatch = new Latch(chart, 'billing', { mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }), credentials, api, image: AGENT_IMAGE });
for (const [name, latch] of [['shop', sidecarLatch], ['ledger', hubLatch]] as const) {
  const d = new kplus.Deployment(chart, name, { metadata: { name }, replicas: 2, containers: [goodContainer({ command: ['/usr/local/bin/web-server'] })] });
  Harden.workload(d);
  coverNetwork(chart, d);
  latch.guard(d, { gate: true });
}
new GuardrailAdmissionPolicy(chart, 'admission', { namespaces: ['apps'], statusWriterImages: [AGENT_REPO] });
const manifests = Testing.synth(chart);
const validations: Array<{ message: string; expression: string }> = find(manifests, 'ValidatingAdmissionPolicy').spec.validations;
const NAMES = validations.map((v) => v.message.split(':')[0]);

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const deployment = (name: string) => clone(find(manifests, 'Deployment', name));
/** The pod the ReplicaSet of `name` creates: its template as a Pod. */
const podOf = (name: string) => {
  const d = deployment(name);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...podTemplate(d).metadata, name: `${name}-5d8f7-x2x9k`, namespace: 'apps' }, spec: podSpec(d) };
};
const container = (pod: any, name: string) => podSpec(pod).containers.find((c: any) => c.name === name);

interface Request { object: any; oldObject?: any }
/** The validations that deny the request (false), with both evaluators; throws on an evaluation error. */
function denials({ object, oldObject }: Request): string[] {
  const context = oldObject ? { object, oldObject, request: { operation: 'UPDATE' } } : { object };
  const results = evaluateCel(validations.map((v) => ({ expression: v.expression, context })));
  return results.flatMap((r, i) => {
    if ('error' in r) throw new Error(`${NAMES[i]}: ${r.error}`);
    return r.value === true ? [] : [NAMES[i]];
  });
}

test('the policy carries the facts (the latch ConfigMap, the guarded workloads) as literals', () => {
  expect(NAMES).toContain('latch-guarded-workloads-keep-the-latch');
  const text = validations.map((v) => v.expression).join('\n');
  expect(text).toContain("'billing-latch-status'");
  expect(text).toContain("object.metadata.name == 'shop'");
  expect(text).toContain("object.metadata.name == 'ledger'");
});

test('the real output is admitted: workloads, their pods, on CREATE and on an unchanged UPDATE', () => {
  for (const m of manifests.filter((x) => x.kind === 'Deployment')) {
    expect([m.metadata.name, denials({ object: m })]).toEqual([m.metadata.name, []]);
    expect([m.metadata.name, denials({ object: m, oldObject: m })]).toEqual([m.metadata.name, []]);
  }
  for (const name of ['shop', 'ledger']) expect(denials({ object: podOf(name) })).toEqual([]);
});

describe('single writer: decided by the reserved volume name, not by the pod\'s annotations', () => {
  test('status-volume annotation set to "decoy" and latch-status mounted read-write by the app: denied', () => {
    const pod = podOf('shop');
    pod.metadata.annotations['superlatch.io/status-volume'] = 'decoy';
    container(pod, 'app').volumeMounts.find((m: any) => m.name === 'latch-status').readOnly = false;
    expect(denials({ object: pod })).toContain('latch-status-volume-single-writer');
  });

  test('role label and every superlatch annotation dropped, latch-status mounted read-write: denied', () => {
    const pod = podOf('shop');
    delete pod.metadata.labels['superlatch.io/role'];
    delete pod.metadata.labels['superlatch.io/latch'];
    pod.metadata.annotations = {};
    delete container(pod, 'app').volumeMounts.find((m: any) => m.name === 'latch-status').readOnly;
    expect(denials({ object: pod })).toEqual(['latch-status-volume-single-writer']);
  });

  test('the same on the Deployment (its template): denied, and the guarded workload must keep the latch', () => {
    const d = deployment('shop');
    podTemplate(d).metadata.annotations = {};
    delete container(d, 'app').volumeMounts.find((m: any) => m.name === 'latch-status').readOnly;
    expect(denials({ object: d })).toEqual(['latch-guarded-pods-declare-status-volume', 'latch-status-volume-single-writer', 'latch-guarded-workloads-keep-the-latch']);
  });
});

describe('the two-step live-pod attack', () => {
  const live = podOf('shop');
  const step1 = clone(live);
  step1.metadata.annotations['superlatch.io/status-volume'] = 'decoy';
  const debug = (name: string) => ({
    name,
    image: AGENT_IMAGE,
    securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false },
    volumeMounts: [{ name: 'latch-status', mountPath: '/x' }],
  });

  test('step 1, UPDATE the annotation: denied (the latch annotations of a Pod are immutable)', () => {
    expect(denials({ object: step1, oldObject: live })).toEqual(['latch-metadata-unchanged']);
  });

  test('step 2, pods/ephemeralcontainers with a read-write latch-status mount: denied, even had step 1 passed', () => {
    const step2 = clone(step1);
    step2.spec.ephemeralContainers = [debug('debug')];
    // (the decoy annotation itself breaks the guarded pod's declaration too)
    expect(denials({ object: step2, oldObject: step1 })).toEqual(['latch-guarded-pods-declare-status-volume', 'latch-status-volume-single-writer']);
    const fromLive = clone(live);
    fromLive.spec.ephemeralContainers = [debug('debug')];
    expect(denials({ object: fromLive, oldObject: live })).toEqual(['latch-status-volume-single-writer']);
  });

  test('an ephemeral container named like the agent is no writer either; a read-only one is admitted', () => {
    const hubPod = podOf('ledger');
    const named = clone(hubPod);
    named.spec.ephemeralContainers = [debug('latch-agent')];
    expect(denials({ object: named, oldObject: hubPod })).toEqual(['latch-status-volume-single-writer']);
    const ro = clone(live);
    ro.spec.ephemeralContainers = [{ ...debug('debug'), volumeMounts: [{ name: 'latch-status', mountPath: '/x', readOnly: true }] }];
    expect(denials({ object: ro, oldObject: live })).toEqual([]);
  });

  test('an init container named like the agent is no writer either (docs/guardrails.md, what it stops)', () => {
    const pod = podOf('shop');
    podSpec(pod).initContainers = [debug('latch-agent')];
    expect(denials({ object: pod })).toEqual(['latch-status-volume-single-writer']);
  });

  test('labels: removing or adding the latch labels of a live Pod is denied', () => {
    const removed = clone(live);
    delete removed.metadata.labels['superlatch.io/latch'];
    expect(denials({ object: removed, oldObject: live })).toEqual(['latch-metadata-unchanged']);
    const plain = clone(live);
    delete plain.metadata.labels['superlatch.io/role'];
    expect(denials({ object: live, oldObject: plain })).toEqual(['latch-metadata-unchanged']);
  });
});

describe('UPDATE compares with oldObject', () => {
  test('removing a finalizer from an existing pod with a tag-only image: admitted; changing its image: denied', () => {
    const old = podOf('shop');
    container(old, 'app').image = 'registry.example.com/app:1.0';
    old.metadata.finalizers = ['example.com/cleanup'];
    expect(denials({ object: old })).toContain('image-digest'); // it would not be admitted today
    const released = clone(old);
    delete released.metadata.finalizers;
    expect(denials({ object: released, oldObject: old })).toEqual([]);
    const retagged = clone(old);
    container(retagged, 'app').image = 'registry.example.com/app:1.1';
    expect(denials({ object: retagged, oldObject: old })).toEqual(['image-digest']);
  });

  test('scaling an old non-compliant ReplicaSet to 0: admitted; changing its template: denied', () => {
    const old = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-old', namespace: 'apps' }, spec: { replicas: 3, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', securityContext: { privileged: true } }] } } } };
    expect(denials({ object: old }).length).toBeGreaterThan(0);
    const scaled = clone(old);
    scaled.spec.replicas = 0;
    expect(denials({ object: scaled, oldObject: old })).toEqual([]);
    const changed = clone(scaled);
    changed.spec.template.spec.containers[0].image = 'nginx:1.26';
    expect(denials({ object: changed, oldObject: old })).toContain('image-digest');
  });

  test('a template\'s latch labels and annotations may not be changed or removed; stripping the latch of a guarded workload is denied', () => {
    const old = deployment('ledger');
    const relabelled = clone(old);
    podTemplate(relabelled).metadata.labels['superlatch.io/latch'] = 'other';
    expect(denials({ object: relabelled, oldObject: old })).toEqual(['latch-guarded-workloads-keep-the-latch', 'latch-metadata-unchanged']);
  });
});

describe('capabilities: drop ALL is not enough', () => {
  test.each([['privileged', { privileged: true }], ['allowPrivilegeEscalation', { allowPrivilegeEscalation: true }]])('drop: [ALL] with %s: true is denied', (_what, extra) => {
    const pod = podOf('shop');
    Object.assign(container(pod, 'app').securityContext, extra);
    expect(container(pod, 'app').securityContext.capabilities.drop).toEqual(['ALL']);
    expect(denials({ object: pod })).toEqual(['drop-all-capabilities']);
  });
});

describe('the status volume is the latch\'s own', () => {
  test('a hub-guarded pod reading configMap forged-open: denied (pod and workload)', () => {
    const pod = podOf('ledger');
    podSpec(pod).volumes.find((v: any) => v.name === 'latch-status').configMap.name = 'forged-open';
    expect(denials({ object: pod })).toEqual(['latch-status-volume-source']);
    const d = deployment('ledger');
    podSpec(d).volumes.find((v: any) => v.name === 'latch-status').configMap.name = 'forged-open';
    expect(denials({ object: d })).toEqual(['latch-status-volume-source', 'latch-guarded-workloads-keep-the-latch']);
  });

  test('the ConfigMap of the latch, but in another namespace: denied', () => {
    const pod = podOf('ledger');
    pod.metadata.namespace = 'elsewhere';
    expect(denials({ object: pod })).toEqual(['latch-status-volume-source']);
  });

  test('a sidecar-guarded pod whose emptyDir is replaced by an attacker\'s ConfigMap: denied', () => {
    const pod = podOf('shop');
    const v = podSpec(pod).volumes.find((x: any) => x.name === 'latch-status');
    delete v.emptyDir;
    v.configMap = { name: 'attacker-open' };
    expect(denials({ object: pod })).toContain('latch-status-volume-source');
    const d = deployment('shop');
    const dv = podSpec(d).volumes.find((x: any) => x.name === 'latch-status');
    delete dv.emptyDir;
    dv.configMap = { name: 'attacker-open' };
    expect(denials({ object: d })).toEqual(expect.arrayContaining(['latch-status-volume-source', 'latch-guarded-workloads-keep-the-latch']));
  });

  test('the guarded Deployment with the latch removed (no agent, no status volume): denied', () => {
    const d = deployment('shop');
    const spec = podSpec(d);
    spec.containers = spec.containers.filter((c: any) => !c.name.startsWith('latch-'));
    spec.volumes = spec.volumes.filter((v: any) => !v.name.startsWith('latch-'));
    for (const c of spec.containers) c.volumeMounts = (c.volumeMounts ?? []).filter((m: any) => m.name !== 'latch-status');
    delete podTemplate(d).metadata.labels['superlatch.io/role'];
    expect(denials({ object: d })).toEqual(['latch-guarded-workloads-keep-the-latch']);
  });
});

test('a PodTemplate is covered like every kind of the table', () => {
  const pt = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt', namespace: 'apps' }, template: { metadata: {}, spec: clone(podSpec(deployment('shop'))) } };
  expect(denials({ object: pt })).toEqual([]);
  pt.template.spec.containers[0].image = 'nginx:1.25';
  expect(denials({ object: pt })).toEqual(['image-digest']);
});

test('what the policy does not stop (docs/latch.md): an unguarded copy of a guarded app under another name is admitted', () => {
  const d = deployment('shop');
  d.metadata.name = 'shop-copy';
  const spec = podSpec(d);
  spec.containers = spec.containers.filter((c: any) => !c.name.startsWith('latch-'));
  spec.volumes = spec.volumes.filter((v: any) => !v.name.startsWith('latch-'));
  for (const c of spec.containers) c.volumeMounts = (c.volumeMounts ?? []).filter((m: any) => m.name !== 'latch-status');
  delete podTemplate(d).metadata.labels['superlatch.io/role'];
  expect(denials({ object: d })).toEqual([]);
  d.metadata.name = 'shop';
  expect(denials({ object: d })).toEqual(['latch-guarded-workloads-keep-the-latch']);
});
