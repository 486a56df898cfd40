/**
 * The run loop in process, on jest's fake clock: scheduling, backoff, expiry and the failure
 * policy, exactly and without waiting. (End-to-end tests cover the same against the simulator.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHeartbeat } from '../../agent/src/heartbeat';
import { LatchFault, LatchStatus } from '../../agent/src/latch-client';
import { Logger } from '../../agent/src/log';
import { Poller, PollerOptions } from '../../agent/src/poller';
import { Publisher } from '../../agent/src/publishers';
import { StatusDocument } from '../../agent/src/status-file';

const I = 1000;
const START = Date.UTC(2026, 10, 23, 10, 0, 0);

/** A scripted Latch: each call takes the next answer ('on', 'off' or a fault); the last one repeats. */
class ScriptedLatch {
  public calls: number[] = [];
  constructor(public script: Array<'on' | 'off' | LatchFault>) {}
  public async status(): Promise<LatchStatus> {
    this.calls.push(Date.now());
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0];
    if (next instanceof LatchFault) throw next;
    return { status: next };
  }
}

class MemoryPublisher implements Publisher {
  public readonly target = 'memory:test';
  public readonly timeoutMs = 0;
  public published: Array<{ at: number; doc: StatusDocument }> = [];
  constructor(private readonly initial?: string) {}
  public async load(): Promise<string | undefined> {
    return this.initial;
  }
  public async publish(content: string): Promise<void> {
    this.published.push({ at: Date.now(), doc: JSON.parse(content) as StatusDocument });
  }
}

