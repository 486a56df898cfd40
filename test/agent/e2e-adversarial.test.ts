/**
 * End to end: the agent against someone who can write into its directories or set its
 * environment (issue 11, Agent): forged status documents, rotated credentials, a closed
 * stdout, FIFOs, devices and directories planted where the agent reads and writes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harnessesOfThisFile } from './harness';
import { ACCOUNT, SECRET, waitFor } from './helpers';

jest.setTimeout(60_000);

const harness = harnessesOfThisFile();

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/** An open document with these fields replaced. */
function forged(fields: Record<string, unknown>): string {
  const at = Math.floor(Date.now() / 1000) * 1000;
  const doc = { version: 1, latched: false, status: 'on', lastUpdate: iso(at), latchUpdate: iso(at) + 'Z', expiresAt: iso(at + 60_000) + 'Z', source: 'latch', ...fields };
  return JSON.stringify(doc) + '\n';
}

const TEN_YEARS_AHEAD = iso(Date.now() + 10 * 365 * 86400_000);
const FORGERIES: Array<[string, Record<string, unknown>]> = [
  ['expiresAt 9999-12-31T23:59:59Z', { expiresAt: '9999-12-31T23:59:59Z' }],
  ['lastUpdate ten years ahead', { lastUpdate: TEN_YEARS_AHEAD, latchUpdate: TEN_YEARS_AHEAD + 'Z', expiresAt: iso(Date.parse(TEN_YEARS_AHEAD + 'Z') + 60_000) + 'Z' }],
  ['the impossible date 9999-02-30', { lastUpdate: '9999-02-30T00:00:00', latchUpdate: '9999-02-30T00:00:00Z', expiresAt: '9999-02-30T00:01:00Z' }],
  ['source "evil"', { source: 'evil' }],
];

describe('forged status documents are unknown', () => {
  test.each(FORGERIES)('check: %s exits 2 (and the fail-closed gate stays not ready)', async (_what, fields) => {
    const h = await harness();
    fs.writeFileSync(h.file, forged(fields));
    const r = await h.run(['check', '--file', h.file]);
    expect(r.stdout).toMatch(/^unknown: /);
    expect(r.status).toBe(2);
  });

  test('the untouched document is open (the forgeries differ from it only in the fields named)', async () => {
    const h = await harness();
    fs.writeFileSync(h.file, forged({}));
    expect((await h.run(['check', '--file', h.file])).status).toBe(0);
  });

  test.each(FORGERIES)('restore: with %s planted and the API down, run publishes the failure policy', async (_what, fields) => {
    const h = await harness();
    fs.writeFileSync(h.file, forged(fields));
    const agent = h.start({ LATCH_API_URL: 'http://127.0.0.1:1' });
    await waitFor('the failure policy published', () => h.status()?.source === 'failure-policy');
    expect(agent.logs().find((l) => l.event === 'restored')).toBeUndefined();
    expect(agent.logs().find((l) => l.event === 'not_restored')).toMatchObject({ level: 'warn' });
    expect(h.status()).toMatchObject({ latched: true, source: 'failure-policy' });
  });
});

/** The layout the kubelet gives a mounted Secret: `..data` → a timestamped directory, each key a symlink through it. */
function secretVolume(dir: string, files: Record<string, string>, generation: number): void {
  const real = path.join(dir, `..2026_01_01_00_00_0${generation}.000000000`);
  fs.mkdirSync(real);
  for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(real, name), value + '\n');
  const next = path.join(dir, '..data_tmp');
  fs.symlinkSync(path.basename(real), next);
  fs.renameSync(next, path.join(dir, '..data'));
  for (const name of Object.keys(files)) {
    if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join('..data', name), path.join(dir, name));
  }
}

