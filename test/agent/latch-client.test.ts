import * as nodeHttp from 'node:http';
import { AddressInfo } from 'node:net';
import { OPERATION } from './harness';
import { ACCOUNT, APP_ID, SECRET } from './helpers';
import { LatchSimulator } from './simulator';
import { HttpClient } from '../../agent/src/http';
import { LatchClient, LatchFault } from '../../agent/src/latch-client';

// Spawning processes is slow on a busy CI machine: generous, never tight.
jest.setTimeout(60_000);

let sim: LatchSimulator;
let http: HttpClient;
let client: LatchClient;

beforeAll(async () => {
  sim = await LatchSimulator.start({ apps: { [APP_ID]: SECRET } });
  sim.addAccount(APP_ID, ACCOUNT, 'off', { [OPERATION]: 'on' });
  http = new HttpClient();
  client = new LatchClient({ baseUrl: new URL(sim.url), version: '1.0', timeoutMs: 2000 }, { appId: APP_ID, secretKey: SECRET }, http);
});
afterAll(async () => {
  http.close();
  await sim.close();
});
afterEach(() => sim.clearFaults());

async function fault(p: Promise<unknown>): Promise<LatchFault> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LatchFault) return e;
    throw e;
  }
  throw new Error('expected a LatchFault');
}

describe('Latch client', () => {
  test('status requests carry /nootp/silent, for the app latch and for an operation', async () => {
    expect(client.statusPath(ACCOUNT)).toBe(`/api/1.0/status/${ACCOUNT}/nootp/silent`);
    expect(client.statusPath(ACCOUNT, OPERATION)).toBe(`/api/1.0/status/${ACCOUNT}/op/${OPERATION}/nootp/silent`);
    expect(await client.status(ACCOUNT)).toEqual({ status: 'off', warning: undefined });
    expect(await client.status(ACCOUNT, OPERATION)).toEqual({ status: 'on', warning: undefined });
  });

  test('a wrong secret is rejected by the simulator with 102', async () => {
    const wrong = new LatchClient({ baseUrl: new URL(sim.url), version: '1.0', timeoutMs: 2000 }, { appId: APP_ID, secretKey: 'x'.repeat(40) }, http);
    expect(await fault(wrong.status(ACCOUNT))).toMatchObject({ kind: 'latch-error', code: 102 });
  });

  test('a clock off by more than the allowed skew gets 109', async () => {
    const late = new LatchClient({ baseUrl: new URL(sim.url), version: '1.0', timeoutMs: 2000 }, { appId: APP_ID, secretKey: SECRET }, http, () => Date.now() - 600_000);
    const f = await fault(late.status(ACCOUNT));
    expect(f).toMatchObject({ kind: 'latch-error', code: 109 });
    expect(f.message).toMatch(/NTP/);
  });

  test('an unknown operation is 301, an unknown account 201', async () => {
    expect(await fault(client.status(ACCOUNT, 'NoSuchOperation'))).toMatchObject({ code: 301 });
    expect(await fault(client.status('NoSuchAccount'))).toMatchObject({ code: 201 });
  });

  /** A client against a one-off server that answers every request with `body`. */
  async function answering(body: unknown, run: (c: LatchClient) => Promise<void>): Promise<void> {
    const server = nodeHttp.createServer((_req, res) => res.end(JSON.stringify(body)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await run(new LatchClient({ baseUrl: new URL(`http://127.0.0.1:${port}`), version: '1.0', timeoutMs: 2000 }, { appId: APP_ID, secretKey: SECRET }, http));
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  test('a non-fatal error next to the data is a warning, not a fault; the OTP is ignored', async () => {
    await answering({
      data: { operations: { [APP_ID]: { status: 'on', two_factor: { token: 'Q7mZ4k', generated: 1 } } } },
      error: { code: 106, message: 'Outdated client version' },
    }, async (c) => {
      expect(await c.status(ACCOUNT)).toEqual({ status: 'on', warning: { code: 106, message: 'Outdated client version' } });
    });
  });

  test('a status word that is not a plain token is recorded as unknown (locked)', async () => {
    await answering({ data: { operations: { [APP_ID]: { status: 'on"; rm -rf' } } } }, async (c) => {
      expect(await c.status(ACCOUNT)).toMatchObject({ status: 'unknown' });
    });
  });

  test('an answer for another latch, or without data, is unexpected', async () => {
    await answering({ data: { operations: { SomeOtherApp: { status: 'on' } } } }, async (c) => {
      expect(await fault(c.status(ACCOUNT))).toMatchObject({ kind: 'unexpected' });
    });
    await answering({ data: {} }, async (c) => {
      expect(await fault(c.pair('Ab12Cd'))).toMatchObject({ kind: 'unexpected' });
    });
  });

  test('API error text is kept printable and short', async () => {
    sim.inject({ kind: 'error', code: 999, message: 'weird\u0000message' + 'x'.repeat(500) }, 1);
    const f = await fault(client.status(ACCOUNT));
    expect(f.message).toMatch(/^error 999: Latch API error \(API said: weird\?messagex+\)$/);
    expect(f.message.length).toBeLessThan(260);
  });

  test('transport faults have their kind', async () => {
    sim.inject({ kind: 'truncated' }, 1);
    expect(await fault(client.status(ACCOUNT))).toMatchObject({ kind: 'truncated' });
    sim.inject({ kind: 'garbage' }, 1);
    expect(await fault(client.status(ACCOUNT))).toMatchObject({ kind: 'garbage' });
    sim.inject({ kind: 'http', status: 503 }, 1);
    expect(await fault(client.status(ACCOUNT))).toMatchObject({ kind: 'http', httpStatus: 503 });
    sim.inject({ kind: 'hang' }, 1);
    const quick = new LatchClient({ baseUrl: new URL(sim.url), version: '1.0', timeoutMs: 200 }, { appId: APP_ID, secretKey: SECRET }, http);
    expect(await fault(quick.status(ACCOUNT))).toMatchObject({ kind: 'timeout' });
  });

  test('an aborted request rejects at once', async () => {
    sim.inject({ kind: 'hang' }, 1);
    const controller = new AbortController();
    const pending = fault(client.status(ACCOUNT, undefined, controller.signal));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'aborted' });
  });

  test('a reset on a reused keep-alive connection is retried once on a fresh one', async () => {
    await client.status(ACCOUNT);
    sim.inject({ kind: 'reset' }, 1);
    const before = sim.requests.length;
    expect(await client.status(ACCOUNT)).toMatchObject({ status: 'off' });
    expect(sim.requests.slice(before).map((r) => r.outcome)).toEqual(['fault:reset', 'ok']);
  });
});