function setup(script: Array<'on' | 'off' | LatchFault>, options: Partial<PollerOptions> = {}, initial?: string) {
  const latch = new ScriptedLatch(script);
  const publisher = new MemoryPublisher(initial);
  const lines: Array<Record<string, unknown>> = [];
  const poller = new Poller({
    client: latch,
    accountId: 'acc',
    publishers: [publisher],
    log: new Logger((l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
    pollIntervalMs: I,
    httpTimeoutMs: 500,
    maxStalenessMs: 10 * I,
    backoffCap: 4,
    failurePolicy: 'closed',
    random: () => 0,
    ...options,
  });
  const running = poller.run();
  return { latch, publisher, lines, poller, running };
}

const down = new LatchFault('http', 'HTTP 503 without a Latch answer', undefined, 503);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the run loop', () => {
  test('polls at a fixed rate and publishes every answer, changed or not', async () => {
    const { latch, publisher, lines, poller, running } = setup(['on', 'on', 'off', 'off']);
    await jest.advanceTimersByTimeAsync(10 * I);
    expect(latch.calls.map((t) => t - START)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => n * I));
    expect(publisher.published).toHaveLength(11);
    expect(publisher.published[3].doc).toMatchObject({ latched: true, status: 'off', lastUpdate: '2026-11-23T10:00:03', expiresAt: '2026-11-23T10:00:13Z', source: 'latch' });
    expect(lines.filter((l) => l.event === 'status').map((l) => l.status)).toEqual(['on', 'off']);
    poller.stop();
    await running;
  });

  test('backs off exponentially up to the cap, one log line per failure, then recovers', async () => {
    const { latch, lines, poller, running } = setup([down, down, down, down, down, 'on']);
    await jest.advanceTimersByTimeAsync(20 * I);
    // random() = 0: the lower bound of each range: I, 2I, 2I (cap 4 -> [2I, 4I]), 2I, 2I, then the interval again.
    const gaps = latch.calls.slice(1).map((t, i) => t - latch.calls[i]);
    expect(gaps.slice(0, 6)).toEqual([I, 2 * I, 2 * I, 2 * I, 2 * I, I]);
    const faults = lines.filter((l) => l.event === 'poll_failed');
    expect(faults).toHaveLength(5);
    expect(faults.map((l) => l.failures)).toEqual([1, 2, 3, 4, 5]);
    expect(faults[0]).toMatchObject({ level: 'warn', kind: 'http', httpStatus: 503, retryInMs: I });
    expect(lines.filter((l) => l.event === 'recovered')).toEqual([expect.objectContaining({ afterFailures: 5 })]);
    poller.stop();
    await running;
  });

  test('with random() = 1 the delays are the upper bounds', async () => {
    const { latch, poller, running } = setup([down], { random: () => 1 });
    await jest.advanceTimersByTimeAsync(20 * I);
    const gaps = latch.calls.slice(1).map((t, i) => t - latch.calls[i]);
    expect(gaps.slice(0, 4)).toEqual([2 * I, 4 * I, 4 * I, 4 * I]);
    poller.stop();
    await running;
  });

  test('keeps the last good status until expiresAt, then publishes the closed policy once, on time', async () => {
    const { publisher, lines, poller, running } = setup(['on', down]);
    await jest.advanceTimersByTimeAsync(30 * I);
    const policy = publisher.published.filter((p) => p.doc.source === 'failure-policy');
    expect(publisher.published.filter((p) => p.doc.source === 'latch')).toHaveLength(1);
    expect(policy).toHaveLength(1);
    expect(policy[0].at - START).toBe(10 * I);
    expect(policy[0].doc).toMatchObject({ latched: true, status: 'off', lastUpdate: '2026-11-23T10:00:00', expiresAt: '2026-11-23T10:00:10Z' });
    expect(lines.filter((l) => l.event === 'failure_policy')).toHaveLength(1);
    poller.stop();
    await running;
  });

  test('the open policy publishes an open but stale document', async () => {
    const { publisher, poller, running } = setup(['off', down], { failurePolicy: 'open' });
    await jest.advanceTimersByTimeAsync(15 * I);
    expect(publisher.published[publisher.published.length - 1].doc).toMatchObject({ latched: false, status: 'on', source: 'failure-policy' });
    poller.stop();
    await running;
  });

  test('failing from the start publishes the policy state at once', async () => {
    const { publisher, poller, running } = setup([down]);
    await jest.advanceTimersByTimeAsync(0);
    expect(publisher.published).toEqual([{ at: START, doc: expect.objectContaining({ latched: true, source: 'failure-policy', expiresAt: '2026-11-23T10:00:00Z' }) }]);
    poller.stop();
    await running;
  });

  test('resumes from a fresh published document and keeps it through a short outage', async () => {
    const previous = JSON.stringify({
      version: 1, latched: true, status: 'off', lastUpdate: '2026-11-23T09:59:58', latchUpdate: '2026-11-23T09:59:58Z', expiresAt: '2026-11-23T10:00:08Z', source: 'latch',
    });
    const { publisher, lines, poller, running } = setup([down], {}, previous);
    await jest.advanceTimersByTimeAsync(7 * I);
    expect(lines.find((l) => l.event === 'restored')).toMatchObject({ status: 'off', expiresAt: '2026-11-23T10:00:08Z' });
    expect(publisher.published).toEqual([]);
    await jest.advanceTimersByTimeAsync(2 * I);
    expect(publisher.published.map((p) => [p.at - START, p.doc.source, p.doc.lastUpdate])).toEqual([[8 * I, 'failure-policy', '2026-11-23T09:59:58']]);
    poller.stop();
    await running;
  });

  test('a restored document lasts no longer than this agent\'s own LATCH_MAX_STALENESS', async () => {
    const previous = JSON.stringify({
      version: 1, latched: false, status: 'on', lastUpdate: '2026-11-23T09:59:58', latchUpdate: '2026-11-23T09:59:58Z', expiresAt: '2026-11-29T09:59:58Z', source: 'latch',
    });
    const { publisher, lines, poller, running } = setup([down], {}, previous);
    await jest.advanceTimersByTimeAsync(I);
    expect(lines.find((l) => l.event === 'restored')).toMatchObject({ status: 'on', expiresAt: '2026-11-23T10:00:08Z' });
    await jest.advanceTimersByTimeAsync(8 * I);
    expect(publisher.published.map((p) => [p.at - START, p.doc.source])).toEqual([[8 * I, 'failure-policy']]);
    poller.stop();
    await running;
  });

  test('a credential error (102) makes the account source re-read before the next poll; a 503 does not', async () => {
    const refused = new LatchFault('latch-error', 'invalid application signature', 102);
    const invalidated: number[] = [];
    const account = { current: () => ({ accountId: 'acc' }), invalidate: () => invalidated.push(Date.now() - START) };
    const { latch, poller, running } = setup([down, refused, 'on'], { account });
    await jest.advanceTimersByTimeAsync(4 * I);
    expect(latch.calls.length).toBeGreaterThanOrEqual(3);
    expect(invalidated).toEqual([latch.calls[1] - START]);
    poller.stop();
    await running;
  });

  test('stop() ends a sleep at once', async () => {
    const { latch, poller, running } = setup(['on'], { pollIntervalMs: 3600_000, maxStalenessMs: 7200_000 });
    await jest.advanceTimersByTimeAsync(0);
    poller.stop();
    await running;
    expect(latch.calls).toHaveLength(1);
  });
});

