/**
 * The agent's environment variables, declared once: the config loader reads every variable
 * through its entry here, and the help text and the variables table of docs/agent.md are
 * rendered from the same entries.
 */
import { choice, ConfigError, directory, filePath, integer, seconds, text, TextRule, Variable } from './env';

export const CREDENTIAL: TextRule = { pattern: /^[\x21-\x7e]{1,256}$/, allowed: '1–256 printable ASCII characters, no spaces', secret: true };
const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/** Scheme, host and port of the Latch API. */
function parseApiUrl(raw: string): URL {
  const fail = (detail: string) => new ConfigError('LATCH_API_URL', detail);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw fail('give scheme, host and optional port only (no path, query or credentials)');
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK.test(url.hostname)) throw fail(`plain http:// is only allowed for loopback addresses, got host ${url.hostname}`);
  } else if (url.protocol !== 'https:') {
    throw fail(`scheme must be https:, got ${url.protocol}`);
  }
  return new URL(url.origin);
}

function parseConfigMap(raw: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/.exec(raw);
  if (!m) throw new ConfigError('LATCH_PUBLISH_CONFIGMAP', `expected <namespace>/<name> (DNS names), got ${JSON.stringify(raw)}`);
  return { namespace: m[1], name: m[3] };
}

const CREDENTIAL_USERS = ['run', 'pair', 'unpair'] as const;

