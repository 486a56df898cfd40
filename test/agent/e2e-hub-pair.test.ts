/**
 * End to end: hub mode (publishing to a ConfigMap through a fake in-cluster API server),
 * HTTPS to the Latch API, and the pair / unpair commands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeKube } from './fake-kube';
import { harnessesOfThisFile } from './harness';
import { ACCOUNT, FIXTURES, tls, waitFor } from './helpers';
import { evaluateStatus } from '../../agent/src/status-file';

jest.setTimeout(60_000);

const harness = harnessesOfThisFile();

describe('hub mode', () => {
  const TOKEN = 'kube-token-for-tests';
  let kube: FakeKube;
  beforeAll(async () => {
    kube = await FakeKube.start(tls(), TOKEN);
  });
  afterAll(async () => kube.close());

  /** A ServiceAccount directory under `dir`: the token, and the test certificate as `ca.crt`. */
  function serviceAccountDir(dir: string): string {
    const sa = path.join(dir, 'serviceaccount');
    fs.mkdirSync(sa);
    fs.writeFileSync(path.join(sa, 'token'), TOKEN + '\n');
    fs.copyFileSync(path.join(FIXTURES, 'tls-cert.pem'), path.join(sa, 'ca.crt'));
    return sa;
  }

  test('publishes the status into the ConfigMap key latch-info.json, and survives a Role that forbids it', async () => {
    const h = await harness();
    const sa = serviceAccountDir(h.dir);
    kube.configMaps.set('team-a/latch-status', {});
    const hub = {
      LATCH_STATUS_FILE: '',
      LATCH_PUBLISH_CONFIGMAP: 'team-a/latch-status',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(kube.port),
      LATCH_SERVICEACCOUNT_DIR: sa,
      LATCH_HEARTBEAT_FILE: path.join(h.dir, 'heartbeat'),
    };
    const agent = h.start(hub);
    const published = (): ReturnType<typeof evaluateStatus> | undefined => {
      const text = kube.configMaps.get('team-a/latch-status')?.['latch-info.json'];
      return text === undefined ? undefined : evaluateStatus(text, Date.now());
    };
    await waitFor('an open status in the ConfigMap', () => published()?.state === 'open');
    h.sim.setStatus(ACCOUNT, 'off');
    await waitFor('a locked status in the ConfigMap', () => published()?.state === 'locked');
    expect(fs.existsSync(h.file)).toBe(false);
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) {
      expect(p).toMatchObject({ contentType: 'application/merge-patch+json', status: 200 });
      expect(p.path).toBe('/api/v1/namespaces/team-a/configmaps/latch-status?fieldManager=superlatch-agent');
    }
    expect((await h.run(['health'], hub)).status).toBe(0);

    kube.forbid = true;
    const line = await waitFor('a publication failure', () => agent.logs().find((l) => l.event === 'publish_failed'));
    expect(line).toMatchObject({ level: 'error', target: 'configmap:team-a/latch-status', kind: 'http-403' });
    expect(line.message).toMatch(/Role/);
    expect(agent.running).toBe(true);
    kube.forbid = false;
    h.sim.setStatus(ACCOUNT, 'on');
    await waitFor('the ConfigMap to follow again', () => published()?.state === 'open');
    expect(JSON.stringify(agent.logs())).not.toContain(TOKEN);
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 does not send the token to an API server with the wrong certificate', async () => {
    const fake = await FakeKube.start(tls('untrusted'), TOKEN);
    try {
      const h = await harness();
      const sa = serviceAccountDir(h.dir);
      fake.configMaps.set('team-a/latch-status', {});
      const agent = h.start({
        LATCH_STATUS_FILE: '',
        LATCH_PUBLISH_CONFIGMAP: 'team-a/latch-status',
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String(fake.port),
        LATCH_SERVICEACCOUNT_DIR: sa,
        LATCH_HEARTBEAT_FILE: path.join(h.dir, 'heartbeat'),
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      });
      const line = await waitFor('a publication failure', () => agent.logs().find((l) => l.event === 'publish_failed'));
      expect(line).toMatchObject({ target: 'configmap:team-a/latch-status', kind: 'tls' });
      expect(fake.requests).toEqual([]);
      expect(fake.configMaps.get('team-a/latch-status')).toEqual({});
    } finally {
      await fake.close();
    }
  });
});

