/**
 * Configuration from the environment (docs/agent.md lists every variable).
 *
 * Every problem is a `ConfigError` naming the variable; the CLI turns it into
 * one line on stderr and exit code 64.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;
export type FailurePolicy = 'closed' | 'open';

export const DEFAULT_STATUS_FILE = '/usr/share/latch/latch-info.json';
export const DEFAULT_API_URL = 'https://latch.tu.com';
export const DEFAULT_API_VERSION = '1.0';
export const DEFAULT_SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const HEARTBEAT_BASENAME = '.latch-agent-heartbeat';
export const HUB_HEARTBEAT_FILE = '/tmp/latch-agent-heartbeat';
export const CONFIGMAP_KEY = 'latch-info.json';

/** A configuration problem; `variable` is the environment variable (or file) to fix. */
export class ConfigError extends Error {
  constructor(public readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export interface ApiConfig {
  /** Scheme, host and port only. */
  readonly baseUrl: URL;
  readonly version: string;
  readonly timeoutMs: number;
}

export interface AppCredentials {
  readonly appId: string;
  readonly secretKey: string;
}

export interface ConfigMapTarget {
  readonly namespace: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tokenFile: string;
  readonly caFile: string;
}

export interface RunConfig {
  readonly api: ApiConfig;
  readonly app: AppCredentials;
  readonly accountId: string;
  readonly operationId?: string;
  readonly pollIntervalMs: number;
  readonly maxStalenessMs: number;
  readonly backoffCap: number;
  readonly failurePolicy: FailurePolicy;
  readonly statusFile?: string;
  readonly configMap?: ConfigMapTarget;
  readonly heartbeatFile: string;
}

/** Value of `name`, or `undefined` when unset or empty. */
function get(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** A duration given in (possibly fractional) seconds, returned in milliseconds. */
function seconds(env: Env, name: string, fallbackSeconds: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return Math.round(fallbackSeconds * 1000);
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `expected a number of seconds, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} seconds, got ${raw}`);
  return Math.round(value * 1000);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function absolutePath(env: Env, name: string): string | undefined {
  const p = get(env, name);
  if (p !== undefined && (!path.isAbsolute(p) || p.endsWith('/'))) {
    throw new ConfigError(name, `must be an absolute file path, got ${JSON.stringify(p)}`);
  }
  return p;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

export function loadApiConfig(env: Env): ApiConfig {
  const raw = get(env, 'LATCH_API_URL') ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('LATCH_API_URL', `not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigError('LATCH_API_URL', 'give scheme, host and optional port only (no path, query or credentials)');
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK.test(url.hostname)) {
      throw new ConfigError('LATCH_API_URL', `plain http:// is only allowed for loopback addresses, got host ${url.hostname}`);
    }
  } else if (url.protocol !== 'https:') {
    throw new ConfigError('LATCH_API_URL', `scheme must be https:, got ${url.protocol}`);
  }
  const version = get(env, 'LATCH_API_VERSION') ?? DEFAULT_API_VERSION;
  if (!/^\d+\.\d+$/.test(version)) throw new ConfigError('LATCH_API_VERSION', `expected a version like 1.0 or 3.0, got ${JSON.stringify(version)}`);
  return { baseUrl: new URL(url.origin), version, timeoutMs: seconds(env, 'LATCH_HTTP_TIMEOUT', 5, 0.1, 120) };
}

/**
 * One credential: the file `<LATCH_CREDENTIALS_DIR>/<file>` when the directory is set and
 * holds it, else the environment variable. Surrounding whitespace (a trailing newline) is dropped.
 */
function credential(env: Env, file: string, envName: string, required: true): string;
function credential(env: Env, file: string, envName: string, required: false): string | undefined;
function credential(env: Env, file: string, envName: string, required: boolean): string | undefined {
  const dir = get(env, 'LATCH_CREDENTIALS_DIR');
  let value: string | undefined;
  let source = envName;
  if (dir !== undefined) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new ConfigError('LATCH_CREDENTIALS_DIR', `${dir} is not a directory`);
    }
    const file_ = path.join(dir, file);
    if (fs.existsSync(file_)) {
      source = `LATCH_CREDENTIALS_DIR (${file_})`;
      try {
        value = fs.readFileSync(file_, 'utf8').trim();
      } catch (e) {
        throw new ConfigError('LATCH_CREDENTIALS_DIR', `cannot read ${file_}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      if (value === '') throw new ConfigError('LATCH_CREDENTIALS_DIR', `${file_} is empty`);
    }
  }
  value ??= get(env, envName);
  if (value === undefined) {
    if (!required) return undefined;
    const where = dir === undefined ? `set it, or LATCH_CREDENTIALS_DIR with a file ${file}` : `and ${dir} has no file ${file}`;
    throw new ConfigError(envName, `not set (${where})`);
  }
  if (!/^[\x21-\x7e]{1,256}$/.test(value)) {
    throw new ConfigError(source, 'must be 1-256 printable ASCII characters without spaces');
  }
  return value;
}

export function loadAppCredentials(env: Env): AppCredentials {
  return {
    appId: credential(env, 'appId', 'LATCH_APP_ID', true),
    secretKey: credential(env, 'secretKey', 'LATCH_SECRET_KEY', true),
  };
}

export function loadAccount(env: Env): { accountId: string; operationId?: string } {
  return {
    accountId: credential(env, 'accountId', 'LATCH_ACCOUNT_ID', true),
    operationId: credential(env, 'operationId', 'LATCH_OPERATION_ID', false),
  };
}

/** The poll interval: `LATCH_POLL_INTERVAL`, or the seed's `REFRESCO`. */
function pollInterval(env: Env): number {
  const primary = get(env, 'LATCH_POLL_INTERVAL');
  const alias = get(env, 'REFRESCO');
  if (primary !== undefined && alias !== undefined && primary !== alias) {
    throw new ConfigError('REFRESCO', `conflicts with LATCH_POLL_INTERVAL (${alias} vs ${primary}); set only one`);
  }
  const name = primary === undefined && alias !== undefined ? 'REFRESCO' : 'LATCH_POLL_INTERVAL';
  return seconds(env, name, 10, 0.01, 86400);
}

function configMapTarget(env: Env): ConfigMapTarget | undefined {
  const raw = get(env, 'LATCH_PUBLISH_CONFIGMAP');
  if (raw === undefined) return undefined;
  const m = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/.exec(raw);
  if (!m) throw new ConfigError('LATCH_PUBLISH_CONFIGMAP', `expected <namespace>/<name> (DNS names), got ${JSON.stringify(raw)}`);
  const host = get(env, 'KUBERNETES_SERVICE_HOST');
  if (host === undefined) throw new ConfigError('KUBERNETES_SERVICE_HOST', 'is not set: LATCH_PUBLISH_CONFIGMAP needs the in-cluster API server');
  const port = integer(env, 'KUBERNETES_SERVICE_PORT', 443, 1, 65535);
  const saDir = get(env, 'LATCH_SERVICEACCOUNT_DIR') ?? DEFAULT_SERVICEACCOUNT_DIR;
  const target = { namespace: m[1], name: m[3], host, port, tokenFile: path.join(saDir, 'token'), caFile: path.join(saDir, 'ca.crt') };
  for (const f of [target.tokenFile, target.caFile]) {
    try {
      fs.accessSync(f, fs.constants.R_OK);
    } catch {
      throw new ConfigError('LATCH_SERVICEACCOUNT_DIR', `cannot read ${f}: LATCH_PUBLISH_CONFIGMAP needs a mounted ServiceAccount token and CA`);
    }
  }
  return target;
}

/** The status file `run` writes: explicit, else the default path unless hub mode is on. */
function runStatusFile(env: Env): string | undefined {
  return absolutePath(env, 'LATCH_STATUS_FILE') ?? (get(env, 'LATCH_PUBLISH_CONFIGMAP') === undefined ? DEFAULT_STATUS_FILE : undefined);
}

/** The status file `check` reads: `LATCH_STATUS_FILE` or the default path. */
export function checkStatusFile(env: Env): string {
  return absolutePath(env, 'LATCH_STATUS_FILE') ?? DEFAULT_STATUS_FILE;
}

/**
 * Where `run` writes its heartbeat and `health` reads it: `LATCH_HEARTBEAT_FILE`, else next
 * to the status file (the one writable volume), else (hub mode without a file) under /tmp.
 */
export function heartbeatFile(env: Env): string {
  const explicit = absolutePath(env, 'LATCH_HEARTBEAT_FILE');
  if (explicit !== undefined) return explicit;
  const status = runStatusFile(env);
  return status === undefined ? HUB_HEARTBEAT_FILE : path.join(path.dirname(status), HEARTBEAT_BASENAME);
}

function requireWritableDir(file: string, variable: string): void {
  const dir = path.dirname(file);
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new ConfigError(variable, `directory ${dir} does not exist or is not writable`);
  }
}

export function loadRunConfig(env: Env): RunConfig {
  const api = loadApiConfig(env);
  const app = loadAppCredentials(env);
  const { accountId, operationId } = loadAccount(env);
  const pollIntervalMs = pollInterval(env);
  const maxStalenessMs = seconds(env, 'LATCH_MAX_STALENESS', Math.max(60, (3 * pollIntervalMs) / 1000), 2, 7 * 86400);
  if (maxStalenessMs < 2 * pollIntervalMs) {
    throw new ConfigError('LATCH_MAX_STALENESS', `must be at least twice the poll interval (${(2 * pollIntervalMs) / 1000} s)`);
  }
  const policy = get(env, 'LATCH_FAILURE_POLICY') ?? 'closed';
  if (policy !== 'closed' && policy !== 'open') {
    throw new ConfigError('LATCH_FAILURE_POLICY', `must be closed or open, got ${JSON.stringify(policy)}`);
  }
  const configMap = configMapTarget(env);
  const statusFile = runStatusFile(env);
  if (statusFile !== undefined) requireWritableDir(statusFile, 'LATCH_STATUS_FILE');
  const heartbeat = heartbeatFile(env);
  requireWritableDir(heartbeat, 'LATCH_HEARTBEAT_FILE');
  return {
    api,
    app,
    accountId,
    operationId,
    pollIntervalMs,
    maxStalenessMs,
    backoffCap: integer(env, 'LATCH_BACKOFF_CAP', 6, 1, 1000),
    failurePolicy: policy,
    statusFile,
    configMap,
    heartbeatFile: heartbeat,
  };
}
