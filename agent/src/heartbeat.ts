/**
 * The `run` loop's heartbeat, read by `health` (the liveness probe).
 *
 * After every iteration the loop writes when it expects to beat again at the latest
 * (`nextBy`: its planned sleep, two HTTP timeouts and a grace period), so `health`
 * needs no knowledge of the interval or the backoff: it only compares `nextBy` with now.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from './status-file';

interface HeartbeatDocument {
  readonly at: string;
  readonly nextBy: string;
  readonly pid: number;
}

/** A promise further away than this is not believed. */
const MAX_PROMISE_MS = 8 * 86400 * 1000;

export function writeHeartbeat(file: string, atMs: number, nextByMs: number): void {
  const doc: HeartbeatDocument = { at: new Date(atMs).toISOString(), nextBy: new Date(nextByMs).toISOString(), pid: process.pid };
  writeFileAtomic(file, JSON.stringify(doc) + '\n', false);
}

export interface HeartbeatVerdict {
  readonly healthy: boolean;
  readonly reason: string;
}

export function checkHeartbeat(file: string, nowMs: number): HeartbeatVerdict {
  let doc: Partial<HeartbeatDocument>;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<HeartbeatDocument>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { healthy: false, reason: code === 'ENOENT' ? `no heartbeat at ${file}` : `unreadable heartbeat ${file} (${code ?? 'not JSON'})` };
  }
  const at = Date.parse(String(doc.at));
  const nextBy = Date.parse(String(doc.nextBy));
  if (!Number.isFinite(at) || !Number.isFinite(nextBy) || nextBy - at > MAX_PROMISE_MS) {
    return { healthy: false, reason: `malformed heartbeat ${file}` };
  }
  if (nowMs > nextBy) return { healthy: false, reason: `the run loop last beat at ${doc.at} and was due by ${doc.nextBy}` };
  return { healthy: true, reason: `the run loop beat at ${doc.at}` };
}