describe('HTTPS to the Latch API', () => {
  test('works with the CA given by LATCH_API_CA_FILE', async () => {
    const h = await harness({ https: true });
    expect(h.sim.url).toMatch(/^https:/);
    h.start();
    await waitFor('an open status file', () => h.status()?.latched === false);
  });

  test('an untrusted certificate is a tls fault; NODE_EXTRA_CA_CERTS does not make it trusted', async () => {
    const h = await harness({ https: true });
    const agent = h.start({ LATCH_API_CA_FILE: '', NODE_EXTRA_CA_CERTS: path.join(FIXTURES, 'tls-cert.pem') });
    const line = await waitFor('a tls fault', () => agent.logs().find((l) => l.event === 'poll_failed'));
    expect(line.kind).toBe('tls');
    expect(agent.logs().find((l) => l.event === 'tls_environment_ignored')).toMatchObject({ level: 'warn' });
    expect(h.sim.requests).toEqual([]);
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 does not make a self-signed Latch endpoint trusted', async () => {
    const h = await harness({ untrusted: true });
    const agent = h.start({ NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    const line = await waitFor('a tls fault', () => agent.logs().find((l) => l.event === 'poll_failed'));
    expect(line.kind).toBe('tls');
    await waitFor('the failure policy published', () => h.status()?.source === 'failure-policy');
    expect(h.sim.requests).toEqual([]);
    expect(h.status()).toMatchObject({ latched: true, source: 'failure-policy' });
  });

  test('a private CA file that holds no certificate is a configuration error', async () => {
    const h = await harness({ https: true });
    const bad = path.join(h.dir, 'not-a-ca.pem');
    fs.writeFileSync(bad, 'hello\n');
    const r = await h.run(['pair', '--token', 'Ab12Cd'], { LATCH_API_CA_FILE: bad });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/LATCH_API_CA_FILE: .* holds no PEM certificate/);
  });
});

describe('pair and unpair', () => {
  test('pair --token prints the account id; a used token is explained', async () => {
    const h = await harness();
    h.sim.addPairingToken('Ab12Cd', 'PairedAccount000000000000000000001');
    const ok = await h.run(['pair', '--token', 'Ab12Cd']);
    expect(ok).toMatchObject({ status: 0, stdout: 'PairedAccount000000000000000000001\n', stderr: '' });
    const again = await h.run(['pair', '--token', 'Ab12Cd']);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/error 206: pairing token not found or expired: generate a new token in the Latch app/);
    expect(h.sim.requests.filter((r) => r.route === 'pair').map((r) => r.outcome)).toEqual(['ok', 'error:206']);
  });

  test('pair --id uses pairWithId; an already paired account is explained', async () => {
    const h = await harness();
    h.sim.allowPairWithId('user@example.com', ACCOUNT);
    const r = await h.run(['pair', '--id', 'user@example.com']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error 205: .*already paired/);
    h.sim.allowPairWithId('other@example.com', 'OtherAccount');
    expect((await h.run(['pair', '--id', 'other@example.com'])).stdout).toBe('OtherAccount\n');
  });

  test('bad credentials and an unreachable API are explained with their own exit codes', async () => {
    const h = await harness();
    h.sim.inject({ kind: 'error', code: 102 }, 1);
    const bad = await h.run(['pair', '--token', 'Zz99Yy']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/refused: error 102: invalid application signature/);
    const down = await h.run(['pair', '--token', 'Zz99Yy'], { LATCH_API_URL: 'http://127.0.0.1:1' });
    expect(down.status).toBe(69);
    expect(down.stderr).toMatch(/unavailable: connection refused/);
    expect((await h.run(['pair', '--token', 'not a token'])).status).toBe(64);
    expect((await h.run(['pair', '--token', 'Ab12Cd', '--id', 'x'])).status).toBe(64);
  });

  test('unpair unpairs the configured account', async () => {
    const h = await harness();
    expect(await h.run(['unpair'])).toMatchObject({ status: 0, stdout: '' });
    expect(h.sim.isPaired(ACCOUNT)).toBe(false);
    const again = await h.run(['unpair']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/error 201: account not paired/);
  });
});
