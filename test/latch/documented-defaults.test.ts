/** Every `@default` documented on the latch's props is what is rendered (docs read from the source). */
import { synthGuarded } from './helpers';
import { FailurePolicy, SuperlatchKeys } from '../../src';
import { documentedDefaults, find, podSpec, podTemplate } from '../util';

const sidecar = synthGuarded('sidecar');
const hub = synthGuarded('hub');
const agent = podSpec(sidecar.web).containers.find((c: any) => c.name === 'latch-agent');
const env = Object.fromEntries(agent.env.map((e: any) => [e.name, e.value]));
const master = find(hub.out, 'Deployment', 'latch-latch-agent');
const items = () => podSpec(sidecar.web).volumes.find((v: any) => v.name === 'latch-credentials').secret.items;

const checks: Record<string, Record<string, [string, () => void]>> = {
  LatchProps: {
    mode: ['LatchMode.sidecar()', () => {
      expect(sidecar.latch.mode.name).toBe('sidecar');
      expect(sidecar.out.some((m) => m.kind === 'Role')).toBe(false);
    }],
    name: ['- the construct id', () => expect(podTemplate(sidecar.web).metadata.labels[SuperlatchKeys.LATCH_LABEL]).toBe('latch')],
    pollInterval: ['Duration.seconds(10)', () => expect(env.LATCH_POLL_INTERVAL).toBe('10')],
    maxStaleness: ['- the larger of 60 seconds and 3 poll intervals', () => expect(env.LATCH_MAX_STALENESS).toBe('60')],
    failurePolicy: ['FailurePolicy.CLOSED', () => {
      expect(env.LATCH_FAILURE_POLICY).toBe('closed');
      expect(sidecar.latch.failurePolicy).toBe(FailurePolicy.CLOSED);
    }],
    statusDirectory: ['"/usr/share/latch"', () => expect(env.LATCH_STATUS_FILE).toBe('/usr/share/latch/latch-info.json')],
    agentCommand: ['["/nodejs/bin/node", "--jitless", "--no-expose-wasm", "/opt/superlatch-agent/main.js"]', () =>
      expect(agent.command).toEqual(['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js'])],
    agentResources: ['- cpu 10m/100m, memory 64Mi/128Mi, ephemeral-storage 8Mi/32Mi', () => expect(agent.resources).toEqual({
      requests: { 'cpu': '10m', 'memory': '64Mi', 'ephemeral-storage': '8Mi' },
      limits: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '32Mi' },
    })],
    agentUser: ['10002', () => expect(agent.securityContext).toMatchObject({ runAsUser: 10002, runAsGroup: 10002 })],
    agentSeccompProfile: ['- the pod\'s profile (RuntimeDefault)', () => expect(agent.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' })],
  },
  LatchApiProps: {
    url: ['"https://latch.tu.com"', () => expect(env.LATCH_API_URL).toBe('https://latch.tu.com')],
    version: ['"1.0"', () => expect(env.LATCH_API_VERSION).toBe('1.0')],
    port: ['- the port in `url`, else 443', () => expect(find(sidecar.out, 'NetworkPolicy', 'latch-latch-egress').spec.egress[1].ports).toEqual([{ protocol: 'TCP', port: 443 }])],
  },
  LatchHubProps: {
    apiServerPort: ['443', () => expect(find(hub.out, 'NetworkPolicy', 'latch-latch-agent').spec.egress.at(-1)).toEqual({
      to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }],
    })],
    configMapName: ['- `<latch name>-latch-status`', () => expect(find(hub.out, 'ConfigMap').metadata.name).toBe('latch-latch-status')],
    priorityClassName: ['- none: the cluster\'s default priority applies', () => expect(podSpec(master).priorityClassName).toBeUndefined()],
    masterProfile: ['HardeningProfile.restricted()', () => expect(master.metadata.annotations[SuperlatchKeys.PROFILE_ANNOTATION]).toBe('restricted')],
  },
  LatchSecretKeys: {
    appId: ['"appId"', () => expect(items()).toContainEqual({ key: 'appId', path: 'appId' })],
    secretKey: ['"secretKey"', () => expect(items()).toContainEqual({ key: 'secretKey', path: 'secretKey' })],
    accountId: ['"accountId"', () => expect(items()).toContainEqual({ key: 'accountId', path: 'accountId' })],
    operationId: ['- no operation: the application\'s latch', () => expect(items().map((i: any) => i.path)).not.toContain('operationId')],
  },
  GuardOptions: {
    containers: ['- every application container of the pod', () =>
      expect(podSpec(sidecar.web).containers.filter((c: any) => c.volumeMounts.some((m: any) => m.name === 'latch-status' && m.readOnly)).map((c: any) => c.name)).toEqual(['app'])],
    gate: ['false', () => expect(podSpec(sidecar.web).containers.map((c: any) => c.name)).toEqual(['app', 'latch-agent'])],
  },
};

const files: Record<string, string> = {
  LatchProps: 'latch/latch.ts',
  LatchApiProps: 'latch/latch.ts',
  LatchHubProps: 'latch/modes/hub.ts',
  GuardOptions: 'latch/latch.ts',
  LatchSecretKeys: 'latch/latch-credentials.ts',
};

describe.each(Object.keys(checks))('%s', (iface) => {
  const documented = documentedDefaults(files[iface], iface);

  test('every prop with a @default has a rendering check', () => {
    expect(Object.keys(checks[iface]).sort()).toEqual(Object.keys(documented).sort());
  });

  test.each(Object.keys(documented))('%s: rendered value is the documented @default', (prop) => {
    const [expected, check] = checks[iface][prop];
    expect(documented[prop]).toBe(expected);
    check();
  });
});
