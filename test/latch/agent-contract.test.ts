/**
 * The construct → agent contract: the env, command and args the `Latch` construct emits
 * (both modes, the gate, every exec probe) are fed into the agent's own command-line
 * parser and config loader (agent/src), which must accept them with the intended values.
 * The library never imports the agent; this test is where the two meet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration } from 'cdk8s';
import { MODES, ModeName, synthGuarded } from './helpers';
import { parseCommandLine } from '../../agent/src/commands';
import { CONFIGMAP_KEY, loadAccount, loadAppCredentials, readRunSettings, RunSettings } from '../../agent/src/config';
import { Env, read } from '../../agent/src/env';
import { LATCH_FAILURE_POLICY, LATCH_MAX_STALENESS, LATCH_POLL_INTERVAL, LATCH_STATUS_FILE, VARIABLES } from '../../agent/src/variables';
import { FailurePolicy, LatchProps } from '../../src';
import { find, podSpec } from '../util';

/** The namespace of synthGuarded's chart. */
const NAMESPACE = 'apps';
/** What the kubelet adds to every container's environment. */
const KUBELET_ENV = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

function synth(mode: ModeName, props: Partial<LatchProps> = {}) {
  const { out, latch, web } = synthGuarded(mode, props, { gate: true });
  const pod = podSpec(web);
  const agentPod = mode === 'hub' ? podSpec(find(out, 'Deployment', 'latch-latch-agent')) : pod;
  const container = (spec: any, name: string) => spec.containers.find((c: any) => c.name === name);
  return { latch, web: pod, agentPod, agent: container(agentPod, 'latch-agent'), gate: container(pod, 'latch-gate'), app: container(pod, 'app') };
}

/** A container's environment as the kubelet builds it: field refs resolved, `$(VAR)` expanded from earlier entries. */
function envOf(container: any): Env {
  const env: Record<string, string> = { ...KUBELET_ENV };
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      expect(e.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
      env[e.name] = NAMESPACE;
    } else {
      env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name) => env[name] ?? ref);
    }
  }
  return env;
}

/** What a latch's props decide in the agent's settings. */
function intended({ api, pollIntervalMs, maxStalenessMs, failurePolicy }: RunSettings) {
  return { api, pollIntervalMs, maxStalenessMs, failurePolicy };
}

/** The agent's reading of a command line the container runs (its command, then args or probe arguments). */
function invocation(container: any, argv: string[]) {
  expect(argv.slice(0, container.command.length)).toEqual(container.command);
  const parsed = parseCommandLine(argv.slice(container.command.length));
  if (parsed.help) throw new Error(`${argv.join(' ')} asks for help`);
  return { command: parsed.command.name, flags: parsed.flags };
}
const probe = (container: any, which: 'livenessProbe' | 'readinessProbe') => invocation(container, container[which].exec.command);

