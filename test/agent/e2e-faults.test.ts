/**
 * End to end: every fault kind leaves the agent running and the status file valid;
 * without a success for LATCH_MAX_STALENESS the failure policy takes over.
 */
import * as net from 'node:net';
import { harnessesOfThisFile } from './harness';
import { waitFor } from './helpers';
import { Fault } from './simulator';

jest.setTimeout(90_000);

const harness = harnessesOfThisFile();

/** Fault, the kind the agent logs, and the Latch error code if any. */
const FAULTS: Array<[string, Fault | 'clock-skew', string, number?]> = [
  ['slow answer beyond the timeout', { kind: 'latency', ms: 2000 }, 'timeout'],
  ['no answer at all', { kind: 'hang' }, 'timeout'],
  ['connection reset', { kind: 'reset' }, 'reset'],
  ['HTTP 503', { kind: 'http', status: 503 }, 'http'],
  ['HTTP 500', { kind: 'http', status: 500 }, 'http'],
  ['a body that is not JSON', { kind: 'garbage' }, 'garbage'],
  ['a truncated body', { kind: 'truncated' }, 'truncated'],
  ['HTTP 204 without a body', { kind: 'empty' }, 'http'],
  ['error 102 (bad signature)', { kind: 'error', code: 102 }, 'latch-error', 102],
  ['error 105 (bad credentials)', { kind: 'error', code: 105 }, 'latch-error', 105],
  ['error 201 (not paired)', { kind: 'error', code: 201 }, 'latch-error', 201],
  ['error 109 (clock skew, detected by the simulator)', 'clock-skew', 'latch-error', 109],
];

test('every fault kind is logged once per failed poll, the agent keeps running and the file stays valid', async () => {
  const h = await harness();
  const agent = h.start({ LATCH_POLL_INTERVAL: '0.1', LATCH_HTTP_TIMEOUT: '0.5' });
  const good = await waitFor('an open status file', () => h.status()?.latched === false && h.status());
  for (const [what, fault, kind, code] of FAULTS) {
    const from = agent.logs().length;
    if (fault === 'clock-skew') h.sim.clockOffsetMs = 10 * 60_000;
    else h.sim.inject(fault);
    const line = await waitFor(`a ${kind} fault for ${what}`, () => agent.logs().slice(from).find((l) => l.event === 'poll_failed'));
    expect([what, line.kind, line.code]).toEqual([what, kind, code]);
    expect(typeof line.message).toBe('string');
    if (code === 109) expect(line.message).toMatch(/clock/);
    if (code === 102 || code === 105) expect(line.message).toMatch(/secret key|credentials/);
    expect(agent.running).toBe(true);
    // The last good status is kept (it has not expired) and the file is never broken.
    expect(h.status()).toMatchObject({ version: 1, latched: false, source: 'latch' });
    h.sim.clearFaults();
    h.sim.clockOffsetMs = 0;
    await waitFor(`recovery after ${what}`, () => agent.logs().slice(from).find((l) => l.event === 'recovered'));
  }
  expect((await h.run(['check', '--file', h.file])).status).toBe(0);
  expect(good.version).toBe(1);
  // The answers that did succeed were all silent: the user's phone never buzzed.
  expect(h.sim.statusRequests().every((r) => r.silent && r.nootp)).toBe(true);
});

test('a slow answer within the timeout is not a fault', async () => {
  const h = await harness();
  const agent = h.start({ LATCH_HTTP_TIMEOUT: '2' });
  await waitFor('a status file', () => h.status());
  h.sim.inject({ kind: 'latency', ms: 300 }, 3);
  await waitFor('three slow answers', () => h.sim.requests.filter((r) => r.outcome === 'fault:latency').length === 3 && h.sim.requests.length > 5);
  expect(agent.logs().filter((l) => l.event === 'poll_failed')).toEqual([]);
});

test('closed policy: after LATCH_MAX_STALENESS without success the file is latched and check says stale', async () => {
  const h = await harness();
  const agent = h.start({ LATCH_MAX_STALENESS: '2', LATCH_FAILURE_POLICY: 'closed' });
  await waitFor('an open status file', () => h.status()?.latched === false);
  h.sim.inject({ kind: 'http', status: 503 });
  await waitFor('the failure policy', () => h.status()?.source === 'failure-policy', 20_000);
  expect(h.status()).toMatchObject({ version: 1, latched: true, status: 'off', source: 'failure-policy' });
  const check = await h.run(['check', '--file', h.file]);
  expect(check.status).toBe(2);
  expect(check.stdout).toMatch(/stale/);
  expect(agent.logs().filter((l) => l.event === 'failure_policy')).toHaveLength(1);
  expect(agent.running).toBe(true);

  h.sim.clearFaults();
  await waitFor('a fresh status file', () => h.status()?.source === 'latch');
  expect((await h.run(['check', '--file', h.file])).status).toBe(0);
});

test('open policy: after expiry the file says open (for seed readers) but check still says stale', async () => {
  const h = await harness({ status: 'off' });
  h.start({ LATCH_MAX_STALENESS: '2', LATCH_FAILURE_POLICY: 'open' });
  await waitFor('a locked status file', () => h.status()?.latched === true);
  h.sim.inject({ kind: 'reset' });
  await waitFor('the failure policy', () => h.status()?.source === 'failure-policy', 20_000);
  expect(h.status()).toMatchObject({ latched: false, status: 'on', source: 'failure-policy' });
  expect((await h.run(['check', '--file', h.file])).status).toBe(2);
});

test('an API that refuses connections from the start: the policy state is published at once, the agent keeps trying', async () => {
  const h = await harness();
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const agent = h.start({ LATCH_API_URL: `http://127.0.0.1:${port}` });
  await waitFor('the failure policy', () => h.status()?.source === 'failure-policy');
  expect(h.status()).toMatchObject({ latched: true, source: 'failure-policy' });
  expect((await h.run(['check', '--file', h.file])).status).toBe(2);
  await waitFor('two refused polls', () => agent.logs().filter((l) => l.event === 'poll_failed' && l.kind === 'refused').length >= 2);
  expect(agent.running).toBe(true);
});

test('a restarted agent resumes from a fresh file instead of publishing the policy', async () => {
  const h = await harness();
  const first = h.start();
  await waitFor('an open status file', () => h.status()?.latched === false);
  await first.stop();
  h.sim.inject({ kind: 'http', status: 502 });
  const second = h.start();
  await waitFor('a failed poll', () => second.logs().some((l) => l.event === 'poll_failed'));
  expect(second.logs().find((l) => l.event === 'restored')).toMatchObject({ status: 'on' });
  expect(h.status()).toMatchObject({ latched: false, source: 'latch' });
  expect((await h.run(['check', '--file', h.file])).status).toBe(0);
});
