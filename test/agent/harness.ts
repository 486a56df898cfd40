/**
 * One end-to-end setup: a Latch simulator with one paired account, a credentials
 * directory, a status directory, and the compiled agent started against them. Every
 * output of every agent process is kept, so a test can prove that no secret leaked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCOUNT, AgentProcess, agentEnv, APP_ID, FIXTURES, readJson, runAgent, RunResult, SECRET, tempDir, tls } from './helpers';
import { LatchSimulator, LatchState } from './simulator';

export const OPERATION = 'SimOperation00000001';

export interface HarnessOptions {
  readonly status?: LatchState;
  readonly operationId?: string;
  readonly https?: boolean;
  /** Serve HTTPS with a certificate nobody trusts (fixtures/untrusted-*.pem). */
  readonly untrusted?: boolean;
}

export class Harness {
  public static async start(options: HarnessOptions = {}): Promise<Harness> {
    const sim = await LatchSimulator.start({ apps: { [APP_ID]: SECRET }, tls: options.untrusted ? tls('untrusted') : options.https ? tls() : undefined });
    sim.addAccount(APP_ID, ACCOUNT, options.status ?? 'on', { [OPERATION]: 'on' });
    return new Harness(sim, options.operationId);
  }

  public readonly dir = tempDir();
  public readonly file: string;
  public readonly creds: string;
  /** stdout and stderr of every agent process this harness ran. */
  public readonly outputs: string[] = [];
  private readonly processes: AgentProcess[] = [];

  private constructor(public readonly sim: LatchSimulator, operationId?: string) {
    this.file = path.join(this.dir, 'status', 'latch-info.json');
    fs.mkdirSync(path.dirname(this.file));
    this.creds = path.join(this.dir, 'creds');
    fs.mkdirSync(this.creds);
    const files: Record<string, string | undefined> = { appId: APP_ID, secretKey: SECRET, accountId: ACCOUNT, operationId };
    for (const [name, value] of Object.entries(files)) {
      if (value !== undefined) fs.writeFileSync(path.join(this.creds, name), value + '\n', { mode: 0o400 });
    }
  }

  /** The agent's environment: credentials as files, the simulator, a fast loop. */
  public env(extra: Record<string, string> = {}): Record<string, string> {
    return agentEnv({
      LATCH_CREDENTIALS_DIR: this.creds,
      LATCH_API_URL: this.sim.url,
      LATCH_STATUS_FILE: this.file,
      LATCH_POLL_INTERVAL: '0.2',
      LATCH_HTTP_TIMEOUT: '1',
      LATCH_MAX_STALENESS: '30',
      LATCH_BACKOFF_CAP: '2',
      ...(this.sim.url.startsWith('https') ? { LATCH_API_CA_FILE: path.join(FIXTURES, 'tls-cert.pem') } : {}),
      ...extra,
    });
  }

  public start(extra: Record<string, string> = {}): AgentProcess {
    const p = AgentProcess.start(['run'], this.env(extra));
    this.processes.push(p);
    return p;
  }

  public async run(args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
    const r = await runAgent(args, this.env(extra));
    this.outputs.push(r.stdout, r.stderr);
    return r;
  }

  public status(): Record<string, unknown> | undefined {
    return readJson(this.file);
  }

  /** Stops every agent, closes the simulator, removes the temp dir. */
  public async close(): Promise<void> {
    for (const p of this.processes) {
      await p.stop();
      this.outputs.push(p.stdout, p.stderr);
    }
    await this.sim.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Fails when any output holds the secret key, the configured account id, or a signature
   * the simulator received (`pair` prints the id of a newly paired account by design).
   */
  public assertNoSecrets(): void {
    const forbidden = [SECRET, ...this.sim.requests.map((r) => r.signature).filter((s): s is string => !!s)];
    for (const out of this.outputs) {
      for (const secret of forbidden) expect(out.includes(secret) ? `output contains ${secret === SECRET ? 'the secret key' : 'a signature'}` : 'clean').toBe('clean');
      expect(out.includes(ACCOUNT) ? 'output contains the account id' : 'clean').toBe('clean');
      expect(out).not.toMatch(/11PATHS/);
    }
  }
}

/**
 * For a test file: a `harness()` that starts harnesses and, after the file's
 * tests, closes them all and checks that no output leaked a secret.
 */
export function harnessesOfThisFile(): (options?: HarnessOptions) => Promise<Harness> {
  const started: Harness[] = [];
  afterAll(async () => {
    for (const h of started) {
      await h.close();
      h.assertNoSecrets();
    }
  });
  return async (options?: HarnessOptions) => {
    const h = await Harness.start(options);
    started.push(h);
    return h;
  };
}
