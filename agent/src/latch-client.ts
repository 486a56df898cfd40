/**
 * The Latch application API client: status (always `/nootp/silent`), pair, pairWithId, unpair.
 * Every failure is a `LatchFault` with a kind, and for API errors the code and a
 * sentence a person can act on.
 */
import { ApiConfig, AppCredentials, latchApiCas } from './config';
import { HttpClient, TransportError, TransportKind } from './http';
import { authorizationHeader, formatLatchDate } from './signing';

export type FaultKind = TransportKind | 'http' | 'garbage' | 'latch-error' | 'unexpected';

export class LatchFault extends Error {
  constructor(
    public readonly kind: FaultKind,
    message: string,
    public readonly code?: number,
    public readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'LatchFault';
  }
}

export interface LatchStatus {
  /** The API's word for the latch: `"on"` is open, anything else locked. */
  readonly status: string;
  /** A non-fatal error that came with the data (e.g. 106, outdated client version). */
  readonly warning?: { readonly code: number; readonly message: string };
}

/** What each documented error code means for whoever reads the log (PROTOCOL.md §5). */
const ERROR_HINTS: Readonly<Record<number, string>> = {
  101: 'the API rejected the Authorization header format (a proxy rewriting headers?)',
  102: 'invalid application signature: the secret key does not belong to this application id; check secretKey in the credentials',
  103: 'the Authorization header did not reach the API (a proxy stripping headers?)',
  104: 'the X-11Paths-Date header did not reach the API (a proxy stripping headers?)',
  105: 'invalid credentials: the application id or secret key is wrong; check appId and secretKey in the credentials',
  106: 'outdated client version (the call still works); consider a newer LATCH_API_VERSION',
  107: 'unsupported client version: change LATCH_API_VERSION',
  108: 'the API rejected the date header format',
  109: 'request expired: this host clock differs from the API clock by more than it allows; synchronise the clock (NTP)',
  201: 'account not paired: the account id is unknown or was unpaired; pair again with `superlatch-agent pair --token <token>` and store the new accountId',
  202: 'invalid account name',
  203: 'the API could not pair the account',
  204: 'the API could not unpair the account',
  205: 'this account and application are already paired; use the existing account id (or unpair first)',
  206: 'pairing token not found or expired: generate a new token in the Latch app and pair again before it expires',
  207: 'the Latch account is not activated or is disabled',
  208: 'Latch account error',
  301: 'application or operation not found: check the operation id (LATCH_OPERATION_ID / operationId)',
};

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Keeps API-provided text printable and short before it reaches a log line. */
function clean(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readError(body: Record<string, unknown>): { code: number; message: string } | undefined {
  const e = body.error;
  if (!isObject(e) || typeof e.code !== 'number') return undefined;
  return { code: e.code, message: typeof e.message === 'string' ? clean(e.message) : '' };
}

function apiError(err: { code: number; message: string }, httpStatus: number): LatchFault {
  const hint = ERROR_HINTS[err.code] ?? 'Latch API error';
  const said = err.message ? ` (API said: ${err.message})` : '';
  return new LatchFault('latch-error', `error ${err.code}: ${hint}${said}`, err.code, httpStatus);
}

export class LatchClient {
  private readonly ca: readonly string[];

  constructor(
    private readonly api: ApiConfig,
    private readonly app: AppCredentials | (() => AppCredentials),
    private readonly http: HttpClient,
    private readonly now: () => number = Date.now,
  ) {
    this.ca = latchApiCas(api);
  }

  /** The credentials now (a function re-reads a mounted Secret when it changed). */
  private get credentials(): AppCredentials {
    return typeof this.app === 'function' ? this.app() : this.app;
  }

  /** The path of a status request; flags are always `/nootp/silent` (no OTP, no push per poll). */
  public statusPath(accountId: string, operationId?: string): string {
    const op = operationId === undefined ? '' : `/op/${encodeURIComponent(operationId)}`;
    return `/api/${this.api.version}/status/${encodeURIComponent(accountId)}${op}/nootp/silent`;
  }

  public async status(accountId: string, operationId?: string, signal?: AbortSignal): Promise<LatchStatus> {
    const { status, body } = await this.call(this.statusPath(accountId, operationId), signal);
    const key = operationId ?? this.credentials.appId;
    const data = body.data;
    const entry = isObject(data) && isObject(data.operations) ? data.operations[key] : undefined;
    const error = readError(body);
    if (isObject(entry) && typeof entry.status === 'string') {
      return { status: /^[A-Za-z0-9_-]{1,32}$/.test(entry.status) ? entry.status : 'unknown', warning: error };
    }
    if (error) throw apiError(error, status);
    if (status !== 200) throw new LatchFault('http', `HTTP ${status} without a Latch answer`, undefined, status);
    throw new LatchFault('unexpected', 'the answer has no data.operations entry with a status for this latch');
  }

  /** Pairs with a token the user generated in the Latch app; resolves with the account id. */
  public async pair(token: string, signal?: AbortSignal): Promise<string> {
    return this.accountIdFrom(await this.call(`/api/${this.api.version}/pair/${encodeURIComponent(token)}`, signal));
  }

  /** Pairs without a token (a restricted API feature); resolves with the account id. */
  public async pairWithId(id: string, signal?: AbortSignal): Promise<string> {
    return this.accountIdFrom(await this.call(`/api/${this.api.version}/pairWithId/${encodeURIComponent(id)}`, signal));
  }

  public async unpair(accountId: string, signal?: AbortSignal): Promise<void> {
    const { status, body } = await this.call(`/api/${this.api.version}/unpair/${encodeURIComponent(accountId)}`, signal);
    const error = readError(body);
    if (error) throw apiError(error, status);
    if (status !== 200 && status !== 204) throw new LatchFault('http', `HTTP ${status} without a Latch answer`, undefined, status);
  }

  private accountIdFrom({ status, body }: { status: number; body: Record<string, unknown> }): string {
    const data = body.data;
    if (isObject(data) && typeof data.accountId === 'string' && data.accountId !== '') return data.accountId;
    const error = readError(body);
    if (error) throw apiError(error, status);
    if (status !== 200) throw new LatchFault('http', `HTTP ${status} without a Latch answer`, undefined, status);
    throw new LatchFault('unexpected', 'the answer has no data.accountId');
  }

  /** A signed GET; resolves with the HTTP status and the JSON object body (`{}` for an empty body). */
  private async call(path: string, signal?: AbortSignal): Promise<{ status: number; body: Record<string, unknown> }> {
    const date = formatLatchDate(this.now());
    const app = this.credentials;
    let res;
    try {
      res = await this.http.send({
        url: new URL(path, this.api.baseUrl),
        method: 'GET',
        headers: {
          'Authorization': authorizationHeader(app.appId, app.secretKey, { method: 'GET', path, date }),
          'X-11Paths-Date': date,
          'User-Agent': 'superlatch-agent',
          'Accept': 'application/json',
        },
        timeoutMs: this.api.timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
        signal,
        ca: this.ca,
      });
    } catch (e) {
      if (e instanceof TransportError) throw new LatchFault(e.kind, e.message);
      throw e;
    }
    const text = res.body.toString('utf8');
    if (text.trim() === '') {
      if (res.status === 200 || res.status === 204) return { status: res.status, body: {} };
      throw new LatchFault('http', `HTTP ${res.status} with an empty body`, undefined, res.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (res.status !== 200) throw new LatchFault('http', `HTTP ${res.status} with a body that is not JSON`, undefined, res.status);
      throw new LatchFault('garbage', `the body is not JSON (${res.body.length} bytes, content-type ${clean(res.contentType) || 'none'})`);
    }
    if (!isObject(body)) throw new LatchFault('garbage', 'the body is JSON but not an object');
    return { status: res.status, body };
  }
}
