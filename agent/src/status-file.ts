/**
 * The status file contract v1 (DESIGN.md §3, docs/agent.md): building the document,
 * judging one as a reader must, and replacing a file atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstDuplicateKey } from './strict-json';

export type StatusSource = 'latch' | 'failure-policy';

export interface StatusDocument {
  readonly version: 1;
  /** `true` when locked: whenever `status` is not `"on"`. */
  readonly latched: boolean;
  /** The Latch API's word: `"on"` (open) or anything else (locked). */
  readonly status: string;
  /** UTC `YYYY-MM-DDTHH:MM:SS`, no zone: what the seed's readers parse. */
  readonly lastUpdate: string;
  /** The same instant, RFC 3339 with `Z`. */
  readonly latchUpdate: string;
  /** After this instant readers treat the file as stale. */
  readonly expiresAt: string;
  readonly source: StatusSource;
}

/** Files larger than this are not status files. */
const MAX_FILE_BYTES = 64 * 1024;

/** Whole seconds: the contract's timestamps carry no fraction. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function buildDocument(status: string, atMs: number, expiresAtMs: number, source: StatusSource): StatusDocument {
  const at = floorToSecond(atMs);
  return {
    version: 1,
    latched: status !== 'on',
    status,
    lastUpdate: rfc3339(at).slice(0, 19),
    latchUpdate: rfc3339(at),
    expiresAt: rfc3339(floorToSecond(expiresAtMs)),
    source,
  };
}

export function serializeDocument(doc: StatusDocument): string {
  return JSON.stringify(doc) + '\n';
}

/** What a reader concludes: open or locked (fresh and well-formed), or unknown (exit code 2 of `check`). */
export type Verdict =
  | { readonly state: 'open' | 'locked'; readonly doc: StatusDocument; readonly expiresAtMs: number }
  | { readonly state: 'unknown'; readonly reason: string };

const LAST_UPDATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const RFC3339_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function unknown(reason: string): Verdict {
  return { state: 'unknown', reason };
}

/** Judges the text of a status file at `nowMs`; never says open for anything but a fresh, well-formed, open document. */
export function evaluateStatus(text: string, nowMs: number): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return unknown('malformed: not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return unknown('malformed: not a JSON object');
  // JSON.parse keeps the last of duplicate keys; the agent never writes one twice
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) return unknown(`malformed: duplicate key ${JSON.stringify(duplicate)}`);
  const doc = value as Record<string, unknown>;
  if (typeof doc.version !== 'number') return unknown('wrongly typed: version is not a number');
  if (doc.version !== 1) return unknown(`unsupported contract version ${doc.version}`);
  if (typeof doc.latched !== 'boolean') return unknown('wrongly typed: latched is not a boolean');
  for (const field of ['status', 'lastUpdate', 'latchUpdate', 'expiresAt', 'source']) {
    if (typeof doc[field] !== 'string') return unknown(`wrongly typed: ${field} is not a string`);
  }
  const { latched, status, lastUpdate, latchUpdate, expiresAt } = doc as unknown as StatusDocument;
  if (!LAST_UPDATE.test(lastUpdate) || !Number.isFinite(Date.parse(lastUpdate + 'Z'))) return unknown('malformed: lastUpdate is not YYYY-MM-DDTHH:MM:SS');
  if (!RFC3339_Z.test(latchUpdate) || !Number.isFinite(Date.parse(latchUpdate))) return unknown('malformed: latchUpdate is not an RFC 3339 UTC time');
  if (!RFC3339_Z.test(expiresAt) || !Number.isFinite(Date.parse(expiresAt))) return unknown('malformed: expiresAt is not an RFC 3339 UTC time');
  if (Date.parse(latchUpdate) !== Date.parse(lastUpdate + 'Z')) return unknown('inconsistent: lastUpdate and latchUpdate differ');
  if (latched !== (status !== 'on')) return unknown(`inconsistent: latched is ${latched} but status is ${JSON.stringify(status)}`);
  const expiresAtMs = Date.parse(expiresAt);
  if (nowMs >= expiresAtMs) return unknown(`stale: expired at ${expiresAt}`);
  return { state: latched ? 'locked' : 'open', doc: doc as unknown as StatusDocument, expiresAtMs };
}

/** Reads and judges a status file; a missing, unreadable or oversized file is unknown. */
export function readStatusFile(file: string, nowMs: number): Verdict {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).size > MAX_FILE_BYTES) return unknown(`malformed: larger than ${MAX_FILE_BYTES} bytes`);
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return unknown(code === 'ENOENT' ? `missing: ${file} does not exist` : `unreadable: ${file} (${code ?? 'error'})`);
  }
  return evaluateStatus(text, nowMs);
}

let tempCounter = 0;

function tempPrefix(file: string): string {
  return `.${path.basename(file)}.`;
}

/**
 * Replaces `file` with `content` so that a reader sees the old or the new content, never a
 * mix: write a temp file in the same directory, fsync it, rename it over `file`, fsync the
 * directory. `durable: false` skips the fsyncs (for the heartbeat, which may be lost on a crash).
 */
export function writeFileAtomic(file: string, content: string, durable = true): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${tempPrefix(file)}${process.pid}.${++tempCounter}.tmp`);
  const data = Buffer.from(content, 'utf8');
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    fs.fchmodSync(fd, 0o644);
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  if (durable) syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Removes temp files a killed writer left next to `file`. */
export function removeLeftoverTempFiles(file: string): void {
  const prefix = tempPrefix(file);
  const dir = path.dirname(file);
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && /\.\d+\.\d+\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
