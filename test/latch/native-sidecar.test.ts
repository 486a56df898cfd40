/**
 * Issue 14: the native sidecar agent from Kubernetes 1.29. Each behaviour is tested at the
 * boundary: 1.28 (the last version without native sidecars: the output of 1.27) and 1.29
 * (the first with them).
 */
import { ApiObject, App, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { stringify } from 'yaml';
import { GuardOptions, Harden, HardenedNamespace, HardeningProfile, KubernetesTarget, KubernetesVersion, Latch, LatchCredentials, LatchProps } from '../../src';
import { RulePack, RuleStatus } from '../../src/rules';
import { coverNetwork, errorOf, find, goodContainer, IMAGE, podSpec } from '../util';
import { LATCH_CONTAINER_SECURITY_CONTEXT, latchMode, ModeName } from './helpers';

const V1_28 = KubernetesVersion.V1_28;
const V1_29 = KubernetesVersion.V1_29;
const BOUNDARY = [V1_28, V1_29] as const;
const AGENT_CMD = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js'];
const batch = { ...goodContainer(), liveness: undefined, readiness: undefined };

type Maker = (chart: Chart) => IConstruct;
const MAKERS: Record<string, Maker> = {
  Deployment: (c) => new kplus.Deployment(c, 'w', { metadata: { name: 'w' }, containers: [goodContainer()] }),
  Job: (c) => new kplus.Job(c, 'w', { metadata: { name: 'w' }, containers: [batch] }),
  CronJob: (c) => new kplus.CronJob(c, 'w', { metadata: { name: 'w' }, containers: [batch], schedule: Cron.daily() }),
};

function latchProps(mode: ModeName): LatchProps {
  return {
    mode: latchMode(mode),
    credentials: LatchCredentials.fromSecret('latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    image: IMAGE,
  };
}

type Extra = (chart: Chart, w: IConstruct) => void;

/** An app targeting `version` (undefined: none set) whose workload `w` of `kind` a latch guards; `extra` runs before synthesis. */
function build(version: KubernetesVersion | undefined, kind: string, mode: ModeName = 'sidecar', options: GuardOptions = {}, extra?: Extra) {
  const app = Testing.app();
  if (version) KubernetesTarget.set(app, version);
  const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
  const w = MAKERS[kind](chart);
  coverNetwork(chart, w);
  new Latch(chart, 'latch', latchProps(mode)).guard(w, options);
  extra?.(chart, w);
  return { app, chart, w };
}

function synth(version: KubernetesVersion | undefined, kind: string, mode: ModeName = 'sidecar', options: GuardOptions = {}) {
  const out = Testing.synth(build(version, kind, mode, options).chart);
  return { out, w: find(out, kind, 'w') };
}

const names = (list: any[] | undefined) => (list ?? []).map((c: any) => c.name);
const named = (list: any[] | undefined, name: string) => (list ?? []).find((c: any) => c.name === name);

describe('where the agent goes: a regular container up to 1.28, the first init container from 1.29', () => {
  test('1.28: the agent is a regular container, no restartPolicy, no startup probe (as on 1.27)', () => {
    const spec = podSpec(synth(V1_28, 'Deployment').w);
    expect(names(spec.containers)).toEqual(['app', 'latch-agent']);
    expect(spec.initContainers).toBeUndefined();
    expect(named(spec.containers, 'latch-agent')).not.toHaveProperty('restartPolicy');
    expect(named(spec.containers, 'latch-agent')).not.toHaveProperty('startupProbe');
  });

  test('1.29: the agent is init container 0 with restartPolicy Always and a startup probe running `published`', () => {
    const spec = podSpec(synth(V1_29, 'Deployment').w);
    expect(names(spec.containers)).toEqual(['app']);
    expect(names(spec.initContainers)).toEqual(['latch-agent']);
    const agent = spec.initContainers[0];
    expect(agent.restartPolicy).toBe('Always');
    const published = { exec: { command: [...AGENT_CMD, 'published'] }, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 5 };
    expect(agent.startupProbe).toEqual(published);
    // the rest of the agent is unchanged: command, probes, the read-write status mount
    expect(agent.args).toEqual(['run']);
    expect(agent.livenessProbe.exec.command).toEqual([...AGENT_CMD, 'health']);
    expect(agent.readinessProbe.exec.command).toEqual([...AGENT_CMD, 'ready']);
    expect(agent.volumeMounts).toContainEqual({ name: 'latch-status', mountPath: '/usr/share/latch' });
    expect(agent.securityContext).toMatchObject({ runAsUser: 10002, runAsGroup: 10002, readOnlyRootFilesystem: true });
  });

  test('1.29: the agent comes before the user\'s own init containers, so they too start after the latch has spoken', () => {
    const { chart } = build(V1_29, 'Deployment', 'sidecar', { gate: true }, (_c, w) => {
      (w as kplus.Deployment).addInitContainer({ name: 'migrate', image: IMAGE });
    });
    const spec = podSpec(find(Testing.synth(chart), 'Deployment', 'w'));
    expect(names(spec.initContainers)).toEqual(['latch-agent', 'latch-gate', 'migrate']);
    expect(named(spec.initContainers, 'migrate')).not.toHaveProperty('restartPolicy');
  });

  test('the target is the workload\'s: a latch of a 1.27 chart guarding a workload of a 1.29 chart makes it a native sidecar', () => {
    const app = Testing.app();
    const old = new Chart(app, 'old', { namespace: 'apps', disableResourceNameHashes: true });
    const latch = new Latch(old, 'latch', latchProps('sidecar'));
    const fresh = new Chart(app, 'fresh', { namespace: 'apps', disableResourceNameHashes: true });
    KubernetesTarget.set(fresh, V1_29);
    const a = MAKERS.Deployment(old);
    const b = new kplus.Deployment(fresh, 'b', { metadata: { name: 'b' }, containers: [goodContainer()] });
    coverNetwork(old, a);
    coverNetwork(fresh, b);
    latch.guard(a);
    latch.guard(b);
    expect(names(podSpec(find(Testing.synth(old), 'Deployment', 'w')).initContainers)).toEqual([]);
    expect(names(podSpec(find(Testing.synth(fresh), 'Deployment', 'b')).initContainers)).toEqual(['latch-agent']);
  });
});

describe('the hardening finds the latch in the init containers', () => {
  test.each(BOUNDARY)('%s: the agent keeps the full restricted settings and its own uid when the workload is baseline, and no shared /tmp', (version) => {
    const { chart } = build(version, 'Deployment', 'sidecar', { gate: true }, (_c, w) => {
      Harden.workload(w, { profile: HardeningProfile.baseline() });
      ApiObject.of(w).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', false));
    });
    const spec = podSpec(find(Testing.synth(chart), 'Deployment', 'w'));
    const latch = [...(spec.initContainers ?? []), ...spec.containers].filter((c: any) => c.name.startsWith('latch-'));
    expect(latch.map((c: any) => c.name)).toEqual(['latch-agent', 'latch-gate']);
    expect(named(spec.containers, 'app').securityContext.readOnlyRootFilesystem).toBe(false);
    for (const c of latch) {
      expect([c.name, c.securityContext]).toEqual([c.name, LATCH_CONTAINER_SECURITY_CONTEXT]);
      expect([c.name, (c.volumeMounts ?? []).filter((m: any) => m.mountPath === '/tmp')]).toEqual([c.name, []]);
    }
  });

  test('1.29: an agent uid equal to the application uid is refused in the init containers too', () => {
    const app = Testing.app();
    KubernetesTarget.set(app, V1_29);
    const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
    const w = MAKERS.Job(chart);
    new Latch(chart, 'latch', { ...latchProps('sidecar'), agentUser: 10001 }).guard(w);
    expect(errorOf(() => Testing.synth(chart))).toContain("latch container 'latch-agent' runs as uid 10001, like the application containers");
  });
});

describe('the gate', () => {
  test('1.28: a regular container after the agent', () => {
    const spec = podSpec(synth(V1_28, 'Deployment', 'sidecar', { gate: true }).w);
    expect(names(spec.containers)).toEqual(['app', 'latch-agent', 'latch-gate']);
  });

  test('1.29: a native sidecar after the agent, restartPolicy Always, no startup probe (it never holds back the application)', () => {
    const spec = podSpec(synth(V1_29, 'Deployment', 'sidecar', { gate: true }).w);
    expect(names(spec.containers)).toEqual(['app']);
    expect(names(spec.initContainers)).toEqual(['latch-agent', 'latch-gate']);
    const gate = spec.initContainers[1];
    expect(gate.restartPolicy).toBe('Always');
    expect(gate).not.toHaveProperty('startupProbe');
    expect(gate.readinessProbe).toMatchObject({ exec: { command: [...AGENT_CMD, 'check', '--file', '/usr/share/latch/latch-info.json'] }, failureThreshold: 1 });
    expect(gate.volumeMounts).toContainEqual({ name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true });
  });

  test.each(BOUNDARY)('hub mode on %s: guarded pods stay readers; only the gate moves to the init containers from 1.29', (version) => {
    const plain = podSpec(synth(version, 'Deployment', 'hub').w);
    expect([names(plain.containers), plain.initContainers]).toEqual([['app'], undefined]);
    const gated = podSpec(synth(version, 'Deployment', 'hub', { gate: true }).w);
    if (version === V1_28) {
      expect([names(gated.containers), gated.initContainers]).toEqual([['app', 'latch-gate'], undefined]);
    } else {
      expect([names(gated.containers), names(gated.initContainers)]).toEqual([['app'], ['latch-gate']]);
      expect(gated.initContainers[0].restartPolicy).toBe('Always');
    }
  });
});

describe('1.28 writes what 1.27 wrote', () => {
  test.each([
    ['Deployment', 'sidecar', { gate: true }],
    ['Deployment', 'hub', { gate: true }],
    ['Job', 'hub', {}],
  ] as const)('%s, %s mode: byte-identical YAML with no target, 1.27 and 1.28 (1.29 differs only where a latch container moves)', (kind, mode, options) => {
    const yaml = (version?: KubernetesVersion) => Testing.synth(build(version, kind, mode, options).chart).map((m) => stringify(m)).join('---\n');
    const none = yaml();
    expect(yaml(KubernetesVersion.V1_27)).toBe(none);
    expect(yaml(V1_28)).toBe(none);
    const moves = mode === 'sidecar' || (options as GuardOptions).gate === true;
    expect(yaml(V1_29) === none).toBe(!moves);
  });
});

describe('Jobs and CronJobs', () => {
  test.each(['Job', 'CronJob'])('1.28: a %s cannot take the agent sidecar; the message names the fix, targeting 1.29', (kind) => {
    const message = errorOf(() => Testing.synth(build(V1_28, kind).chart));
    expect(message).toContain(`a ${kind} cannot run the agent sidecar on Kubernetes v1.28`);
    expect(message).toContain('Fix: target Kubernetes v1.29 or newer (KubernetesTarget.set(app, KubernetesVersion.V1_29)');
  });

  test.each(['Job', 'CronJob'])('1.28: a %s cannot take the hub gate either', (kind) => {
    expect(errorOf(() => Testing.synth(build(V1_28, kind, 'hub', { gate: true }).chart))).toContain(`a ${kind} cannot run the gate on Kubernetes v1.28`);
  });

  test.each(['Job', 'CronJob'])('1.29: a %s takes the agent (and the gate) as native sidecars; the pod keeps its own restartPolicy', (kind) => {
    const { w } = synth(V1_29, kind, 'sidecar', { gate: true });
    const spec = podSpec(w);
    expect(spec.restartPolicy).toBe('Never');
    expect(names(spec.containers)).toEqual(['app']);
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['latch-agent', 'Always'], ['latch-gate', 'Always']]);
    expect(spec.initContainers[0].startupProbe.exec.command).toEqual([...AGENT_CMD, 'published']);
    expect(named(spec.containers, 'app').volumeMounts).toContainEqual({ name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true });
  });

  test('1.29: an OnFailure Job keeps OnFailure', () => {
    const { chart } = build(V1_29, 'Deployment', 'sidecar', {}, (c) => {
      const job = new kplus.Job(c, 'retry', { metadata: { name: 'retry' }, containers: [batch], restartPolicy: kplus.RestartPolicy.ON_FAILURE });
      coverNetwork(c, job);
      Latch._allUnder(c)[0].guard(job);
    });
    const spec = podSpec(find(Testing.synth(chart), 'Job', 'retry'));
    expect([spec.restartPolicy, spec.initContainers.map((c: any) => [c.name, c.restartPolicy])]).toEqual(['OnFailure', [['latch-agent', 'Always']]]);
  });

  test('1.29: a hub-guarded Job with the gate', () => {
    const spec = podSpec(synth(V1_29, 'Job', 'hub', { gate: true }).w);
    expect([spec.restartPolicy, names(spec.containers), names(spec.initContainers), spec.initContainers[0].restartPolicy]).toEqual(['Never', ['app'], ['latch-gate'], 'Always']);
  });
});

