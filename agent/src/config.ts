/**
 * Configuration from the environment, read through the variables table (variables.ts;
 * docs/agent.md lists every variable).
 *
 * Every problem is a `ConfigError` naming the variable; the CLI turns it into
 * one line on stderr and exit code 64.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { checkText, ConfigError, Env, isSet, read, TextRule, Variable } from './env';
import * as v from './variables';

export type FailurePolicy = ReturnType<(typeof v.LATCH_FAILURE_POLICY)['parse']>;

export const HEARTBEAT_BASENAME = '.latch-agent-heartbeat';
export const HUB_HEARTBEAT_FILE = '/tmp/latch-agent-heartbeat';
export const CONFIGMAP_KEY = 'latch-info.json';

export interface ApiConfig {
  /** Scheme, host and port only. */
  readonly baseUrl: URL;
  readonly version: string;
  readonly timeoutMs: number;
  /** `LATCH_API_CA_FILE`: extra trusted CAs (read when the client is made). */
  readonly caFile?: string;
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

/** What `run` reads from the environment alone (no file is read or checked). */
export interface RunSettings {
  readonly api: ApiConfig;
  readonly credentialsDir?: string;
  readonly pollIntervalMs: number;
  readonly maxStalenessMs: number;
  readonly backoffCap: number;
  readonly failurePolicy: FailurePolicy;
  readonly statusFile?: string;
  readonly configMap?: ConfigMapTarget;
  readonly heartbeatFile: string;
}

export interface RunConfig extends RunSettings {
  readonly app: AppCredentials;
  readonly accountId: string;
  readonly operationId?: string;
}

export function loadApiConfig(env: Env): ApiConfig {
  return {
    baseUrl: read(env, v.LATCH_API_URL),
    version: read(env, v.LATCH_API_VERSION),
    timeoutMs: read(env, v.LATCH_HTTP_TIMEOUT),
    caFile: read(env, v.LATCH_API_CA_FILE),
  };
}

