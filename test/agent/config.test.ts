import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_ID, ACCOUNT, agentEnv, runAgent, SECRET, tempDir } from './helpers';
import { CredentialStore, heartbeatFile, loadApiConfig, loadRunConfig, readRunSettings } from '../../agent/src/config';
import { ConfigError } from '../../agent/src/env';
import { checkHeartbeat, MAX_CREDENTIAL_ERRORS, writeHeartbeat } from '../../agent/src/heartbeat';

// Spawning processes is slow on a busy CI machine: generous, never tight.
jest.setTimeout(60_000);

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A complete, valid environment writing into the temp dir. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    LATCH_APP_ID: APP_ID,
    LATCH_SECRET_KEY: SECRET,
    LATCH_ACCOUNT_ID: ACCOUNT,
    LATCH_STATUS_FILE: path.join(dir, 'latch-info.json'),
    ...extra,
  };
}

/** The variable a configuration error names. */
function failing(e: Record<string, string | undefined>): string {
  try {
    loadRunConfig(e);
  } catch (err) {
    if (err instanceof ConfigError) return err.variable;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('run configuration', () => {
  test('defaults', () => {
    const c = loadRunConfig(env());
    expect(c.api.baseUrl.origin).toBe('https://latch.tu.com');
    expect(c.api.version).toBe('1.0');
    expect(c.api.timeoutMs).toBe(5000);
    expect(c.pollIntervalMs).toBe(10_000);
    expect(c.maxStalenessMs).toBe(60_000);
    expect(c.backoffCap).toBe(6);
    expect(c.failurePolicy).toBe('closed');
    expect(c.operationId).toBeUndefined();
    expect(c.configMap).toBeUndefined();
    expect(c.heartbeatFile).toBe(path.join(dir, '.latch-agent-heartbeat'));
  });

  test('the default staleness grows with a long interval', () => {
    expect(loadRunConfig(env({ LATCH_POLL_INTERVAL: '30' })).maxStalenessMs).toBe(90_000);
  });

  test('credentials files are preferred to variables and lose their trailing newline', () => {
    const creds = path.join(dir, 'creds');
    fs.mkdirSync(creds, { recursive: true });
    fs.writeFileSync(path.join(creds, 'appId'), 'FileAppId01234567890\n');
    fs.writeFileSync(path.join(creds, 'secretKey'), 'FileSecret\n');
    fs.writeFileSync(path.join(creds, 'accountId'), 'FileAccount');
    fs.writeFileSync(path.join(creds, 'operationId'), 'FileOperation\n');
    const c = loadRunConfig(env({ LATCH_CREDENTIALS_DIR: creds }));
    expect(c.app).toEqual({ appId: 'FileAppId01234567890', secretKey: 'FileSecret' });
    expect(c.accountId).toBe('FileAccount');
    expect(c.operationId).toBe('FileOperation');
  });

  test('a credentials directory without a file falls back to the variable', () => {
    const creds = path.join(dir, 'partial');
    fs.mkdirSync(creds, { recursive: true });
    fs.writeFileSync(path.join(creds, 'appId'), 'FileAppId01234567890');
    expect(loadRunConfig(env({ LATCH_CREDENTIALS_DIR: creds })).app.secretKey).toBe(SECRET);
    expect(failing(env({ LATCH_CREDENTIALS_DIR: creds, LATCH_SECRET_KEY: undefined }))).toBe('LATCH_SECRET_KEY');
  });

  test('REFRESCO is accepted as the poll interval', () => {
    expect(loadRunConfig(env({ REFRESCO: '15' })).pollIntervalMs).toBe(15_000);
    expect(loadRunConfig(env({ REFRESCO: '15', LATCH_POLL_INTERVAL: '15' })).pollIntervalMs).toBe(15_000);
  });

  test('hub mode: no status file unless one is set, heartbeat under /tmp', () => {
    const sa = path.join(dir, 'sa');
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, 'token'), 'tok');
    fs.writeFileSync(path.join(sa, 'ca.crt'), 'ca');
    const hub = { LATCH_PUBLISH_CONFIGMAP: 'team-a/latch-status', KUBERNETES_SERVICE_HOST: '10.0.0.1', LATCH_SERVICEACCOUNT_DIR: sa };
    const c = loadRunConfig(env({ ...hub, LATCH_STATUS_FILE: undefined }));
    expect(c.statusFile).toBeUndefined();
    expect(c.configMap).toMatchObject({ namespace: 'team-a', name: 'latch-status', host: '10.0.0.1', port: 443, tokenFile: path.join(sa, 'token') });
    expect(c.heartbeatFile).toBe('/tmp/latch-agent-heartbeat');
    expect(loadRunConfig(env(hub)).statusFile).toBe(path.join(dir, 'latch-info.json'));
  });

  test('health finds the heartbeat where run writes it', () => {
    expect(heartbeatFile({ LATCH_STATUS_FILE: '/v/s.json' })).toBe('/v/.latch-agent-heartbeat');
    expect(heartbeatFile({})).toBe('/usr/share/latch/.latch-agent-heartbeat');
    expect(heartbeatFile({ LATCH_HEARTBEAT_FILE: '/hb/x' })).toBe('/hb/x');
    expect(heartbeatFile({ LATCH_PUBLISH_CONFIGMAP: 'a/b' })).toBe('/tmp/latch-agent-heartbeat');
  });

  test('http:// is accepted for loopback addresses only', () => {
    expect(loadApiConfig({ LATCH_API_URL: 'http://127.0.0.1:8080' }).baseUrl.origin).toBe('http://127.0.0.1:8080');
    expect(loadApiConfig({ LATCH_API_URL: 'http://localhost:1' }).baseUrl.origin).toBe('http://localhost:1');
    expect(loadApiConfig({ LATCH_API_URL: 'http://[::1]:1' }).baseUrl.origin).toBe('http://[::1]:1');
    expect(() => loadApiConfig({ LATCH_API_URL: 'http://latch.tu.com' })).toThrow(/LATCH_API_URL: plain http/);
    expect(() => loadApiConfig({ LATCH_API_URL: 'http://127.0.0.1.example.com' })).toThrow(/LATCH_API_URL/);
  });

  test.each([
    ['LATCH_APP_ID', { LATCH_APP_ID: undefined }],
    ['LATCH_SECRET_KEY', { LATCH_SECRET_KEY: '' }],
    ['LATCH_ACCOUNT_ID', { LATCH_ACCOUNT_ID: undefined }],
    ['LATCH_SECRET_KEY', { LATCH_SECRET_KEY: 'has space' }],
    ['LATCH_CREDENTIALS_DIR', { LATCH_CREDENTIALS_DIR: '/nonexistent/creds' }],
    ['LATCH_API_URL', { LATCH_API_URL: 'ftp://latch.tu.com' }],
    ['LATCH_API_URL', { LATCH_API_URL: 'https://latch.tu.com/prefix' }],
    ['LATCH_API_URL', { LATCH_API_URL: 'not a url' }],
    ['LATCH_API_VERSION', { LATCH_API_VERSION: 'v1' }],
    ['LATCH_POLL_INTERVAL', { LATCH_POLL_INTERVAL: 'ten' }],
    ['LATCH_POLL_INTERVAL', { LATCH_POLL_INTERVAL: '0' }],
    ['REFRESCO', { REFRESCO: '-1' }],
    ['REFRESCO', { REFRESCO: '5', LATCH_POLL_INTERVAL: '10' }],
    ['LATCH_HTTP_TIMEOUT', { LATCH_HTTP_TIMEOUT: '500' }],
    ['LATCH_MAX_STALENESS', { LATCH_MAX_STALENESS: '1' }],
    ['LATCH_MAX_STALENESS', { LATCH_POLL_INTERVAL: '10', LATCH_MAX_STALENESS: '15' }],
    ['LATCH_FAILURE_POLICY', { LATCH_FAILURE_POLICY: 'fail-open' }],
    ['LATCH_BACKOFF_CAP', { LATCH_BACKOFF_CAP: '1.5' }],
    ['LATCH_STATUS_FILE', { LATCH_STATUS_FILE: 'relative/latch-info.json' }],
    ['LATCH_STATUS_FILE', { LATCH_STATUS_FILE: '/nonexistent-dir/latch-info.json' }],
    ['LATCH_HEARTBEAT_FILE', { LATCH_HEARTBEAT_FILE: '/nonexistent-dir/hb' }],
    ['LATCH_PUBLISH_CONFIGMAP', { LATCH_PUBLISH_CONFIGMAP: 'just-a-name' }],
    ['LATCH_PUBLISH_CONFIGMAP', { LATCH_PUBLISH_CONFIGMAP: 'Bad_NS/name' }],
    ['KUBERNETES_SERVICE_HOST', { LATCH_PUBLISH_CONFIGMAP: 'ns/name' }],
    ['KUBERNETES_SERVICE_PORT', { LATCH_PUBLISH_CONFIGMAP: 'ns/name', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: 'https' }],
    ['LATCH_SERVICEACCOUNT_DIR', { LATCH_PUBLISH_CONFIGMAP: 'ns/name', KUBERNETES_SERVICE_HOST: '10.0.0.1', LATCH_SERVICEACCOUNT_DIR: '/nonexistent' }],
  ])('%s is named when it is wrong (%j)', (variable, extra) => {
    expect(failing(env(extra))).toBe(variable);
  });

  test('the CLI exits 64 with one line naming the variable', async () => {
    const r = await runAgent(['run'], agentEnv({ LATCH_APP_ID: APP_ID, LATCH_SECRET_KEY: SECRET, LATCH_ACCOUNT_ID: ACCOUNT, LATCH_POLL_INTERVAL: 'soon' }));
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^superlatch-agent: LATCH_POLL_INTERVAL: /);
  });

  test('bad usage exits 64 too, and --help exits 0 for every command', async () => {
    expect((await runAgent(['frobnicate'], agentEnv({}))).status).toBe(64);
    expect((await runAgent(['check', '--nope'], agentEnv({}))).status).toBe(64);
    expect((await runAgent(['pair'], agentEnv({ LATCH_APP_ID: APP_ID, LATCH_SECRET_KEY: SECRET }))).status).toBe(64);
    expect((await runAgent([], agentEnv({}))).status).toBe(64);
    for (const command of [[], ['run'], ['check'], ['gate'], ['health'], ['ready'], ['published'], ['pair'], ['unpair'], ['version']]) {
      const r = await runAgent([...command, '--help'], agentEnv({}));
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: superlatch-agent/);
    }
    const version = await runAgent(['--version'], agentEnv({}));
    expect(version).toMatchObject({ status: 0, stdout: expect.stringMatching(/^superlatch-agent \d+\.\d+\.\d+ \(status file contract v1\)\n$/) });
  });
});