describe('the rules on the 1.29 output: zero findings, and the latch rules really apply', () => {
  const cases = [
    ['Deployment', 'sidecar', { gate: true }],
    ['Job', 'sidecar', { gate: true }],
    ['CronJob', 'sidecar', {}],
    ['Job', 'hub', { gate: true }],
  ] as const;
  test.each(cases)('%s, %s mode: no finding of the restricted and latch packs', (kind, mode, options) => {
    const { out } = synth(V1_29, kind, mode, options);
    for (const pack of [RulePack.restricted(), RulePack.latch()]) {
      expect([pack.name, pack.evaluate(out).findings.map((f) => `${f.ruleId} ${f.kind}/${f.name} ${f.path}: ${f.message}`)]).toEqual([pack.name, []]);
    }
  });

  test('the sidecar Job: the writer, read-only and agent rules are compliant, not vacuously not applicable', () => {
    const report = RulePack.latch().evaluate(synth(V1_29, 'Job', 'sidecar', { gate: true }).out);
    for (const id of ['SL-LATCH-1', 'SL-LATCH-2', 'SL-LATCH-3', 'SL-LATCH-4', 'SL-LATCH-8', 'SL-LATCH-12']) {
      expect([id, report.statusOf(id)]).toEqual([id, RuleStatus.COMPLIANT]);
    }
  });
});

describe('namespace quotas count the native sidecar like the container it was', () => {
  test.each(BOUNDARY)('%s: a quota of exactly the pod\'s requests fits, 10m less does not', (version) => {
    const attempt = (cpu: string) => {
      const app = new App({ outdir: Testing.app().outdir });
      KubernetesTarget.set(app, version);
      const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
      new HardenedNamespace(chart, 'ns', { name: 'apps', quota: { requestsCpu: cpu } });
      const web = MAKERS.Deployment(chart);
      coverNetwork(chart, web);
      new Latch(chart, 'latch', latchProps('sidecar')).guard(web, { gate: true });
      return () => Testing.synth(chart);
    };
    // two replicas + one surge pod, each: app 100m + agent 10m + gate 10m
    expect(attempt('360m')).not.toThrow();
    expect(errorOf(attempt('350m'))).toContain('need 360m of requests.cpu in total, more than the 350m the quota allows: [test/w] 2 replicas + 1 surge in a rolling update × 120m = 360m');
  });
});
