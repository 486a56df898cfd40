/**
 * Shared helpers for the agent tests: fixtures, temp dirs, spawning the compiled agent,
 * and polling for a condition with a deadline (never fixed sleeps).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const AGENT_MAIN = path.join(REPO, 'agent', 'lib', 'main.js');
/** The Latch protocol notes, signature vectors and example responses (see test/fixtures/latch/SOURCES.md). */
export const LATCH_FIXTURES = path.join(REPO, 'test', 'fixtures', 'latch');
export const FIXTURES = path.join(__dirname, 'fixtures');

/** Test-only credentials, shaped like real ones (20-character app id, 40-character secret). */
export const APP_ID = 'SimAppId0123456789ab';
export const SECRET = 'SimSecretKey0123456789abcdefghijklmnopqr';
export const ACCOUNT = 'SimAccount0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789';

/** The test certificate (trusted where a test says so), or `untrusted`: one nothing trusts. */
export function tls(which: 'tls' | 'untrusted' = 'tls'): { key: string; cert: string } {
  return {
    key: fs.readFileSync(path.join(FIXTURES, `${which}-key.pem`), 'utf8'),
    cert: fs.readFileSync(path.join(FIXTURES, `${which}-cert.pem`), 'utf8'),
  };
}

export function tempDir(prefix = 'superlatch-agent-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Environment for the agent: the parent's PATH and nothing of the parent's LATCH_* variables. */
export function agentEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra };
}

/** Polls `condition` every 20 ms until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled agent (or `main`) to completion, asynchronously: a simulator in this process must keep answering. */
export async function runAgent(args: string[], env: Record<string, string>, cwd = REPO, main = AGENT_MAIN): Promise<RunResult> {
  const child = spawn(process.execPath, [main, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(kill);
  return { status, stdout, stderr };
}

/** A long-running agent process (e.g. `run`) whose output is collected. */
export class AgentProcess {
  /** Starts `node [nodeArgs] main args`. */
  public static start(args: string[], env: Record<string, string>, where: { cwd?: string; main?: string; nodeArgs?: string[] } = {}): AgentProcess {
    const argv = [...(where.nodeArgs ?? []), where.main ?? AGENT_MAIN, ...args];
    return new AgentProcess(spawn(process.execPath, argv, { env, cwd: where.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  public stdout = '';
  public stderr = '';
  public readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  private constructor(public readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /** Parsed JSON log lines so far. */
  public logs(): Array<Record<string, unknown>> {
    return this.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  public get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  public async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }
}

/** Reads and parses a JSON file, or undefined when it is missing. */
export function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
