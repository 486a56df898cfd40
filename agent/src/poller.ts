/**
 * The `run` loop: poll the latch, publish the status, survive every fault.
 *
 * - success: publish a fresh document (even when unchanged: `lastUpdate`/`expiresAt` move on)
 *   and poll again one interval after the previous poll started;
 * - fault: log one line, keep the last good document until its `expiresAt`, back off;
 * - expiry without a success: publish the failure policy's state once (latched for `closed`,
 *   open for `open`), already stale so `check` answers 2;
 * - stop(): abort the in-flight request, publish nothing more, resolve `run()`.
 */
import { backoffDelay } from './backoff';
import { FailurePolicy } from './config';
import { writeHeartbeat } from './heartbeat';
import { LatchFault, LatchStatus } from './latch-client';
import { Logger } from './log';
import { Publisher } from './publishers';
import { buildDocument, evaluateStatus, floorToSecond, serializeDocument, StatusSource } from './status-file';

export interface StatusReader {
  status(accountId: string, operationId?: string, signal?: AbortSignal): Promise<LatchStatus>;
}

/** Where the account to poll comes from when it may change (a re-read Secret). */
export interface AccountSource {
  current(): { readonly accountId: string; readonly operationId?: string };
  /** The API refused the credentials: re-read them before the next poll. */
  invalidate(): void;
}

/** Latch errors that mean the credentials (application, secret or account) are wrong. */
export const CREDENTIAL_ERROR_CODES: readonly number[] = [102, 105, 201];

export interface PollerOptions {
  readonly client: StatusReader;
  readonly accountId: string;
  readonly operationId?: string;
  /** Overrides accountId/operationId on every poll, and is told about credential errors. */
  readonly account?: AccountSource;
  readonly publishers: readonly Publisher[];
  readonly log: Logger;
  readonly pollIntervalMs: number;
  readonly httpTimeoutMs: number;
  readonly maxStalenessMs: number;
  readonly backoffCap: number;
  readonly failurePolicy: FailurePolicy;
  readonly heartbeatFile?: string;
  /** Jitter source of the backoff (tests make it deterministic). */
  readonly random?: () => number;
}

interface KnownStatus {
  readonly status: string;
  readonly atMs: number;
  readonly expiresAtMs: number;
}

export interface PollerStats {
  polls: number;
  faults: number;
}

/** The heartbeat is rewritten at most this often unless the promised deadline moves further. */
const HEARTBEAT_MIN_PERIOD_MS = 1000;

export class Poller {
  public readonly stats: PollerStats = { polls: 0, faults: 0 };
  private readonly random: () => number;
  private readonly stopper = new AbortController();
  private failures = 0;
  private credentialErrors = 0;
  private lastGood?: KnownStatus;
  private policyPublished = false;
  private wake?: () => void;
  /** Targets that hold a document of this loop: published by it, or adopted by `restore`. */
  private readonly spoken = new Set<string>();
  private heartbeat = { atMs: -Infinity, nextByMs: -Infinity, polled: false, published: false, credentialErrors: 0, failing: false };

  constructor(private readonly o: PollerOptions) {
    this.random = o.random ?? Math.random;
  }

  /** Runs until `stop()`. Never rejects on API or publication faults. */
  public async run(): Promise<void> {
    this.beat(0);
    await this.restore();
    // a restart that adopted a fresh document of its own has spoken already: say so before the first poll
    this.beat(0);
    while (!this.stopping) {
      const delay = await this.pollOnce();
      if (this.stopping) break;
      this.beat(delay);
      await this.sleepUntil(Date.now() + delay);
    }
  }

  public stop(): void {
    this.stopper.abort();
    this.wake?.();
  }

  private get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /** One poll; returns the delay before the next one. */
  private async pollOnce(): Promise<number> {
    const startedAt = Date.now();
    this.stats.polls++;
    let result: LatchStatus;
    try {
      const { accountId, operationId } = this.o.account?.current() ?? this.o;
      result = await this.o.client.status(accountId, operationId, this.stopper.signal);
    } catch (e) {
      if (this.stopping) return 0;
      if (e instanceof LatchFault && e.code !== undefined && CREDENTIAL_ERROR_CODES.includes(e.code)) {
        this.credentialErrors++;
        this.o.account?.invalidate();
      } else {
        this.credentialErrors = 0;
      }
      this.failures++;
      this.stats.faults++;
      const policy = { intervalMs: this.o.pollIntervalMs, cap: this.o.backoffCap, maxStalenessMs: this.o.maxStalenessMs };
      const delay = backoffDelay(this.failures, policy, this.random);
      this.logFault(e, delay);
      await this.publishPolicyIfExpired();
      return delay;
    }
    if (this.stopping) return 0;
    if (this.failures > 0) this.o.log.info('recovered', { afterFailures: this.failures });
    this.failures = 0;
    this.credentialErrors = 0;
    if (result.warning) this.o.log.warn('latch_warning', { code: result.warning.code, message: result.warning.message });
    const now = Date.now();
    const atMs = floorToSecond(now);
    const expiresAtMs = floorToSecond(atMs + this.o.maxStalenessMs);
    if (!this.lastGood || this.policyPublished || this.lastGood.status !== result.status) {
      this.o.log.info('status', { status: result.status, latched: result.status !== 'on', previous: this.policyPublished ? 'failure-policy' : this.lastGood?.status ?? null });
    }
    this.lastGood = { status: result.status, atMs, expiresAtMs };
    this.policyPublished = false;
    await this.publish(result.status, atMs, expiresAtMs, 'latch');
    return Math.max(0, startedAt + this.o.pollIntervalMs - Date.now());
  }

