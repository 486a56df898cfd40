/**
 * The status file contract v1 (DESIGN.md §3, docs/agent.md): building the document,
 * judging one as a reader must, and replacing a file atomically.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstDuplicateKey } from './strict-json';
import { LATCH_MAX_STALENESS } from './variables';

/** The sources the contract defines; a document with any other is unknown. */
export const STATUS_SOURCES = ['latch', 'failure-policy'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

/** A `lastUpdate` at most this far ahead of the reader's clock is believed (clock skew between nodes). */
export const MAX_CLOCK_SKEW_MS = 60_000;

/** The longest `expiresAt − lastUpdate` a writer can set: the upper bound of `LATCH_MAX_STALENESS`. */
export const MAX_LIFETIME_MS = LATCH_MAX_STALENESS.max * 1000;

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
export const MAX_FILE_BYTES = 64 * 1024;

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

/** Milliseconds of a well-formed UTC time that exists in the calendar (no 9999-02-30, no 24:00), else NaN. */
function calendarTime(text: string, zone: '' | 'Z'): number {
  const ms = Date.parse(text + zone);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19) ? ms : NaN;
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
  const { latched, status, lastUpdate, latchUpdate, expiresAt, source } = doc as unknown as StatusDocument;
  const lastUpdateMs = LAST_UPDATE.test(lastUpdate) ? calendarTime(lastUpdate, 'Z') : NaN;
  if (!Number.isFinite(lastUpdateMs)) return unknown('malformed: lastUpdate is not a valid YYYY-MM-DDTHH:MM:SS');
  if (!RFC3339_Z.test(latchUpdate) || !Number.isFinite(calendarTime(latchUpdate, ''))) return unknown('malformed: latchUpdate is not a valid RFC 3339 UTC time');
  if (!RFC3339_Z.test(expiresAt) || !Number.isFinite(calendarTime(expiresAt, ''))) return unknown('malformed: expiresAt is not a valid RFC 3339 UTC time');
  if (!(STATUS_SOURCES as readonly string[]).includes(source)) return unknown(`malformed: source ${JSON.stringify(source)} is not one the contract defines`);
  if (Date.parse(latchUpdate) !== lastUpdateMs) return unknown('inconsistent: lastUpdate and latchUpdate differ');
  if (latched !== (status !== 'on')) return unknown(`inconsistent: latched is ${latched} but status is ${JSON.stringify(status)}`);
  const expiresAtMs = Date.parse(expiresAt);
  if (expiresAtMs < lastUpdateMs) return unknown('inconsistent: expiresAt is before lastUpdate');
  if (expiresAtMs - lastUpdateMs > MAX_LIFETIME_MS) {
    return unknown(`forged: expiresAt is more than ${MAX_LIFETIME_MS / 1000} s (the longest LATCH_MAX_STALENESS) after lastUpdate`);
  }
  if (lastUpdateMs > nowMs + MAX_CLOCK_SKEW_MS) return unknown(`forged: lastUpdate ${lastUpdate} is more than ${MAX_CLOCK_SKEW_MS / 1000} s in the future`);
  if (nowMs >= expiresAtMs) return unknown(`stale: expired at ${expiresAt}`);
  return { state: latched ? 'locked' : 'open', doc: doc as unknown as StatusDocument, expiresAtMs };
}

/**
 * The text of a small regular file, read without blocking or trusting its size: opened
 * non-blocking (a FIFO planted there never hangs the reader), refused unless fstat says
 * regular file (so no device, socket or FIFO is read), and read only up to `maxBytes` + 1
 * whatever fstat claims. Throws an error with `code` (`ENOENT`, `EISDIR`, `ENOTREG`, `EFBIG`, ...).
 */
export function readSmallRegularFile(file: string, maxBytes: number): string {
  // eslint-disable-next-line no-bitwise -- open(2) flags are a bit mask
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' });
    const buf = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size < buf.length; size += n) n = fs.readSync(fd, buf, size, buf.length - size, null);
    if (size > maxBytes) throw Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: 'EFBIG' });
    return buf.subarray(0, size).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads and judges a status file; a missing, unreadable, oversized or non-regular file is unknown. */
export function readStatusFile(file: string, nowMs: number): Verdict {
  let text: string;
  try {
    text = readSmallRegularFile(file, MAX_FILE_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EFBIG') return unknown(`malformed: larger than ${MAX_FILE_BYTES} bytes`);
    if (code === 'ENOTREG') return unknown(`unreadable: ${file} is not a regular file`);
    return unknown(code === 'ENOENT' ? `missing: ${file} does not exist` : `unreadable: ${file} (${code ?? 'error'})`);
  }
  return evaluateStatus(text, nowMs);
}

function tempPrefix(file: string): string {
  return `.${path.basename(file)}.`;
}

/** Temp names: 16 random hex digits, so nobody can plant something at the next one. */
const TEMP_SUFFIX = /^[0-9a-f]{16}\.tmp$/;
/** The names older agents used (`.<name>.<pid>.<n>.tmp`), still cleaned up. */
const OLD_TEMP_SUFFIX = /^\d+\.\d+\.tmp$/;

/** Attempts at a fresh temp name before giving up (64 random bits never collide by chance). */
const TEMP_ATTEMPTS = 3;

/**
 * Replaces `file` with `content` so that a reader sees the old or the new content, never a
 * mix: write a temp file (random name, created exclusively, no symlink followed) in the same
 * directory, fsync it, rename it over `file`, fsync the directory. A directory planted at
 * `file` (the one thing rename cannot replace) is removed first. `durable: false` skips the
 * fsyncs (for the heartbeat, which may be lost on a crash).
 */
export function writeFileAtomic(file: string, content: string, durable = true): void {
  const dir = path.dirname(file);
  const data = Buffer.from(content, 'utf8');
  let temp = '';
  let fd: number | undefined;
  for (let attempt = 1; fd === undefined; attempt++) {
    temp = path.join(dir, `${tempPrefix(file)}${randomBytes(8).toString('hex')}.tmp`);
    try {
      // eslint-disable-next-line no-bitwise -- open(2) flags are a bit mask
      fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= TEMP_ATTEMPTS) throw e;
    }
  }
  try {
    fs.fchmodSync(fd, 0o644);
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    renameOver(temp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    removeQuietly(temp);
    throw e;
  }
  if (durable) syncDirectory(dir);
}

/** rename(2), after removing a directory planted at `to`. */
function renameOver(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    // rmSync does not follow symbolic links: it removes the planted tree, nothing it points to
    fs.rmSync(to, { recursive: true, force: true });
    fs.renameSync(from, to);
  }
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

/** Removes `file`, or a tree planted there; never throws. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { recursive: true, force: true });
  } catch {
    // nothing more to do: temp names are random, the next write uses another
  }
}

/**
 * Removes temp files a killed writer left next to `file`, and anything planted at a temp
 * name (directories included); never throws, so it cannot stop a restart.
 */
export function removeLeftoverTempFiles(file: string): void {
  const prefix = tempPrefix(file);
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const rest = name.slice(prefix.length);
    if (name.startsWith(prefix) && (TEMP_SUFFIX.test(rest) || OLD_TEMP_SUFFIX.test(rest))) removeQuietly(path.join(dir, name));
  }
}