describe('run settings', () => {
  test('come from the environment alone: missing directories and credentials only fail the full load', () => {
    const e = { LATCH_CREDENTIALS_DIR: '/nonexistent/creds', LATCH_STATUS_FILE: '/nonexistent-dir/latch-info.json', LATCH_POLL_INTERVAL: '2.5' };
    expect(readRunSettings(e)).toMatchObject({
      credentialsDir: '/nonexistent/creds',
      statusFile: '/nonexistent-dir/latch-info.json',
      heartbeatFile: '/nonexistent-dir/.latch-agent-heartbeat',
      pollIntervalMs: 2500,
      maxStalenessMs: 60_000,
    });
    expect(failing(e)).toBe('LATCH_CREDENTIALS_DIR');
  });
});

describe('credentials after the Latch API refused them (docs/latch.md, threat model)', () => {
  test('invalidate() re-reads a Secret whose ..data link did not move; without it the credentials are kept', () => {
    const creds = path.join(dir, 'creds-invalidate');
    const real = path.join(creds, '..2026_01_01_00_00_01.000000000');
    fs.mkdirSync(real, { recursive: true });
    fs.symlinkSync(path.basename(real), path.join(creds, '..data'));
    for (const [f, value] of [['appId', APP_ID], ['secretKey', 'OldSecret0'], ['accountId', ACCOUNT]]) {
      fs.writeFileSync(path.join(real, f), value);
      fs.symlinkSync(path.join('..data', f), path.join(creds, f));
    }
    const e = env({ LATCH_CREDENTIALS_DIR: creds });
    const store = new CredentialStore(e, loadRunConfig(e));
    fs.writeFileSync(path.join(real, 'secretKey'), 'NewSecret1');
    expect(store.current().app.secretKey).toBe('OldSecret0');
    store.invalidate();
    expect(store.current().app.secretKey).toBe('NewSecret1');
  });

  test(`health fails at ${MAX_CREDENTIAL_ERRORS} consecutive credential errors, not before`, () => {
    expect(MAX_CREDENTIAL_ERRORS).toBe(5);
    const file = path.join(dir, 'heartbeat-credentials');
    const now = Date.now();
    const healthyAt = (errors: number) => {
      writeHeartbeat(file, now, now + 60_000, true, errors);
      return checkHeartbeat(file, now).healthy;
    };
    expect([healthyAt(0), healthyAt(4), healthyAt(5)]).toEqual([true, true, false]);
  });
});
