/**
 * The `run` loop's heartbeat, read by `health` (the liveness probe).
 *
 * After every iteration the loop writes when it expects to beat again at the latest
 * (`nextBy`: its planned sleep, the timeouts of a poll and its publications, and a grace
 * period), so `health` needs no knowledge of the interval or the backoff: it only
 * compares `nextBy` with now. `polled` turns true once the first poll has been answered
 * or has failed and its outcome was published: `ready` needs that too. `published` turns
 * true once every target holds a document of this loop (published, or adopted at a restart):
 * `published`, the startup probe of the native sidecar, needs that.
 */
import { readSmallRegularFile, writeFileAtomic } from './status-file';

interface HeartbeatDocument {
  readonly at: string;
  readonly nextBy: string;
  readonly polled: boolean;
  /** Every target holds a status document this loop published or adopted (absent in older heartbeats: no). */
  readonly published?: boolean;
  readonly pid: number;
  /** Consecutive polls the Latch API refused for the credentials (errors 102, 105, ...). */
  readonly credentialErrors?: number;
}

/**
 * After this many consecutive credential errors (re-reading the credentials did not help)
 * `health` fails, so the kubelet restarts the agent and the failure is visible.
 */
export const MAX_CREDENTIAL_ERRORS = 5;

const MAX_HEARTBEAT_BYTES = 4096;

/** A promise further away than this is not believed. */
const MAX_PROMISE_MS = 8 * 86400 * 1000;

export function writeHeartbeat(file: string, atMs: number, nextByMs: number, polled: boolean, credentialErrors = 0, published = false): void {
  const doc: HeartbeatDocument = {
    at: new Date(atMs).toISOString(), nextBy: new Date(nextByMs).toISOString(), polled, published, pid: process.pid, credentialErrors,
  };
  writeFileAtomic(file, JSON.stringify(doc) + '\n', false);
}

export interface HeartbeatVerdict {
  /** The loop beat and is not overdue. */
  readonly healthy: boolean;
  /** Healthy, and the first poll is done. */
  readonly ready: boolean;
  /** Healthy, and every target holds a status document of this loop. */
  readonly published: boolean;
  readonly reason: string;
}

export function checkHeartbeat(file: string, nowMs: number): HeartbeatVerdict {
  let value: unknown;
  try {
    value = JSON.parse(readSmallRegularFile(file, MAX_HEARTBEAT_BYTES));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { healthy: false, ready: false, published: false, reason: code === 'ENOENT' ? `no heartbeat at ${file}` : `unreadable heartbeat ${file} (${code ?? 'not JSON'})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { healthy: false, ready: false, published: false, reason: `malformed heartbeat ${file}` };
  const doc = value as Partial<HeartbeatDocument>;
  const at = Date.parse(String(doc.at));
  const nextBy = Date.parse(String(doc.nextBy));
  if (!Number.isFinite(at) || !Number.isFinite(nextBy) || nextBy - at > MAX_PROMISE_MS) {
    return { healthy: false, ready: false, published: false, reason: `malformed heartbeat ${file}` };
  }
  const credentialErrors = typeof doc.credentialErrors === 'number' ? doc.credentialErrors : 0;
  if (credentialErrors >= MAX_CREDENTIAL_ERRORS) {
    return { healthy: false, ready: false, published: false, reason: `the Latch API refused the credentials ${credentialErrors} polls in a row (limit ${MAX_CREDENTIAL_ERRORS}); fix the Secret` };
  }
  if (nowMs > nextBy) return { healthy: false, ready: false, published: false, reason: `the run loop last beat at ${doc.at} and was due by ${doc.nextBy}` };
  const published = doc.published === true;
  if (doc.polled !== true) return { healthy: true, ready: false, published, reason: `the run loop beat at ${doc.at}; its first poll is not done yet` };
  return { healthy: true, ready: true, published, reason: `the run loop beat at ${doc.at}` };
}