/** The mount of the container that holds `file`. */
function mountOf(container: any, file: string): any {
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${container.name} mounts nothing holding ${file}`);
  return mount;
}
const volume = (pod: any, name: string) => pod.volumes.find((v: any) => v.name === name);

/** Every LATCH_* variable the construct sets is one the agent reads, with a value it accepts. */
function expectKnownVariables(container: any) {
  const env = envOf(container);
  const known = VARIABLES.map((v) => v.name);
  const unknown = Object.keys(env).filter((name) => name.startsWith('LATCH_') && !known.includes(name));
  expect(`${container.name}: ${unknown.join(', ')}`).toBe(`${container.name}: `);
  for (const v of VARIABLES) read(env, v);
}

describe.each(MODES)('%s mode, defaults', (mode) => {
  const s = synth(mode);
  const settings = readRunSettings(envOf(s.agent));

  test('every latch container and guarded container gets only variables the agent knows, with values it accepts', () => {
    [s.agent, s.gate, s.app].forEach(expectKnownVariables);
  });

  test('the agent container runs `run`, and its probes `health` and `ready`', () => {
    expect(invocation(s.agent, [...s.agent.command, ...s.agent.args])).toEqual({ command: 'run', flags: {} });
    expect(probe(s.agent, 'livenessProbe').command).toBe('health');
    expect(probe(s.agent, 'readinessProbe').command).toBe('ready');
  });

  test('the construct\'s defaults are the agent\'s own: interval, staleness, failure policy, API', () => {
    expect(intended(settings)).toEqual(intended(readRunSettings({})));
    expect(settings.pollIntervalMs).toBe(10_000);
  });

  test('the credentials directory is the mounted Secret, and its files are the ones the agent reads', () => {
    const mount = s.agent.volumeMounts.find((m: any) => m.mountPath === settings.credentialsDir);
    expect(mount).toMatchObject({ readOnly: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-creds-'));
    try {
      for (const item of volume(s.agentPod, mount.name).secret.items) fs.writeFileSync(path.join(dir, item.path), `${item.key}-value\n`);
      expect(loadAppCredentials({ LATCH_CREDENTIALS_DIR: dir })).toEqual({ appId: 'appId-value', secretKey: 'secretKey-value' });
      expect(loadAccount({ LATCH_CREDENTIALS_DIR: dir })).toEqual({ accountId: 'accountId-value', operationId: undefined });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the heartbeat `run` writes and `health`/`ready` read lies on a writable mount of the agent container', () => {
    const mount = mountOf(s.agent, settings.heartbeatFile);
    expect(mount.readOnly).not.toBe(true);
    expect(volume(s.agentPod, mount.name).emptyDir).toBeDefined();
  });

  test('the gate runs `gate`, its liveness `version`, its readiness `check` on the file the latch publishes, mounted read-only', () => {
    expect(invocation(s.gate, [...s.gate.command, ...s.gate.args]).command).toBe('gate');
    expect(probe(s.gate, 'livenessProbe')).toEqual({ command: 'version', flags: {} });
    expect(probe(s.gate, 'readinessProbe')).toEqual({ command: 'check', flags: { file: s.latch.statusFile } });
    expect(read(envOf(s.gate), LATCH_STATUS_FILE)).toBe(s.latch.statusFile);
    expect(mountOf(s.gate, s.latch.statusFile)).toMatchObject({ name: 'latch-status', readOnly: true });
  });
});

test('sidecar: the agent writes the status file every reader mounts', () => {
  const s = synth('sidecar');
  const settings = readRunSettings(envOf(s.agent));
  expect(settings).toMatchObject({ statusFile: '/usr/share/latch/latch-info.json', configMap: undefined });
  expect(mountOf(s.agent, settings.statusFile!)).toEqual({ name: 'latch-status', mountPath: '/usr/share/latch' });
  expect(mountOf(s.app, settings.statusFile!)).toEqual({ name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true });
});

describe('hub mode with every setting changed', () => {
  const s = synth('hub', {
    api: { cidrs: ['203.0.113.0/24'], url: 'https://latch.example.com:8443', version: '3.0' },
    pollInterval: Duration.seconds(30),
    maxStaleness: Duration.minutes(2),
    failurePolicy: FailurePolicy.OPEN,
    statusDirectory: '/var/run/latch',
  });
  const settings = readRunSettings(envOf(s.agent));

  test('the agent reads the intended API, interval, staleness and failure policy', () => {
    expect(settings.api).toEqual({ baseUrl: new URL('https://latch.example.com:8443'), version: '3.0', timeoutMs: 5000 });
    expect(settings).toMatchObject({ pollIntervalMs: 30_000, maxStalenessMs: 120_000, failurePolicy: 'open', statusFile: undefined });
  });

  test('it publishes the ConfigMap the guarded pods mount, in its own namespace, with the projected token and CA', () => {
    const cm = settings.configMap!;
    expect(cm).toMatchObject({ namespace: NAMESPACE, name: s.latch.configMapName, host: KUBELET_ENV.KUBERNETES_SERVICE_HOST, port: 443 });
    expect(volume(s.web, 'latch-status').configMap.name).toBe(s.latch.configMapName);
    expect(path.basename(s.latch.statusFile)).toBe(CONFIGMAP_KEY);
    const projected = volume(s.agentPod, mountOf(s.agent, cm.tokenFile).name).projected;
    expect(mountOf(s.agent, cm.caFile).name).toBe(mountOf(s.agent, cm.tokenFile).name);
    const paths = projected.sources.map((src: any) => src.serviceAccountToken?.path ?? src.configMap.items[0].path);
    expect(paths.map((p: string) => path.join(mountOf(s.agent, cm.tokenFile).mountPath, p))).toEqual([cm.tokenFile, cm.caFile]);
  });

  test('the gate of an open latch allows unknown, and checks the file under the chosen directory', () => {
    expect(probe(s.gate, 'readinessProbe')).toEqual({ command: 'check', flags: { 'file': '/var/run/latch/latch-info.json', 'allow-unknown': true } });
  });

  test('readers get the failure policy the agent publishes', () => {
    expect(read(envOf(s.app), LATCH_FAILURE_POLICY)).toBe(settings.failurePolicy);
  });
});

/** The outcome of `fn`: its value, or the message of what it threw. */
function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

describe('what the agent refuses, the construct refuses at synth; what it accepts, the agent reads as meant', () => {
  const api = (extra: object) => ({ api: { cidrs: ['203.0.113.0/24'], ...extra } });
  const cases: Array<[string, Partial<LatchProps>, Record<string, string>]> = [
    ['the longest interval', { pollInterval: Duration.seconds(LATCH_POLL_INTERVAL.max) }, { LATCH_POLL_INTERVAL: String(LATCH_POLL_INTERVAL.max) }],
    ['an interval over it', { pollInterval: Duration.seconds(LATCH_POLL_INTERVAL.max + 1) }, { LATCH_POLL_INTERVAL: String(LATCH_POLL_INTERVAL.max + 1) }],
    ['a fractional interval', { pollInterval: Duration.millis(1500) }, { LATCH_POLL_INTERVAL: '1.5' }],
    ['the longest staleness', { maxStaleness: Duration.seconds(LATCH_MAX_STALENESS.max) }, { LATCH_MAX_STALENESS: String(LATCH_MAX_STALENESS.max) }],
    ['a staleness over it', { maxStaleness: Duration.seconds(LATCH_MAX_STALENESS.max + 1) }, { LATCH_MAX_STALENESS: String(LATCH_MAX_STALENESS.max + 1) }],
    ['API version 3.0', api({ version: '3.0' }), { LATCH_API_VERSION: '3.0' }],
    ['API version v3', api({ version: 'v3' }), { LATCH_API_VERSION: 'v3' }],
    ['an API URL with a port', api({ url: 'https://latch.example.com:8443' }), { LATCH_API_URL: 'https://latch.example.com:8443' }],
    ['an API URL with a path', api({ url: 'https://latch.example.com/latch' }), { LATCH_API_URL: 'https://latch.example.com/latch' }],
    ['an API URL with credentials', api({ url: 'https://user:pw@latch.example.com' }), { LATCH_API_URL: 'https://user:pw@latch.example.com' }],
    ['an API URL with a query', api({ url: 'https://latch.example.com/?region=eu' }), { LATCH_API_URL: 'https://latch.example.com/?region=eu' }],
  ];

  test.each(cases)('%s', (_what, props, meant) => {
    const agent = attempt(() => readRunSettings(meant));
    const synthesized = attempt(() => synth('sidecar', props));
    if (!synthesized.ok) {
      expect(agent).toMatchObject({ ok: false });
      expect(synthesized.error).toMatch(/^\[test\/latch\]: .*\. Fix: /);
      return;
    }
    expect(agent).toMatchObject({ ok: true });
    if (agent.ok) expect(intended(readRunSettings(envOf(synthesized.value.agent)))).toEqual(intended(agent.value));
  });
});
