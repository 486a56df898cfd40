/**
 * A Latch API simulator for the agent's tests and benchmark (PROTOCOL.md §6).
 *
 * It verifies requests with its own implementation of the signing rules (not the
 * agent's), serves status / pair / pairWithId / unpair, lets a test flip a latch,
 * inject faults, skew its clock, and inspect every request (route, flags, outcome).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';

export type LatchState = 'on' | 'off';

export type Fault =
  /** Answer normally after a delay. */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Do not answer (the client must time out) until `releaseHung()`. */
  | { readonly kind: 'hang' }
  /** Reset the connection without answering. */
  | { readonly kind: 'reset' }
  /** An HTTP error status with an HTML body, like a proxy in front of the API. */
  | { readonly kind: 'http'; readonly status: number }
  /** HTTP 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' }
  /** HTTP 200 announcing more bytes than it sends, then closing the connection. */
  | { readonly kind: 'truncated' }
  /** HTTP 200 with a Latch `error` object. */
  | { readonly kind: 'error'; readonly code: number; readonly message?: string }
  /** HTTP 204 with no body. */
  | { readonly kind: 'empty' };

export type Route = 'status' | 'pair' | 'pairWithId' | 'unpair' | 'other';

export interface SimRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly route: Route;
  readonly silent: boolean;
  readonly nootp: boolean;
  /** The signature part of the Authorization header, as received. */
  readonly signature?: string;
  /** `ok`, `error:<code>` or `fault:<kind>`. */
  outcome: string;
  /** For a successful status request: the status served. */
  served?: LatchState;
}