describe('credentials', () => {
  test('a rotated Secret (the kubelet swaps ..data) is read again; health fails after repeated credential errors', async () => {
    const h = await harness();
    const creds = path.join(h.dir, 'secret-volume');
    fs.mkdirSync(creds);
    const files = { appId: 'SimAppId0123456789ab', accountId: ACCOUNT };
    secretVolume(creds, { ...files, secretKey: 'AnOldSecretTheApiNoLongerAccepts000000000' }, 1);
    const env = { LATCH_CREDENTIALS_DIR: creds, LATCH_HEARTBEAT_FILE: path.join(h.dir, 'heartbeat') };
    const agent = h.start(env);
    await waitFor('error 102', () => agent.logs().find((l) => l.event === 'poll_failed' && l.code === 102));
    await waitFor('health failing after repeated credential errors', async () => (await h.run(['health'], env)).status === 1);
    expect((await h.run(['health'], env)).stdout).toMatch(/refused the credentials \d+ polls in a row/);
    secretVolume(creds, { ...files, secretKey: SECRET }, 2);
    await waitFor('an open status after the rotation', () => h.status()?.latched === false);
    expect(agent.logs().find((l) => l.event === 'credentials_reloaded')).toBeDefined();
    await waitFor('health passing again', async () => (await h.run(['health'], env)).status === 0);
    expect(agent.running).toBe(true);
  });
});

describe('robustness', () => {
  test('a closed stdout (EPIPE) does not kill run', async () => {
    const h = await harness();
    const agent = h.start();
    await waitFor('an open status file', () => h.status()?.latched === false);
    agent.child.stdout!.destroy();
    // status changes make the agent log, into the closed pipe
    for (const status of ['off', 'on', 'off'] as const) {
      h.sim.setStatus(ACCOUNT, status);
      await waitFor(`status ${status}`, () => h.status()?.status === status);
    }
    expect(agent.running).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });

  test('a heartbeat file containing null makes health, ready and published exit 1, not 70', async () => {
    const h = await harness();
    const heartbeat = path.join(h.dir, 'heartbeat');
    fs.writeFileSync(heartbeat, 'null');
    for (const command of ['health', 'ready', 'published']) {
      const r = await h.run([command], { LATCH_HEARTBEAT_FILE: heartbeat });
      expect([command, r.status, r.stdout]).toEqual([command, 1, expect.stringMatching(/malformed heartbeat/)]);
    }
  });

  test('check on a FIFO does not hang: exit 2', async () => {
    const h = await harness();
    const fifo = path.join(h.dir, 'status', 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = Date.now();
    const r = await h.run(['check', '--file', fifo]);
    expect(r).toMatchObject({ status: 2, stdout: expect.stringMatching(/not a regular file/) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('check on a symlink to /dev/zero does not read without limit: exit 2', async () => {
    const h = await harness();
    const link = path.join(h.dir, 'status', 'zero');
    fs.symlinkSync('/dev/zero', link);
    const r = await h.run(['check', '--file', link]);
    expect(r).toMatchObject({ status: 2, stdout: expect.stringMatching(/not a regular file/) });
  });

  test('directories planted at temp names, at the status file and the heartbeat neither stop publishing nor crash a restart', async () => {
    const h = await harness();
    const dir = path.dirname(h.file);
    const planted = [
      ...Array.from({ length: 50 }, (_, i) => `.latch-info.json.1.${i + 1}.tmp`),
      '.latch-info.json.0123456789abcdef.tmp',
      '.latch-agent-heartbeat',
      'latch-info.json',
    ];
    for (const name of planted) fs.mkdirSync(path.join(dir, name, 'inside'), { recursive: true });
    const agent = h.start();
    await waitFor('an open status file', () => fs.statSync(h.file).isFile() && h.status()?.latched === false);
    expect(agent.running).toBe(true);
    expect(agent.logs().filter((l) => l.event === 'publish_failed')).toEqual([]);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.latch-info.json.'))).toEqual([]);
    await agent.stop();
    // a restart finds a planted directory at a temp name again
    fs.mkdirSync(path.join(dir, '.latch-info.json.1.1.tmp', 'inside'), { recursive: true });
    const before = h.status()?.lastUpdate;
    const again = h.start();
    await waitFor('a fresh publication after the restart', () => h.status()?.lastUpdate !== before);
    expect(again.running).toBe(true);
    expect(fs.existsSync(path.join(dir, '.latch-info.json.1.1.tmp'))).toBe(false);
  });
});
