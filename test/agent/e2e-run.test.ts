/**
 * End to end: the compiled agent's `run` against the Latch simulator on 127.0.0.1.
 * Timing is asserted in poll counts and generous deadlines; the bench measures latency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harnessesOfThisFile, OPERATION } from './harness';
import { ACCOUNT, AgentProcess, readJson, waitFor } from './helpers';

jest.setTimeout(60_000);

const harness = harnessesOfThisFile();

describe('run', () => {
  test('publishes the status and follows a flip on the next poll', async () => {
    const h = await harness();
    const agent = h.start();
    await waitFor('an open status file', () => h.status()?.latched === false);
    expect(h.status()).toMatchObject({ version: 1, latched: false, status: 'on', source: 'latch' });
    expect((await h.run(['check', '--file', h.file])).status).toBe(0);

    const before = h.sim.statusRequests().length;
    const flippedAt = Date.now();
    h.sim.setStatus(ACCOUNT, 'off');
    await waitFor('a locked status file', () => h.status()?.latched === true);
    // At most the poll that saw the flip plus one more started before the test noticed the file.
    expect(h.sim.statusRequests().length - before).toBeLessThanOrEqual(2);
    expect(Date.now() - flippedAt).toBeLessThan(200 + 5000);
    expect(h.status()).toMatchObject({ latched: true, status: 'off', source: 'latch' });
    expect((await h.run(['check', '--file', h.file])).status).toBe(1);

    expect(agent.logs().filter((l) => l.event === 'status').map((l) => l.status)).toEqual(['on', 'off']);
    const requests = h.sim.statusRequests();
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests) {
      expect(r).toMatchObject({ silent: true, nootp: true, outcome: 'ok' });
      expect(r.path).toMatch(/\/nootp\/silent$/);
      expect(r.path).not.toContain('/op/');
    }
  });

  test('an unchanged status still refreshes lastUpdate and expiresAt', async () => {
    const h = await harness();
    h.start();
    const first = await waitFor('a status file', () => h.status());
    const later = await waitFor('a refreshed status file', () => {
      const s = h.status();
      return s && s.lastUpdate !== first.lastUpdate ? s : undefined;
    });
    expect(later.status).toBe(first.status);
    expect(Date.parse(later.expiresAt as string)).toBeGreaterThan(Date.parse(first.expiresAt as string));
    expect(Date.parse(later.expiresAt as string) - Date.parse(`${later.lastUpdate as string}Z`)).toBe(30_000);
  });

  test('with an operation id it polls the operation status', async () => {
    const h = await harness({ operationId: OPERATION });
    h.start();
    await waitFor('an open status file', () => h.status()?.latched === false);
    h.sim.setStatus(ACCOUNT, 'off', OPERATION);
    await waitFor('a locked status file', () => h.status()?.latched === true);
    for (const r of h.sim.statusRequests()) expect(r.path).toMatch(new RegExp(`/status/${ACCOUNT}/op/${OPERATION}/nootp/silent$`));
  });

  test('polls once per interval, and no faster when every answer is an error', async () => {
    const h = await harness();
    const agent = h.start({ LATCH_POLL_INTERVAL: '0.25' });
    await waitFor('a status file', () => h.status());
    const count = async (ms: number): Promise<{ polls: number; allowed: number }> => {
      const from = h.sim.statusRequests().length;
      const started = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      return { polls: h.sim.statusRequests().length - from, allowed: Math.ceil((Date.now() - started) / 250) + 1 };
    };
    const healthy = await count(2000);
    expect(healthy.polls).toBeGreaterThanOrEqual(2);
    expect(healthy.polls).toBeLessThanOrEqual(healthy.allowed);

    h.sim.inject({ kind: 'error', code: 201 });
    const failing = await count(2000);
    expect(failing.polls).toBeGreaterThanOrEqual(1);
    expect(failing.polls).toBeLessThanOrEqual(failing.allowed);
    expect(agent.running).toBe(true);
    const faults = agent.logs().filter((l) => l.event === 'poll_failed');
    expect(faults.length).toBeGreaterThan(0);
    expect(faults[0]).toMatchObject({ level: 'error', kind: 'latch-error', code: 201 });
    expect(faults[0].message).toMatch(/not paired.*pair --token/);
    for (const f of faults) expect(f.retryInMs).toBeGreaterThanOrEqual(250);
  });

  test('SIGTERM aborts the in-flight request, leaves a valid file and exits 0 within 2 s', async () => {
    const h = await harness();
    const agent = h.start({ LATCH_HTTP_TIMEOUT: '30' });
    await waitFor('a status file', () => h.status());
    const published = fs.readFileSync(h.file, 'utf8');
    h.sim.inject({ kind: 'hang' });
    const hung = h.sim.requests.length;
    await waitFor('a request in flight', () => h.sim.requests.length > hung);
    const sentAt = Date.now();
    const exit = await agent.stop();
    expect(exit.code).toBe(0);
    expect(exit.at - sentAt).toBeLessThan(10_000);
    const stopped = agent.logs().find((l) => l.event === 'stopped');
    expect(stopped).toBeDefined();
    expect(stopped!.shutdownMs).toBeLessThan(2000);
    expect(fs.readFileSync(h.file, 'utf8')).toBe(published);
    expect((await h.run(['check', '--file', h.file])).status).toBe(0);
    expect(fs.readdirSync(path.dirname(h.file)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('SIGTERM while sleeping between polls exits 0 too', async () => {
    const h = await harness();
    const agent = h.start({ LATCH_POLL_INTERVAL: '5', LATCH_MAX_STALENESS: '60' });
    await waitFor('a status file', () => h.status());
    const exit = await agent.stop();
    expect(exit.code).toBe(0);
    expect(agent.logs().find((l) => l.event === 'stopped')!.shutdownMs).toBeLessThan(2000);
  });

  test('health and ready follow the heartbeat of the run loop', async () => {
    const h = await harness();
    const heartbeat = path.join(path.dirname(h.file), '.latch-agent-heartbeat');
    expect((await h.run(['health'])).status).toBe(1);
    expect((await h.run(['ready'])).status).toBe(1);
    // The first poll is held by the simulator: the loop is alive but not ready yet.
    h.sim.inject({ kind: 'hang' }, 1);
    h.start({ LATCH_HTTP_TIMEOUT: '60' });
    await waitFor('a heartbeat and the first request', () => readJson(heartbeat) && h.sim.requests.length === 1);
    const healthy = await h.run(['health']);
    expect(healthy.status).toBe(0);
    expect(healthy.stdout).toMatch(/^healthy/);
    expect(await h.run(['ready'])).toMatchObject({ status: 1, stdout: expect.stringMatching(/^not ready: .*first poll/) });
    h.sim.releaseHung();
    await waitFor('the first publication', () => h.status());
    await waitFor('readiness', async () => (await h.run(['ready'])).status === 0);
    // The API failing does not make the agent unhealthy: the loop is alive.
    h.sim.inject({ kind: 'http', status: 503 });
    await waitFor('a failed poll', () => h.sim.requests.some((r) => r.outcome === 'fault:http'));
    expect((await h.run(['health'])).status).toBe(0);
    // A loop that stopped beating is unhealthy.
    const hb = path.join(h.dir, 'old-heartbeat');
    fs.writeFileSync(hb, JSON.stringify({ at: '2020-01-01T00:00:00.000Z', nextBy: '2020-01-01T00:00:20.000Z', polled: true, pid: 1 }));
    const stale = await h.run(['health'], { LATCH_HEARTBEAT_FILE: hb });
    expect(stale.status).toBe(1);
    expect(stale.stdout).toMatch(/^unhealthy: the run loop last beat at 2020/);
    expect((await h.run(['ready'], { LATCH_HEARTBEAT_FILE: hb })).status).toBe(1);
    fs.writeFileSync(hb, 'garbage');
    expect((await h.run(['health'], { LATCH_HEARTBEAT_FILE: hb })).status).toBe(1);
  });

  test('published (the startup probe of the native sidecar) passes only once the first status file is on the volume', async () => {
    const h = await harness();
    const heartbeat = path.join(path.dirname(h.file), '.latch-agent-heartbeat');
    expect(await h.run(['published'])).toMatchObject({ status: 1, stdout: expect.stringMatching(/^not published: no heartbeat/) });
    h.sim.inject({ kind: 'hang' }, 1);
    h.start({ LATCH_HTTP_TIMEOUT: '60' });
    await waitFor('a heartbeat and the first request', () => readJson(heartbeat) && h.sim.requests.length === 1);
    expect(h.status()).toBeUndefined();
    expect(await h.run(['published'])).toMatchObject({ status: 1, stdout: expect.stringMatching(/^not published: .*no status document of it on every target yet/) });
    h.sim.releaseHung();
    await waitFor('the first publication', () => h.status());
    await waitFor('published', async () => (await h.run(['published'])).status === 0);
    expect((await h.run(['published'])).stdout).toMatch(/^published: the run loop beat at /);
  });

  test('gate idles until SIGTERM and exits 0', async () => {
    const h = await harness();
    const gate = AgentProcess.start(['gate'], h.env());
    await waitFor('the gate to start', () => gate.stdout.includes('"event":"gate"'));
    expect(gate.running).toBe(true);
    const exit = await gate.stop();
    expect(exit.code).toBe(0);
    h.outputs.push(gate.stdout, gate.stderr);
  });
});