export const LATCH_CREDENTIALS_DIR = directory({
  name: 'LATCH_CREDENTIALS_DIR',
  usedBy: CREDENTIAL_USERS,
  description: 'Directory of a mounted Secret with files `appId`, `secretKey`, `accountId` and optional `operationId` '
    + '(surrounding whitespace, e.g. a trailing newline, is ignored). Preferred. A file present there wins over its variable; a missing file falls back to it.',
});
export const LATCH_APP_ID = text({
  name: 'LATCH_APP_ID',
  ...CREDENTIAL,
  usedBy: CREDENTIAL_USERS,
  description: 'Application id (the seed\'s name), when not given as the file `appId`.',
});
export const LATCH_SECRET_KEY = text({
  name: 'LATCH_SECRET_KEY',
  ...CREDENTIAL,
  usedBy: CREDENTIAL_USERS,
  description: 'Application secret, when not given as the file `secretKey`. `run` logs a warning when credentials come from variables.',
});
export const LATCH_ACCOUNT_ID = text({
  name: 'LATCH_ACCOUNT_ID',
  ...CREDENTIAL,
  usedBy: ['run', 'unpair'],
  description: 'Account id from pairing, when not given as the file `accountId`.',
});
export const LATCH_OPERATION_ID = text({
  name: 'LATCH_OPERATION_ID',
  ...CREDENTIAL,
  usedBy: ['run'],
  description: 'Poll this operation\'s latch (`/status/<acc>/op/<op>`) instead of the application latch, when not given as the file `operationId`.',
});
export const LATCH_API_URL: Variable<URL> & { readonly default: string } = {
  name: 'LATCH_API_URL',
  type: 'URL',
  default: 'https://latch.tu.com',
  allowed: '`https://host[:port]`, no path; `http://` only for loopback',
  usedBy: CREDENTIAL_USERS,
  description: 'The Latch API. `http://` is for tests: `127.0.0.0/8`, `[::1]`, `localhost`. '
    + 'Certificates are always verified (`NODE_TLS_REJECT_UNAUTHORIZED` and `NODE_EXTRA_CA_CERTS` are ignored); a private CA only through `LATCH_API_CA_FILE`.',
  parse: parseApiUrl,
};
export const LATCH_API_CA_FILE = filePath({
  name: 'LATCH_API_CA_FILE',
  usedBy: CREDENTIAL_USERS,
  description: 'PEM file of CA certificates trusted for `LATCH_API_URL` in addition to Node\'s bundled roots (a TLS-inspecting proxy, a test server). '
    + 'The only way to trust another CA: the environment of Node (`NODE_EXTRA_CA_CERTS`, `NODE_TLS_REJECT_UNAUTHORIZED`) is ignored.',
});
export const LATCH_API_VERSION = text({
  name: 'LATCH_API_VERSION',
  default: '1.0',
  pattern: /^\d+\.\d+$/,
  allowed: 'a version like `1.0` or `3.0`',
  usedBy: CREDENTIAL_USERS,
  description: 'The `/api/<version>/` path segment.',
});
export const LATCH_HTTP_TIMEOUT = seconds({
  name: 'LATCH_HTTP_TIMEOUT',
  default: '5',
  min: 0.1,
  max: 120,
  usedBy: CREDENTIAL_USERS,
  description: 'Deadline for a whole Latch request (connect, headers, body).',
});
export const LATCH_POLL_INTERVAL = seconds({
  name: 'LATCH_POLL_INTERVAL',
  default: '10',
  min: 0.01,
  max: 86400,
  usedBy: ['run'],
  description: 'Seconds between polls (start to start). The constructs enforce their own floor (1 s).',
});
export const REFRESCO = seconds({
  name: 'REFRESCO',
  min: 0.01,
  max: 86400,
  usedBy: ['run'],
  description: 'The seed\'s name for the poll interval, accepted as an alias. Both set and different: exit 64.',
});
export const LATCH_MAX_STALENESS = seconds({
  name: 'LATCH_MAX_STALENESS',
  derivedDefault: 'max(60, 3 × interval)',
  min: 2,
  max: 7 * 86400,
  usedBy: ['run'],
  description: '`expiresAt` = `lastUpdate` + this (whole seconds). At least twice the interval.',
});
export const LATCH_FAILURE_POLICY = choice({
  name: 'LATCH_FAILURE_POLICY',
  default: 'closed',
  choices: ['closed', 'open'],
  usedBy: ['run'],
  description: 'The state `run` publishes once the last good status has expired (see Failure policy and faults). `check` ignores it.',
});
export const LATCH_BACKOFF_CAP = integer({
  name: 'LATCH_BACKOFF_CAP',
  default: '6',
  min: 1,
  max: 1000,
  usedBy: ['run'],
  description: 'Backoff ceiling as a multiple of the interval.',
});
export const LATCH_STATUS_FILE = filePath({
  name: 'LATCH_STATUS_FILE',
  default: '/usr/share/latch/latch-info.json',
  usedBy: ['run', 'check', 'health', 'ready', 'published'],
  description: 'The status file. In hub mode `run` writes no file unless this is set explicitly. Its directory must exist and be writable by `run`.',
});
export const LATCH_PUBLISH_CONFIGMAP: Variable<{ namespace: string; name: string }> = {
  name: 'LATCH_PUBLISH_CONFIGMAP',
  type: 'text',
  allowed: '`<namespace>/<name>`',
  usedBy: ['run', 'health', 'ready', 'published'],
  description: 'Hub mode: publish into that ConfigMap\'s key `latch-info.json`.',
  parse: parseConfigMap,
};
export const KUBERNETES_SERVICE_HOST = text({
  name: 'KUBERNETES_SERVICE_HOST',
  pattern: /^\S+$/,
  allowed: 'host name or address',
  usedBy: ['run'],
  description: 'Hub mode: the in-cluster API server (set by the kubelet).',
});
export const KUBERNETES_SERVICE_PORT = integer({
  name: 'KUBERNETES_SERVICE_PORT',
  default: '443',
  min: 1,
  max: 65535,
  usedBy: ['run'],
  description: 'Hub mode: the API server\'s port (set by the kubelet).',
});
export const LATCH_SERVICEACCOUNT_DIR = directory({
  name: 'LATCH_SERVICEACCOUNT_DIR',
  default: '/var/run/secrets/kubernetes.io/serviceaccount',
  usedBy: ['run'],
  description: 'Hub mode: directory with the ServiceAccount `token` (re-read on every request: projected tokens rotate) and `ca.crt`.',
});
export const LATCH_HEARTBEAT_FILE = filePath({
  name: 'LATCH_HEARTBEAT_FILE',
  derivedDefault: '`.latch-agent-heartbeat` next to the status file; hub mode without a status file: `/tmp/latch-agent-heartbeat`',
  usedBy: ['run', 'health', 'ready', 'published'],
  description: 'Where `run` writes its heartbeat and `health`, `ready` and `published` read it.',
});

/** Every variable the agent reads, in the order the docs list them. */
export const VARIABLES: ReadonlyArray<Variable<unknown>> = [
  LATCH_CREDENTIALS_DIR, LATCH_APP_ID, LATCH_SECRET_KEY, LATCH_ACCOUNT_ID, LATCH_OPERATION_ID,
  LATCH_API_URL, LATCH_API_CA_FILE, LATCH_API_VERSION, LATCH_HTTP_TIMEOUT,
  LATCH_POLL_INTERVAL, REFRESCO, LATCH_MAX_STALENESS, LATCH_FAILURE_POLICY, LATCH_BACKOFF_CAP,
  LATCH_STATUS_FILE, LATCH_PUBLISH_CONFIGMAP, KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT, LATCH_SERVICEACCOUNT_DIR,
  LATCH_HEARTBEAT_FILE,
];