export interface SimulatorOptions {
  /** appId → secret. */
  readonly apps?: Readonly<Record<string, string>>;
  /** Accepted clock difference (default ±5 min). */
  readonly skewMs?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

interface Account {
  readonly appId: string;
  status: LatchState;
  readonly operations: Map<string, LatchState>;
}

// ---- the simulator's own reading of the signing rules (deliberately independent of agent/src) ----

const JAVA_KEEP = /[!'()~]/g;

/** Java `URLEncoder` style: encodeURIComponent, then space as `+` and `!'()~` escaped. */
function javaEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(JAVA_KEEP, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Decodes an `application/x-www-form-urlencoded` body (space as `+` or `%20`). */
export function decodeForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of body.split('&').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const dec = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    params[dec(eq < 0 ? pair : pair.slice(0, eq))] = eq < 0 ? '' : dec(pair.slice(eq + 1));
  }
  return params;
}

/** Rebuilds the string to sign from a request as received. */
export function rebuildStringToSign(method: string, path: string, headers: http.IncomingHttpHeaders, params: Record<string, string>): string {
  const extra = Object.keys(headers)
    .filter((h) => h.toLowerCase().startsWith('x-11paths-') && h.toLowerCase() !== 'x-11paths-date')
    .map((h) => h.toLowerCase())
    .sort()
    .map((h) => `${h}:${String(headers[h]).split('\n').join(' ')}`)
    .join(' ');
  let s = `${method}\n${String(headers['x-11paths-date'])}\n${extra}\n${path}`;
  const keys = Object.keys(params).sort();
  if (keys.length > 0) s += '\n' + keys.map((k) => `${javaEncode(k)}=${javaEncode(params[k])}`).join('&');
  return s;
}

function parseLatchDate(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

const MESSAGES: Record<number, string> = {
  101: 'Invalid Authorization header format',
  102: 'Invalid application signature',
  103: 'Authorization header missing',
  104: 'Date header missing',
  108: 'Invalid date format',
  109: 'Request expired, date is too old',
  201: 'Account not paired',
  203: 'Error pairing account',
  205: 'Account and application already paired',
  206: 'Token not found or expired',
  301: 'Application or operation not found',
};

export class LatchSimulator extends EventEmitter {
  /** Starts a simulator on 127.0.0.1 with an ephemeral port. */
  public static async start(options: SimulatorOptions = {}): Promise<LatchSimulator> {
    const sim = new LatchSimulator(options);
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    return sim;
  }

  public readonly requests: SimRequest[] = [];
  /** Added to the simulator's clock when it checks request dates. */
  public clockOffsetMs = 0;
  public skewMs: number;
  private readonly apps = new Map<string, string>();
  private readonly accounts = new Map<string, Account>();
  private readonly tokens = new Map<string, string>();
  private readonly pairIds = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private faults: { fault: Fault; remaining: number }[] = [];
  private hung: Array<() => void> = [];
  private readonly server: http.Server;
  private readonly secure: boolean;
  private connectionClose = false;

  private constructor(options: SimulatorOptions) {
    super();
    for (const [id, secret] of Object.entries(options.apps ?? {})) this.apps.set(id, secret);
    this.skewMs = options.skewMs ?? 5 * 60_000;
    this.secure = options.tls !== undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
    this.server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Base URL to give the agent as LATCH_API_URL. */
  public get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  public addApp(appId: string, secret: string): void {
    this.apps.set(appId, secret);
  }

  public addAccount(appId: string, accountId: string, status: LatchState = 'on', operations: Record<string, LatchState> = {}): void {
    this.accounts.set(accountId, { appId, status, operations: new Map(Object.entries(operations)) });
  }

  /** Flips the account's latch (or one operation's). */
  public setStatus(accountId: string, status: LatchState, operationId?: string): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    if (operationId === undefined) account.status = status;
    else account.operations.set(operationId, status);
  }

  /** A pairing token the "mobile app" generated: pairing with it creates `accountId`. */
  public addPairingToken(token: string, accountId: string): void {
    this.tokens.set(token, accountId);
  }

  /** An id `pairWithId` accepts, creating `accountId`. */
  public allowPairWithId(id: string, accountId: string): void {
    this.pairIds.set(id, accountId);
  }

  public isPaired(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  /** Applies `fault` to the next `times` requests (default: until `clearFaults()`). */
  public inject(fault: Fault, times = Infinity): void {
    this.faults.push({ fault, remaining: times });
  }

  public clearFaults(): void {
    this.faults = [];
  }

  /** Answers, normally, every request held by a `hang` fault. */
  public releaseHung(): void {
    const held = this.hung;
    this.hung = [];
    for (const answer of held) answer();
  }

  public statusRequests(): SimRequest[] {
    return this.requests.filter((r) => r.route === 'status');
  }

  /**
   * Answer with `Connection: close` (a proxy that does not keep connections alive), and/or
   * close idle kept-alive connections after `ms` (a peer's idle timeout).
   */
  public closeConnections(options: { afterEachAnswer?: boolean; idleMs?: number }): void {
    this.connectionClose = options.afterEachAnswer ?? false;
    this.server.keepAliveTimeout = options.idleMs ?? 5000;
  }

  public async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.connectionClose) res.setHeader('Connection', 'close');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const match = /^\/api\/\d+\.\d+\/(status|pair|pairWithId|unpair)\/(.+)$/.exec(path.split('?')[0]);
      const route: Route = match ? (match[1] as Route) : 'other';
      const segments = match ? match[2].split('/') : [];
      const auth = String(req.headers.authorization ?? '');
      const record: SimRequest = {
        at: Date.now(),
        method: req.method ?? 'GET',
        path,
        route,
        silent: route === 'status' && segments.includes('silent'),
        nootp: route === 'status' && segments.includes('nootp'),
        signature: auth.split(' ')[2],
        outcome: 'ok',
      };
      this.requests.push(record);
      const active = this.faults.find((f) => f.remaining > 0);
      if (active) {
        active.remaining--;
        record.outcome = `fault:${active.fault.kind}`;
        this.applyFault(active.fault, req, res, () => this.answer(req, res, record, segments, Buffer.concat(chunks).toString('utf8')));
      } else {
        this.answer(req, res, record, segments, Buffer.concat(chunks).toString('utf8'));
      }
      this.emit('request', record);
    });
  }

  private applyFault(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse, normal: () => void): void {
    switch (fault.kind) {
      case 'latency':
        setTimeout(normal, fault.ms);
        return;
      case 'hang':
        this.hung.push(normal);
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'http':
        res.writeHead(fault.status, { 'Content-Type': 'text/html' }).end(`<html><body>${fault.status} from a proxy</body></html>`);
        return;
      case 'garbage':
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>not the API</html>');
        return;
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '200' });
        res.write('{"data":{"operations":{"', () => req.socket.destroy());
        return;
      case 'error':
        this.json(res, { error: { code: fault.code, message: fault.message ?? MESSAGES[fault.code] ?? 'Error' } });
        return;
      case 'empty':
        res.writeHead(204).end();
        return;
    }
  }

  private json(res: http.ServerResponse, body: unknown): void {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  private fail(res: http.ServerResponse, record: SimRequest, code: number): void {
    record.outcome = `error:${code}`;
    this.json(res, { error: { code, message: MESSAGES[code] ?? 'Error' } });
  }

  /** Authenticates (§6 order) and serves the route. */
  private answer(req: http.IncomingMessage, res: http.ServerResponse, record: SimRequest, segments: string[], body: string): void {
    const auth = req.headers.authorization;
    if (auth === undefined) return this.fail(res, record, 103);
    const parts = auth.split(' ');
    const secret = this.apps.get(parts[1]);
    if (parts.length !== 3 || parts[0] !== '11PATHS' || secret === undefined || parts[2] === '') return this.fail(res, record, 101);
    const dateHeader = req.headers['x-11paths-date'];
    if (typeof dateHeader !== 'string') return this.fail(res, record, 104);
    const date = parseLatchDate(dateHeader);
    if (date === undefined) return this.fail(res, record, 108);
    const params = req.method === 'POST' || req.method === 'PUT' ? decodeForm(body) : {};
    const expected = createHmac('sha1', secret).update(rebuildStringToSign(req.method ?? 'GET', record.path, req.headers, params)).digest();
    const given = Buffer.from(parts[2], 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return this.fail(res, record, 102);
    if (Math.abs(Date.now() + this.clockOffsetMs - date) > this.skewMs) return this.fail(res, record, 109);
    const appId = parts[1];
    switch (record.route) {
      case 'status': return this.status(res, record, appId, segments);
      case 'pair': return this.pair(res, record, appId, this.tokens, segments[0], 206);
      case 'pairWithId': return this.pair(res, record, appId, this.pairIds, segments[0], 203);
      case 'unpair': {
        const account = this.accounts.get(segments[0]);
        if (!account || account.appId !== appId) return this.fail(res, record, 201);
        this.accounts.delete(segments[0]);
        return this.json(res, {});
      }
      default:
        record.outcome = 'not-found';
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  }

  private status(res: http.ServerResponse, record: SimRequest, appId: string, segments: string[]): void {
    const [accountId, ...rest] = segments.map(decodeURIComponent);
    const account = this.accounts.get(accountId);
    if (!account || account.appId !== appId) return this.fail(res, record, 201);
    let key = appId;
    let status = account.status;
    if (rest[0] === 'op') {
      key = rest[1];
      const op = account.operations.get(key);
      if (op === undefined) return this.fail(res, record, 301);
      status = op;
    }
    record.served = status;
    this.json(res, { data: { operations: { [key]: { status } } } });
  }

  private pair(res: http.ServerResponse, record: SimRequest, appId: string, source: Map<string, string>, key: string, unknownCode: number): void {
    const decoded = decodeURIComponent(key);
    const accountId = source.get(decoded);
    if (accountId === undefined) return this.fail(res, record, unknownCode);
    if (this.accounts.has(accountId)) return this.fail(res, record, 205);
    source.delete(decoded);
    this.addAccount(appId, accountId);
    this.json(res, { data: { accountId } });
  }
}