/** The CAs trusted for the Latch API: Node's bundled roots, plus `LATCH_API_CA_FILE`'s certificates. */
export function latchApiCas(api: ApiConfig): readonly string[] {
  if (api.caFile === undefined) return tls.rootCertificates;
  let pem: string;
  try {
    pem = fs.readFileSync(api.caFile, 'utf8');
  } catch (e) {
    throw new ConfigError(v.LATCH_API_CA_FILE.name, `cannot read ${api.caFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certs) throw new ConfigError(v.LATCH_API_CA_FILE.name, `${api.caFile} holds no PEM certificate`);
  return [...tls.rootCertificates, ...certs];
}

/**
 * One credential: the file `<LATCH_CREDENTIALS_DIR>/<file>` when the directory is set and
 * holds it, else the environment variable. Surrounding whitespace (a trailing newline) is dropped.
 */
function credential(env: Env, file: string, variable: Variable<string> & TextRule, required: true): string;
function credential(env: Env, file: string, variable: Variable<string> & TextRule, required: false): string | undefined;
function credential(env: Env, file: string, variable: Variable<string> & TextRule, required: boolean): string | undefined {
  const dir = read(env, v.LATCH_CREDENTIALS_DIR);
  const file_ = dir === undefined ? undefined : path.join(dir, file);
  if (dir !== undefined && (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())) {
    throw new ConfigError(v.LATCH_CREDENTIALS_DIR.name, `${dir} is not a directory`);
  }
  if (file_ !== undefined && fs.existsSync(file_)) {
    let value: string;
    try {
      value = fs.readFileSync(file_, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(v.LATCH_CREDENTIALS_DIR.name, `cannot read ${file_}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (value === '') throw new ConfigError(v.LATCH_CREDENTIALS_DIR.name, `${file_} is empty`);
    return checkText(`${v.LATCH_CREDENTIALS_DIR.name} (${file_})`, variable, value);
  }
  const value = read(env, variable);
  if (value === undefined && required) {
    const where = dir === undefined ? `set it, or LATCH_CREDENTIALS_DIR with a file ${file}` : `and ${dir} has no file ${file}`;
    throw new ConfigError(variable.name, `not set (${where})`);
  }
  return value;
}

export function loadAppCredentials(env: Env): AppCredentials {
  return {
    appId: credential(env, 'appId', v.LATCH_APP_ID, true),
    secretKey: credential(env, 'secretKey', v.LATCH_SECRET_KEY, true),
  };
}

export function loadAccount(env: Env): { accountId: string; operationId?: string } {
  return {
    accountId: credential(env, 'accountId', v.LATCH_ACCOUNT_ID, true),
    operationId: credential(env, 'operationId', v.LATCH_OPERATION_ID, false),
  };
}

/** The poll interval: `LATCH_POLL_INTERVAL`, or the seed's `REFRESCO`. */
function pollInterval(env: Env): number {
  const alias = read(env, v.REFRESCO);
  if (alias === undefined) return read(env, v.LATCH_POLL_INTERVAL);
  if (isSet(env, v.LATCH_POLL_INTERVAL) && read(env, v.LATCH_POLL_INTERVAL) !== alias) {
    throw new ConfigError(v.REFRESCO.name, `conflicts with LATCH_POLL_INTERVAL (${env.REFRESCO?.trim()} vs ${env.LATCH_POLL_INTERVAL?.trim()}); set only one`);
  }
  return alias;
}

function configMapTarget(env: Env): ConfigMapTarget | undefined {
  const target = read(env, v.LATCH_PUBLISH_CONFIGMAP);
  if (target === undefined) return undefined;
  const host = read(env, v.KUBERNETES_SERVICE_HOST);
  if (host === undefined) throw new ConfigError(v.KUBERNETES_SERVICE_HOST.name, 'is not set: LATCH_PUBLISH_CONFIGMAP needs the in-cluster API server');
  const saDir = read(env, v.LATCH_SERVICEACCOUNT_DIR);
  return { ...target, host, port: read(env, v.KUBERNETES_SERVICE_PORT), tokenFile: path.join(saDir, 'token'), caFile: path.join(saDir, 'ca.crt') };
}

/** The status file `run` writes: explicit, else the default path unless hub mode is on. */
function runStatusFile(env: Env): string | undefined {
  return isSet(env, v.LATCH_STATUS_FILE) || !isSet(env, v.LATCH_PUBLISH_CONFIGMAP) ? read(env, v.LATCH_STATUS_FILE) : undefined;
}

/** The status file `check` reads: `LATCH_STATUS_FILE` or the default path. */
export function checkStatusFile(env: Env): string {
  return read(env, v.LATCH_STATUS_FILE);
}

/**
 * Where `run` writes its heartbeat and `health` reads it: `LATCH_HEARTBEAT_FILE`, else next
 * to the status file (the one writable volume), else (hub mode without a file) under /tmp.
 */
export function heartbeatFile(env: Env): string {
  const explicit = read(env, v.LATCH_HEARTBEAT_FILE);
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

/** Everything `run` takes from the environment, checked, without touching the filesystem. */
export function readRunSettings(env: Env): RunSettings {
  const pollIntervalMs = pollInterval(env);
  const maxStalenessMs = read(env, v.LATCH_MAX_STALENESS) ?? Math.max(60_000, 3 * pollIntervalMs);
  if (maxStalenessMs < 2 * pollIntervalMs) {
    throw new ConfigError(v.LATCH_MAX_STALENESS.name, `must be at least twice the poll interval (${(2 * pollIntervalMs) / 1000} s)`);
  }
  return {
    api: loadApiConfig(env),
    credentialsDir: read(env, v.LATCH_CREDENTIALS_DIR),
    pollIntervalMs,
    maxStalenessMs,
    backoffCap: read(env, v.LATCH_BACKOFF_CAP),
    failurePolicy: read(env, v.LATCH_FAILURE_POLICY),
    statusFile: runStatusFile(env),
    configMap: configMapTarget(env),
    heartbeatFile: heartbeatFile(env),
  };
}

/** The settings, the credentials, and every file and directory `run` needs, checked. */
export function loadRunConfig(env: Env): RunConfig {
  const settings = readRunSettings(env);
  const app = loadAppCredentials(env);
  const { accountId, operationId } = loadAccount(env);
  for (const f of settings.configMap ? [settings.configMap.tokenFile, settings.configMap.caFile] : []) {
    try {
      fs.accessSync(f, fs.constants.R_OK);
    } catch {
      throw new ConfigError(v.LATCH_SERVICEACCOUNT_DIR.name, `cannot read ${f}: LATCH_PUBLISH_CONFIGMAP needs a mounted ServiceAccount token and CA`);
    }
  }
  if (settings.statusFile !== undefined) requireWritableDir(settings.statusFile, v.LATCH_STATUS_FILE.name);
  requireWritableDir(settings.heartbeatFile, v.LATCH_HEARTBEAT_FILE.name);
  return { ...settings, app, accountId, operationId };
}

/** Everything `run` signs and asks with. */
export interface RunCredentials {
  readonly app: AppCredentials;
  readonly accountId: string;
  readonly operationId?: string;
}

const CREDENTIAL_FILES = ['appId', 'secretKey', 'accountId', 'operationId'];

/**
 * The credentials of `run`, re-read from `LATCH_CREDENTIALS_DIR` when the mounted Secret
 * changes (the kubelet swaps the `..data` symlink; without one, a file's inode, size or
 * mtime changes) and after the Latch API refused them (`invalidate()`). A re-read that
 * fails (a half-updated directory, an empty file) keeps the credentials in use and is
 * reported through `onError`; credentials from variables never change.
 */
export class CredentialStore {
  private stamp: string;
  private stale = false;

  constructor(
    private readonly env: Env,
    private value: RunCredentials,
    private readonly onChange: (next: RunCredentials) => void = () => undefined,
    private readonly onError: (e: ConfigError) => void = () => undefined,
  ) {
    this.stamp = this.fingerprint();
  }

  public current(): RunCredentials {
    if (read(this.env, v.LATCH_CREDENTIALS_DIR) === undefined) return this.value;
    const stamp = this.fingerprint();
    if (!this.stale && stamp === this.stamp) return this.value;
    try {
      const app = loadAppCredentials(this.env);
      const next = { app, ...loadAccount(this.env) };
      this.stamp = stamp;
      this.stale = false;
      const changed = JSON.stringify(next) !== JSON.stringify(this.value);
      this.value = next;
      if (changed) this.onChange(next);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.onError(e);
    }
    return this.value;
  }

  /** The API refused the credentials: read them again before the next request. */
  public invalidate(): void {
    this.stale = true;
  }

  private fingerprint(): string {
    const dir = read(this.env, v.LATCH_CREDENTIALS_DIR);
    if (dir === undefined) return '';
    try {
      return `..data -> ${fs.readlinkSync(path.join(dir, '..data'))}`;
    } catch {
      // not a kubelet projection: the files themselves
    }
    return CREDENTIAL_FILES.map((f) => {
      const st = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
      return st ? `${f}:${st.ino}:${st.size}:${st.mtimeMs}` : `${f}:-`;
    }).join(' ');
  }
}
