/**
 * Latch agent benchmark (run by `npx projen bench`, or alone:
 * `node --expose-gc -r ts-node/register/transpile-only bench/agent.bench.ts` with
 * TS_NODE_PROJECT=test/tsconfig.json). Needs the compiled agent (`npx projen compile:agent`).
 *
 * 1. Cost: RSS and CPU time of `run` over 1000 polls at a 10 ms interval against the simulator,
 *    with the image's node flags and with plain node.
 * 2. Propagation: simulator flip -> status file changed, p50/p99 at a 1 s interval
 *    (several agents side by side, each flipped at random phases, for enough samples).
 *
 * Budgets: peak RSS <= 60 MB; p99 propagation <= interval + 50 ms. Exits 1 when one is exceeded.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LatchSimulator, LatchState } from '../test/agent/simulator';

const REPO = path.resolve(__dirname, '..');
const AGENT = path.join(REPO, 'agent', 'lib', 'main.js');
const APP_ID = 'BenchAppId0123456789';
const SECRET = 'BenchSecretKey0123456789abcdefghijklmnop';

const POLLS = 1000;
const RSS_BUDGET_MB = 60;
const PROPAGATION_INTERVAL_MS = 1000;
const PROPAGATION_BUDGET_MS = PROPAGATION_INTERVAL_MS + 50;
const AGENTS = Number(process.env.BENCH_AGENT_PROCESSES ?? 3);
const FLIPS_PER_AGENT = Number(process.env.BENCH_AGENT_FLIPS ?? 50);

interface Agent {
  readonly child: ChildProcess;
  readonly file: string;
  readonly account: string;
  stdout: string;
  readonly exited: Promise<number | null>;
}

/** The node flags of the image's ENTRYPOINT (agent/Dockerfile). */
const IMAGE_NODE_FLAGS = ['--jitless', '--no-expose-wasm'];

function startAgent(
  sim: LatchSimulator,
  dir: string,
  name: string,
  intervalSeconds: number,
  stalenessSeconds: number,
  nodeFlags = IMAGE_NODE_FLAGS,
): Agent {
  const account = `BenchAccount${name}`;
  sim.addAccount(APP_ID, account, 'on');
  const file = path.join(dir, name, 'latch-info.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const child = spawn(process.execPath, [...nodeFlags, AGENT, 'run'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH,
      LATCH_APP_ID: APP_ID,
      LATCH_SECRET_KEY: SECRET,
      LATCH_ACCOUNT_ID: account,
      LATCH_API_URL: sim.url,
      LATCH_STATUS_FILE: file,
      LATCH_POLL_INTERVAL: String(intervalSeconds),
      LATCH_MAX_STALENESS: String(stalenessSeconds),
      LATCH_HTTP_TIMEOUT: '2',
    },
  });
  const agent: Agent = { child, file, account, stdout: '', exited: new Promise((resolve) => child.on('exit', resolve)) };
  child.stdout!.on('data', (d: Buffer) => (agent.stdout += d.toString('utf8')));
  return agent;
}

function logLine(agent: Agent, event: string): Record<string, number> | undefined {
  const line = agent.stdout.split('\n').find((l) => l.includes(`"event":"${event}"`));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, number>);
}

/** Peak resident set size of a live process, in kB, from /proc (Linux). */
function peakRssKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function latched(file: string): boolean | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { latched: boolean }).latched;
  } catch {
    return undefined;
  }
}

