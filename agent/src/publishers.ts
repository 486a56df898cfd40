/**
 * Where `run` publishes the status document: a file on the shared volume (sidecar mode)
 * and/or one key of a ConfigMap through the in-cluster API (hub mode).
 */
import * as fs from 'node:fs';
import { CONFIGMAP_KEY, ConfigMapTarget } from './config';
import { HttpClient, TransportError } from './http';
import { MAX_FILE_BYTES, readSmallRegularFile, removeLeftoverTempFiles, writeFileAtomic } from './status-file';

export interface Publisher {
  /** `file:<path>` or `configmap:<namespace>/<name>`, for log lines. */
  readonly target: string;
  /** The longest a publication may take. */
  readonly timeoutMs: number;
  /** The currently published document, if any (to resume after a restart). */
  load(signal: AbortSignal): Promise<string | undefined>;
  publish(content: string, signal: AbortSignal): Promise<void>;
}

/** A publication failure, explained. */
export class PublishError extends Error {
  constructor(public readonly kind: string, message: string) {
    super(message);
    this.name = 'PublishError';
  }
}

export class FilePublisher implements Publisher {
  public readonly target: string;
  public readonly timeoutMs = 1000;

  constructor(private readonly file: string) {
    this.target = `file:${file}`;
    removeLeftoverTempFiles(file);
  }

  public async load(): Promise<string | undefined> {
    try {
      return readSmallRegularFile(this.file, MAX_FILE_BYTES);
    } catch {
      return undefined;
    }
  }

  public async publish(content: string): Promise<void> {
    try {
      writeFileAtomic(this.file, content);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new PublishError('file', `cannot write ${this.file} (${code})`);
    }
  }
}

const KUBE_TIMEOUT_MS = 10_000;
const KUBE_MAX_BYTES = 1024 * 1024;

export class ConfigMapPublisher implements Publisher {
  public readonly target: string;
  private readonly url: URL;
  private readonly ca: string;

  constructor(private readonly cm: ConfigMapTarget, private readonly http: HttpClient, public readonly timeoutMs = KUBE_TIMEOUT_MS) {
    this.target = `configmap:${cm.namespace}/${cm.name}`;
    const host = cm.host.includes(':') ? `[${cm.host}]` : cm.host;
    this.url = new URL(`https://${host}:${cm.port}/api/v1/namespaces/${cm.namespace}/configmaps/${cm.name}`);
    this.ca = fs.readFileSync(cm.caFile, 'utf8');
  }

  public async load(signal: AbortSignal): Promise<string | undefined> {
    const body = await this.request('GET', this.url, undefined, signal);
    const data = (JSON.parse(body) as { data?: Record<string, unknown> }).data;
    const value = data?.[CONFIGMAP_KEY];
    return typeof value === 'string' ? value : undefined;
  }

  public async publish(content: string, signal: AbortSignal): Promise<void> {
    const url = new URL(this.url);
    url.searchParams.set('fieldManager', 'superlatch-agent');
    await this.request('PATCH', url, JSON.stringify({ data: { [CONFIGMAP_KEY]: content } }), signal);
  }

  private async request(method: string, url: URL, body: string | undefined, signal: AbortSignal): Promise<string> {
    let token: string;
    try {
      // Re-read on every call: projected ServiceAccount tokens are rotated by the kubelet.
      token = fs.readFileSync(this.cm.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new PublishError('token', `cannot read the ServiceAccount token ${this.cm.tokenFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let res;
    try {
      res = await this.http.send({
        url,
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/merge-patch+json' }),
        },
        body,
        timeoutMs: this.timeoutMs,
        maxBytes: KUBE_MAX_BYTES,
        signal,
        ca: this.ca,
      });
    } catch (e) {
      if (e instanceof TransportError) throw new PublishError(e.kind, `Kubernetes API: ${e.message}`);
      throw e;
    }
    if (res.status === 200 || res.status === 201) return res.body.toString('utf8');
    throw new PublishError(`http-${res.status}`, `${method} ${this.target}: ${kubeHint(res.status, this.cm)}`);
  }
}

function kubeHint(status: number, cm: ConfigMapTarget): string {
  switch (status) {
    case 401: return 'HTTP 401: the ServiceAccount token was rejected';
    case 403: return `HTTP 403: the ServiceAccount may not get/patch ConfigMap ${cm.name} in ${cm.namespace}; check the Role and RoleBinding`;
    case 404: return `HTTP 404: ConfigMap ${cm.name} does not exist in namespace ${cm.namespace}; create it (the agent only updates it)`;
    case 409: return 'HTTP 409: conflicting update; retried on the next poll';
    default: return `HTTP ${status} from the Kubernetes API`;
  }
}
