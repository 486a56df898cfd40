/**
 * A small HTTP(S) client on node:http/node:https: one deadline for the whole exchange
 * (connect, headers and body), an abort signal, a body size limit, and transport
 * failures sorted into kinds the poller can log and back off on.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

export type TransportKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'truncated' | 'too-large' | 'aborted' | 'network';

export class TransportError extends Error {
  constructor(public readonly kind: TransportKind, message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /**
   * The CA certificates (PEM) trusted for https; default: Node's bundled roots
   * (`tls.rootCertificates`), never what the environment adds (`NODE_EXTRA_CA_CERTS`).
   */
  readonly ca?: string | readonly string[];
}

/** Keeps one connection alive between polls, so a poll does not pay a TLS handshake each time. */
export class HttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 2 });

  /**
   * Sends the request; resolves with any HTTP status, rejects with a `TransportError`.
   * A reset on a reused keep-alive connection (the server closed it while idle) is retried once.
   */
  public async send(req: HttpRequest): Promise<HttpResponse> {
    const deadline = Date.now() + req.timeoutMs;
    try {
      return await this.attempt(req, req.timeoutMs);
    } catch (e) {
      if (e instanceof StaleSocketError && Date.now() < deadline) {
        return this.attempt(req, deadline - Date.now());
      }
      throw e instanceof StaleSocketError ? e.original : e;
    }
  }

  /** Closes idle connections so the process can exit. */
  public close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private attempt(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const secure = req.url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body);
      const options: https.RequestOptions = {
        method: req.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 or NODE_EXTRA_CA_CERTS in the environment change nothing
        ...(secure ? { rejectUnauthorized: true, ca: typeof req.ca === 'string' ? req.ca : [...(req.ca ?? tls.rootCertificates)] } : {}),
      };
      const request = (secure ? https : http).request(req.url, options);
      let settled = false;
      const finish = (err: Error | undefined, res?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err); else resolve(res!);
      };
      const fail = (err: TransportError): void => {
        request.destroy(err);
        finish(err);
      };
      const timer = setTimeout(() => fail(new TransportError('timeout', `no complete answer within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => fail(new TransportError('aborted', 'request aborted'));
      if (req.signal?.aborted) {
        onAbort();
        return;
      }
      req.signal?.addEventListener('abort', onAbort);

      let responded = false;
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        const classified = err instanceof TransportError ? err : classify(err, responded);
        if (classified.kind === 'reset' && !responded && request.reusedSocket) {
          finish(new StaleSocketError(classified));
        } else {
          finish(classified);
        }
      });
      request.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxBytes) {
            fail(new TransportError('too-large', `response body larger than ${req.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', () => fail(new TransportError('truncated', 'connection closed in the middle of the response body')));
        res.on('close', () => {
          if (!res.complete) fail(new TransportError('truncated', 'connection closed in the middle of the response body'));
        });
        res.on('end', () => finish(undefined, {
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        }));
      });
      request.end(req.body);
    });
  }
}

/** A reset on a reused idle connection: worth one retry on a fresh one. */
class StaleSocketError extends Error {
  constructor(public readonly original: TransportError) {
    super(original.message);
  }
}

function classify(err: NodeJS.ErrnoException, responded: boolean): TransportError {
  const code = err.code ?? '';
  if (responded) return new TransportError('truncated', 'connection closed in the middle of the response body');
  if (code === 'ECONNREFUSED') return new TransportError('refused', 'connection refused');
  if (code === 'ECONNRESET' || code === 'EPIPE') return new TransportError('reset', 'connection reset by the server');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('dns', `host name lookup failed (${code})`);
  if (code === 'ETIMEDOUT') return new TransportError('timeout', 'connection timed out');
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|HOSTNAME/.test(code)) {
    return new TransportError('tls', `TLS verification failed (${code})`);
  }
  return new TransportError('network', `network error (${code || err.message})`);
}