  private logFault(e: unknown, retryInMs: number): void {
    const fields = { failures: this.failures, credentialErrors: this.credentialErrors || undefined, retryInMs };
    if (e instanceof LatchFault) {
      // Credentials, pairing and clock problems will not fix themselves: say so louder.
      const serious = e.code !== undefined && [101, 102, 103, 104, 105, 107, 108, 109, 201, 207, 301].includes(e.code);
      const log = serious ? this.o.log.error.bind(this.o.log) : this.o.log.warn.bind(this.o.log);
      log('poll_failed', { kind: e.kind, code: e.code, httpStatus: e.httpStatus, message: e.message, ...fields });
    } else {
      this.o.log.error('poll_failed', { kind: 'internal', message: e instanceof Error ? e.message : String(e), ...fields });
    }
  }

  /** After `expiresAt` with no success, publish the failure policy's state (once per outage). */
  private async publishPolicyIfExpired(): Promise<void> {
    const now = Date.now();
    if (this.policyPublished || this.stopping || (this.lastGood && now < this.lastGood.expiresAtMs)) return;
    const atMs = this.lastGood?.atMs ?? floorToSecond(now);
    const expiresAtMs = this.lastGood?.expiresAtMs ?? atMs;
    const status = this.o.failurePolicy === 'closed' ? 'off' : 'on';
    this.o.log.warn('failure_policy', {
      policy: this.o.failurePolicy,
      latched: status !== 'on',
      lastSuccess: this.lastGood ? new Date(this.lastGood.atMs).toISOString() : null,
      message: `no successful poll before expiresAt: publishing the ${this.o.failurePolicy} policy state (stale, so readers apply their own policy too)`,
    });
    this.policyPublished = await this.publish(status, atMs, expiresAtMs, 'failure-policy');
  }

  /** Publishes to every target; returns whether all succeeded. */
  private async publish(status: string, atMs: number, expiresAtMs: number, source: StatusSource): Promise<boolean> {
    const content = serializeDocument(buildDocument(status, atMs, expiresAtMs, source));
    let ok = true;
    for (const p of this.o.publishers) {
      try {
        await p.publish(content, this.stopper.signal);
        this.spoken.add(p.target);
      } catch (e) {
        ok = false;
        if (this.stopping) break;
        const kind = (e as { kind?: string }).kind ?? 'internal';
        this.o.log.error('publish_failed', { target: p.target, kind, message: e instanceof Error ? e.message : String(e) });
      }
    }
    return ok;
  }

  /** Adopts a still-fresh document published before a restart as the last good status. */
  private async restore(): Promise<void> {
    const now = Date.now();
    for (const p of this.o.publishers) {
      let text: string | undefined;
      try {
        text = await p.load(this.stopper.signal);
      } catch {
        continue;
      }
      const verdict = text === undefined ? undefined : evaluateStatus(text, now);
      if (verdict && verdict.state !== 'unknown' && verdict.doc.source === 'latch') {
        // the contract's checks, then this agent's own rule: never longer than its own staleness
        const atMs = Math.min(Date.parse(verdict.doc.latchUpdate), now);
        const expiresAtMs = Math.min(verdict.expiresAtMs, atMs + this.o.maxStalenessMs);
        if (now >= expiresAtMs) continue;
        this.lastGood = { status: verdict.doc.status, atMs, expiresAtMs };
        this.spoken.add(p.target);
        this.o.log.info('restored', { target: p.target, status: verdict.doc.status, expiresAt: new Date(expiresAtMs).toISOString().slice(0, 19) + 'Z' });
        return;
      } else if (verdict?.state === 'unknown' && !verdict.reason.startsWith('stale')) {
        this.o.log.warn('not_restored', { target: p.target, reason: verdict.reason });
      }
    }
  }

  /** Sleeps until `target`, waking at the last good status's expiry to publish the failure policy on time. */
  private async sleepUntil(target: number): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      if (now >= target) return;
      const expiry = this.lastGood && !this.policyPublished && this.failures > 0 ? this.lastGood.expiresAtMs : Infinity;
      // An expiry already past (its publication failed) waits for the next poll, never spins.
      await this.sleep((expiry > now ? Math.min(target, expiry) : target) - now);
      if (this.failures > 0) await this.publishPolicyIfExpired();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * Promises the next beat by: the planned sleep, one poll (≤ the HTTP timeout), two
   * publications (the poll's and a failure-policy one during the sleep) and a grace period.
   */
  private beat(sleepMs: number): void {
    if (!this.o.heartbeatFile) return;
    const now = Date.now();
    const publishMs = this.o.publishers.reduce((sum, p) => sum + p.timeoutMs, 0);
    const nextByMs = now + sleepMs + this.o.httpTimeoutMs + 2 * publishMs + Math.max(5000, this.o.pollIntervalMs);
    const polled = this.stats.polls > 0;
    const published = this.o.publishers.every((p) => this.spoken.has(p.target));
    const due = now - this.heartbeat.atMs >= HEARTBEAT_MIN_PERIOD_MS || nextByMs - this.heartbeat.nextByMs >= HEARTBEAT_MIN_PERIOD_MS;
    const last = this.heartbeat;
    const changed = polled !== last.polled || published !== last.published || this.credentialErrors !== last.credentialErrors;
    if (!due && !changed) return;
    try {
      writeHeartbeat(this.o.heartbeatFile, now, nextByMs, polled, this.credentialErrors, published);
      this.heartbeat = { atMs: now, nextByMs, polled, published, credentialErrors: this.credentialErrors, failing: false };
    } catch (e) {
      if (!this.heartbeat.failing) {
        this.o.log.error('heartbeat_failed', { file: this.o.heartbeatFile, message: (e as NodeJS.ErrnoException).code ?? String(e) });
      }
      this.heartbeat.failing = true;
    }
  }
}
