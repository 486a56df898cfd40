/**
 * A tiny fake Kubernetes API server (HTTPS on 127.0.0.1) that stores ConfigMaps, for
 * testing the agent's hub mode: it checks the bearer token, serves GET and merge PATCH
 * of `/api/v1/namespaces/<ns>/configmaps/<name>`, and records every request.
 */
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';

export interface KubeRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly status: number;
}

export class FakeKube {
  public static async start(tls: { key: string; cert: string }, token: string): Promise<FakeKube> {
    const kube = new FakeKube(tls, token);
    await new Promise<void>((resolve) => kube.server.listen(0, '127.0.0.1', resolve));
    return kube;
  }

  public readonly requests: KubeRequest[] = [];
  /** `<ns>/<name>` → data. */
  public readonly configMaps = new Map<string, Record<string, string>>();
  /** Answer 403 to everything (a Role that does not allow the update). */
  public forbid = false;
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();

  private constructor(tls: { key: string; cert: string }, private readonly token: string) {
    this.server = https.createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: unknown): void => {
          this.requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], status });
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        };
        if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, { kind: 'Status', code: 401 });
        if (this.forbid) return reply(403, { kind: 'Status', code: 403 });
        const m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/?]+)/.exec(req.url ?? '');
        const key = m ? `${m[1]}/${m[2]}` : '';
        const data = this.configMaps.get(key);
        if (!m || !data) return reply(404, { kind: 'Status', code: 404 });
        const object = (): unknown => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: m[1], name: m[2] }, data });
        if (req.method === 'GET') return reply(200, object());
        if (req.method === 'PATCH' && req.headers['content-type'] === 'application/merge-patch+json') {
          const patch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: Record<string, string> };
          Object.assign(data, patch.data ?? {});
          return reply(200, object());
        }
        return reply(415, { kind: 'Status', code: 415 });
      });
    });
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  public get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  public async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