/** Resolves when `file` says `want`, watching the directory and polling every 2 ms as a fallback. */
function whenLatched(file: string, want: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (latched(file) === want) {
        const at = performance.now();
        watcher.close();
        clearInterval(poll);
        clearTimeout(timeout);
        resolve(at);
      }
    };
    const watcher = fs.watch(path.dirname(file), check);
    const poll = setInterval(check, 2);
    const timeout = setTimeout(() => {
      watcher.close();
      clearInterval(poll);
      reject(new Error(`${file} did not become latched=${want}`));
    }, 30_000);
    check();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function cost(sim: LatchSimulator, dir: string, nodeFlags: string[], label: string): Promise<{ ok: boolean }> {
  const agent = startAgent(sim, dir, `cost${nodeFlags.length}`, 0.01, 2, nodeFlags);
  const started = performance.now();
  let peakKb: number | undefined;
  await new Promise<void>((resolve) => {
    const onRequest = (): void => {
      if (sim.requests.filter((r) => r.path.includes(agent.account)).length >= POLLS) {
        sim.off('request', onRequest);
        peakKb = peakRssKb(agent.child.pid!);
        resolve();
      }
    };
    sim.on('request', onRequest);
  });
  const wallMs = performance.now() - started;
  agent.child.kill('SIGTERM');
  const code = await agent.exited;
  const stopped = logLine(agent, 'stopped');
  if (code !== 0 || !stopped) throw new Error(`the agent did not stop cleanly (exit ${code})`);
  const faults = agent.stdout.split('\n').filter((l) => l.includes('"event":"poll_failed"')).length;
  const cpuMs = stopped.cpuUserMs + stopped.cpuSystemMs;
  const rssMb = Math.max(stopped.maxRssKb, peakKb ?? 0) / 1024;
  console.log(`run ${label}, ${POLLS} polls at a 10 ms interval (${stopped.polls} polls done, ${faults} faults):`);
  console.log(`  wall time     ${(wallMs / 1000).toFixed(2)} s (${(wallMs / POLLS).toFixed(2)} ms from poll to poll; each poll is a signed request and an fsync'd atomic write)`);
  console.log(`  CPU time      ${cpuMs} ms (user ${stopped.cpuUserMs} + system ${stopped.cpuSystemMs}), ${(cpuMs / stopped.polls).toFixed(3)} ms per poll, startup included`);
  console.log(`  peak RSS      ${rssMb.toFixed(1)} MB (budget ${RSS_BUDGET_MB} MB)${rssMb <= RSS_BUDGET_MB ? '' : '  <-- OVER BUDGET'}`);
  return { ok: rssMb <= RSS_BUDGET_MB && faults === 0 };
}

async function propagation(sim: LatchSimulator, dir: string): Promise<{ ok: boolean }> {
  const agents = Array.from({ length: AGENTS }, (_, i) => startAgent(sim, dir, `propagation${i}`, PROPAGATION_INTERVAL_MS / 1000, 30));
  const samples: number[] = [];
  await Promise.all(agents.map(async (agent) => {
    await whenLatched(agent.file, false);
    let state: LatchState = 'on';
    for (let i = 0; i < FLIPS_PER_AGENT; i++) {
      // A random phase relative to the agent's polls, so latencies sample the whole interval.
      await sleep(Math.random() * PROPAGATION_INTERVAL_MS);
      state = state === 'on' ? 'off' : 'on';
      const seen = whenLatched(agent.file, state === 'off');
      const flippedAt = performance.now();
      sim.setStatus(agent.account, state);
      samples.push((await seen) - flippedAt);
    }
  }));
  for (const agent of agents) agent.child.kill('SIGTERM');
  await Promise.all(agents.map((a) => a.exited));
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  console.log(`propagation (simulator flip -> status file changed) at a ${PROPAGATION_INTERVAL_MS} ms interval, ${samples.length} flips over ${AGENTS} agents:`);
  console.log(`  p50 ${p50.toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`
    + ` (budget p99 <= ${PROPAGATION_BUDGET_MS} ms)${p99 <= PROPAGATION_BUDGET_MS ? '' : '  <-- OVER BUDGET'}`);
  return { ok: p99 <= PROPAGATION_BUDGET_MS };
}

async function main(): Promise<void> {
  if (!fs.existsSync(AGENT)) throw new Error(`${AGENT} is missing: run \`npx projen compile:agent\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-agent-bench-'));
  const sim = await LatchSimulator.start({ apps: { [APP_ID]: SECRET } });
  try {
    const results = [
      await cost(sim, dir, IMAGE_NODE_FLAGS, `as the image runs it (node ${IMAGE_NODE_FLAGS.join(' ')})`),
      await cost(sim, dir, [], 'with plain node (npx superlatch-agent)'),
      await propagation(sim, dir),
    ];
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