describe('the heartbeat\'s published flag (the `published` command, startup probe of the native sidecar)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-published-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A Latch whose first answer waits until `answer()` (later polls answer 'on' at once). */
  function heldLatch() {
    let release: (s: LatchStatus) => void = () => undefined;
    let calls = 0;
    return {
      client: {
        status: (): Promise<LatchStatus> => (calls++ === 0 ? new Promise((resolve) => { release = resolve; }) : Promise.resolve({ status: 'on' })),
      },
      answer: (status: string) => release({ status }),
    };
  }
  const verdict = () => checkHeartbeat(path.join(dir, 'hb'), Date.now());

  test('not published while the first poll is in flight; published once its answer is on the target', async () => {
    const latch = heldLatch();
    const { poller, running } = setup(['on'], { client: latch.client, heartbeatFile: path.join(dir, 'hb') });
    await jest.advanceTimersByTimeAsync(0);
    expect(verdict()).toMatchObject({ healthy: true, ready: false, published: false });
    latch.answer('off');
    await jest.advanceTimersByTimeAsync(0);
    expect(verdict()).toMatchObject({ healthy: true, ready: true, published: true });
    poller.stop();
    await running;
  });

  test('a failed first poll publishes the failure policy\'s state: that counts (the latch has spoken: closed)', async () => {
    const { publisher, poller, running } = setup([down], { heartbeatFile: path.join(dir, 'hb') });
    await jest.advanceTimersByTimeAsync(0);
    expect(publisher.published.map((p) => p.doc.source)).toEqual(['failure-policy']);
    expect(verdict()).toMatchObject({ ready: true, published: true });
    poller.stop();
    await running;
  });

  test('a publication that fails does not count: ready (the poll is done) but not published', async () => {
    const broken: Publisher = { target: 'file:/broken', timeoutMs: 0, load: async () => undefined, publish: async () => { throw new Error('EROFS'); } };
    const { poller, running } = setup(['on'], { heartbeatFile: path.join(dir, 'hb'), publishers: [broken] });
    await jest.advanceTimersByTimeAsync(3 * I);
    expect(verdict()).toMatchObject({ healthy: true, ready: true, published: false });
    poller.stop();
    await running;
  });

  test('every target must hold it: one target of two failing is not published', async () => {
    const good = new MemoryPublisher();
    const broken: Publisher = { target: 'configmap:apps/status', timeoutMs: 0, load: async () => undefined, publish: async () => { throw new Error('403'); } };
    const { poller, running } = setup(['on'], { heartbeatFile: path.join(dir, 'hb'), publishers: [good, broken] });
    await jest.advanceTimersByTimeAsync(0);
    expect(good.published).toHaveLength(1);
    expect(verdict().published).toBe(false);
    poller.stop();
    await running;
  });

  test('a restart that adopts a fresh document of its own is published before its first poll answers', async () => {
    const previous = JSON.stringify({
      version: 1, latched: true, status: 'off', lastUpdate: '2026-11-23T09:59:58', latchUpdate: '2026-11-23T09:59:58Z', expiresAt: '2026-11-23T10:00:08Z', source: 'latch',
    });
    const latch = heldLatch();
    const { poller, running } = setup(['on'], { client: latch.client, heartbeatFile: path.join(dir, 'hb') }, previous);
    await jest.advanceTimersByTimeAsync(0);
    expect(verdict()).toMatchObject({ ready: false, published: true });
    latch.answer('on');
    poller.stop();
    await running;
  });

  test('a stale or foreign document found at a restart is not adopted, so not published', async () => {
    const forged = JSON.stringify({
      version: 1, latched: false, status: 'on', lastUpdate: '2026-11-23T09:59:58', latchUpdate: '2026-11-23T09:59:58Z', expiresAt: '2026-11-23T10:00:08Z', source: 'failure-policy',
    });
    const latch = heldLatch();
    const { poller, running } = setup(['on'], { client: latch.client, heartbeatFile: path.join(dir, 'hb') }, forged);
    await jest.advanceTimersByTimeAsync(0);
    expect(verdict().published).toBe(false);
    latch.answer('on');
    poller.stop();
    await running;
  });
});
