/**
 * Request signing for the Latch API ("11PATHS" scheme, PROTOCOL.md §3).
 *
 * Pure functions only: the client, the tests and the vectors in
 * `test/fixtures/latch/signature-vectors.json` all go through `signRequest`.
 */
import { createHmac } from 'node:crypto';

/** What a signature covers. `path` is the request path as sent, from `/api/...`. */
export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  /** Value of the `X-11Paths-Date` header, `YYYY-MM-DD HH:MM:SS` (UTC). */
  readonly date: string;
  /** Extra headers; only names starting with `X-11Paths-` (any case) are signed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Form body parameters (POST/PUT); `undefined`/`null` when there is no body. */
  readonly params?: Readonly<Record<string, string>> | null;
}

const SIGNED_HEADER_PREFIX = 'x-11paths-';
const DATE_HEADER = 'x-11paths-date';

/** `YYYY-MM-DD HH:MM:SS` in UTC: the `X-11Paths-Date` format (§3.1). */
export function formatLatchDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Form-encodes one key or value the way Java's `URLEncoder` does (the reference SDK):
 * `[A-Za-z0-9.*_-]` kept, space as `+`, every other UTF-8 byte as `%XX` (upper case).
 */
export function formEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.*_-]/.test(c)) {
      out += c;
    } else if (c === ' ') {
      out += '+';
    } else {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** Code-unit order (upper case before lower case), as the SDKs sort. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The extra-headers line (§3.3); empty when no `X-11Paths-*` header other than the date is given. */
export function serializeSignedHeaders(headers: Readonly<Record<string, string>> = {}): string {
  return Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => name.startsWith(SIGNED_HEADER_PREFIX) && name !== DATE_HEADER)
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([name, value]) => `${name}:${value.replace(/\n/g, ' ')}`)
    .join(' ');
}

/** The body-parameters line (§3.4): sorted by key, `key=value` form-encoded, joined by `&`. */
export function serializeParams(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(byCodeUnit)
    .map((key) => `${formEncode(key)}=${formEncode(params[key])}`)
    .join('&');
}

/** The exact string to sign (§3.2): LF-joined, no trailing newline, params line only when there are params. */
export function stringToSign(req: SignableRequest): string {
  const lines = [req.method.toUpperCase(), req.date, serializeSignedHeaders(req.headers), req.path];
  if (req.params && Object.keys(req.params).length > 0) {
    lines.push(serializeParams(req.params));
  }
  return lines.join('\n');
}

/** `Base64(HMAC-SHA1(secret, stringToSign))` (§3.5). */
export function signature(secret: string, toSign: string): string {
  return createHmac('sha1', Buffer.from(secret, 'utf8')).update(toSign, 'utf8').digest('base64');
}

/** The `Authorization` header value: `11PATHS <appId> <signature>`. */
export function authorizationHeader(appId: string, secret: string, req: SignableRequest): string {
  return `11PATHS ${appId} ${signature(secret, stringToSign(req))}`;
}
