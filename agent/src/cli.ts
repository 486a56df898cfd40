/**
 * The `superlatch-agent` command line: `run`, `check`, `gate`, `health`, `ready`, `published`,
 * `pair`, `unpair`, `version`.
 * Exit codes and variables are a contract (docs/agent.md); tests pin them.
 */
import { CommandName, Flags, parseCommandLine, UsageError } from './commands';
import { checkStatusFile, CredentialStore, heartbeatFile, loadAccount, loadApiConfig, loadAppCredentials, loadRunConfig } from './config';
import { ConfigError, Env } from './env';
import { checkHeartbeat } from './heartbeat';
import { commandHelp, GENERAL_HELP, usageText } from './help';
import { HttpClient } from './http';
import { LatchClient, LatchFault } from './latch-client';
import { Logger } from './log';
import { Poller } from './poller';
import { ConfigMapPublisher, FilePublisher, Publisher } from './publishers';
import { readStatusFile } from './status-file';
import { AGENT_VERSION } from './version';

export const EXIT = {
  OK: 0,
  /** check: locked; health: no recent heartbeat; pair/unpair: the API refused. */
  NO: 1,
  /** check: missing, unreadable, malformed, wrongly typed or stale status file (0 with --allow-unknown). */
  UNKNOWN: 2,
  /** Bad usage or configuration (sysexits EX_USAGE). */
  USAGE: 64,
  /** pair/unpair: the Latch API could not be reached or answered garbage (EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
  /** A bug (EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** Output channels, replaceable in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

type Runner = (flags: Flags, env: Env, io: Io) => Promise<number>;

/** What each command of the table (commands.ts) runs. */
const RUNNERS: Readonly<Record<CommandName, Runner>> = {
  run: (_f, env, io) => runCommand(env, io),
  check: async (f, env, io) => checkCommand(f.file === undefined ? checkStatusFile(env) : String(f.file), f['allow-unknown'] === true, io),
  gate: (_f, _env, io) => gateCommand(io),
  health: async (_f, env, io) => heartbeatCommand(env, io, 'health'),
  ready: async (_f, env, io) => heartbeatCommand(env, io, 'ready'),
  published: async (_f, env, io) => heartbeatCommand(env, io, 'published'),
  version: async (_f, _env, io) => versionCommand(io),
  pair: (f, env, io) => pairCommand(f, env, io),
  unpair: (_f, env, io) => unpairCommand(env, io),
};

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], env: Env, io: Io = processIo): Promise<number> {
  try {
    const invocation = parseCommandLine(argv);
    if (invocation.help) {
      io.out(invocation.command ? commandHelp(invocation.command) : GENERAL_HELP);
      return EXIT.OK;
    }
    return await RUNNERS[invocation.command.name](invocation.flags, env, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`superlatch-agent: ${e.message}\n\n${e.command ? usageText(e.command) : GENERAL_HELP}`);
      return EXIT.USAGE;
    }
    if (e instanceof ConfigError) {
      io.err(`superlatch-agent: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`superlatch-agent: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}

/**
 * Judges a status file. With `allowUnknown` (the gate of a fail-open latch) an unknown or
 * stale file exits 0, so only a fresh locked status fails; the verdict line stays the same.
 */
function checkCommand(file: string, allowUnknown: boolean, io: Io): number {
  const verdict = readStatusFile(file, Date.now());
  if (verdict.state === 'unknown') {
    io.out(`unknown: ${verdict.reason}${allowUnknown ? ' (allowed by --allow-unknown)' : ''}\n`);
    return allowUnknown ? EXIT.OK : EXIT.UNKNOWN;
  }
  io.out(`${verdict.state} (status ${JSON.stringify(verdict.doc.status)}, expires ${verdict.doc.expiresAt})\n`);
  return verdict.state === 'open' ? EXIT.OK : EXIT.NO;
}

const HEARTBEAT_WORDS = { health: ['healthy', 'unhealthy'], ready: ['ready', 'not ready'], published: ['published', 'not published'] } as const;

function heartbeatCommand(env: Env, io: Io, question: 'health' | 'ready' | 'published'): number {
  const verdict = checkHeartbeat(heartbeatFile(env), Date.now());
  const yes = question === 'health' ? verdict.healthy : question === 'ready' ? verdict.ready : verdict.published;
  const word = HEARTBEAT_WORDS[question];
  const reason = question === 'published' && verdict.healthy && !yes ? `${verdict.reason}; no status document of it on every target yet` : verdict.reason;
  io.out(`${yes ? word[0] : word[1]}: ${reason}\n`);
  return yes ? EXIT.OK : EXIT.NO;
}

function versionCommand(io: Io): number {
  io.out(`superlatch-agent ${AGENT_VERSION} (status file contract v1)\n`);
  return EXIT.OK;
}

/** Resolves on the first SIGTERM or SIGINT, with the signal's name. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

async function gateCommand(io: Io): Promise<number> {
  const log = new Logger(io.out);
  // listen before saying so: a SIGTERM right after the line must still stop it cleanly
  const stopped = nextStopSignal();
  log.info('gate', { message: 'idle until SIGTERM; readiness comes from `check`' });
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
  const signal = await stopped;
  clearInterval(keepAlive);
  log.info('stopped', { signal });
  return EXIT.OK;
}

/** Hard stop if a graceful stop ever takes longer than this (the contract is 2 s). */
const STOP_DEADLINE_MS = 1500;

async function runCommand(env: Env, io: Io): Promise<number> {
  const config = loadRunConfig(env);
  const log = new Logger(io.out);
  log.addSecret(config.app.secretKey);
  log.addSecret(config.accountId);
  const credentials = new CredentialStore(env, config, (next) => {
    log.addSecret(next.app.secretKey);
    log.addSecret(next.accountId);
    log.info('credentials_reloaded', { message: 'the credentials changed; using the new ones' });
  }, (e) => log.error('credentials_unreadable', { message: `${e.message}; keeping the credentials in use` }));
  const http = new HttpClient();
  const publishers: Publisher[] = [];
  if (config.statusFile) publishers.push(new FilePublisher(config.statusFile));
  if (config.configMap) publishers.push(new ConfigMapPublisher(config.configMap, http));
  const poller = new Poller({
    client: new LatchClient(config.api, () => credentials.current().app, http),
    accountId: config.accountId,
    operationId: config.operationId,
    account: credentials,
    publishers,
    log,
    pollIntervalMs: config.pollIntervalMs,
    httpTimeoutMs: config.api.timeoutMs,
    maxStalenessMs: config.maxStalenessMs,
    backoffCap: config.backoffCap,
    failurePolicy: config.failurePolicy,
    heartbeatFile: config.heartbeatFile,
  });
  log.info('start', {
    api: config.api.baseUrl.origin,
    apiVersion: config.api.version,
    operation: config.operationId !== undefined,
    pollIntervalMs: config.pollIntervalMs,
    httpTimeoutMs: config.api.timeoutMs,
    maxStalenessMs: config.maxStalenessMs,
    failurePolicy: config.failurePolicy,
    targets: publishers.map((p) => p.target).join(','),
    heartbeat: config.heartbeatFile,
  });
  if (env.NODE_TLS_REJECT_UNAUTHORIZED !== undefined || env.NODE_EXTRA_CA_CERTS !== undefined) {
    log.warn('tls_environment_ignored', { message: 'NODE_TLS_REJECT_UNAUTHORIZED and NODE_EXTRA_CA_CERTS are ignored: certificates are always verified; trust a private CA with LATCH_API_CA_FILE' });
  }
  if (env.LATCH_CREDENTIALS_DIR === undefined) {
    log.warn('credentials_from_env', { message: 'credentials come from environment variables; mount them as files and set LATCH_CREDENTIALS_DIR' });
  }
  let stopRequestedAt: number | undefined;
  void nextStopSignal().then((signal) => {
    stopRequestedAt = Date.now();
    log.info('stopping', { signal });
    poller.stop();
    setTimeout(() => process.exit(EXIT.OK), STOP_DEADLINE_MS).unref();
  });
  await poller.run();
  http.close();
  const usage = process.resourceUsage();
  log.info('stopped', {
    polls: poller.stats.polls,
    faults: poller.stats.faults,
    cpuUserMs: Math.round(usage.userCPUTime / 1000),
    cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
    maxRssKb: usage.maxRSS,
    shutdownMs: stopRequestedAt === undefined ? undefined : Date.now() - stopRequestedAt,
  });
  return EXIT.OK;
}

/** Runs one API call for pair/unpair, turning faults into words and exit codes. */
async function apiCommand(env: Env, io: Io, call: (client: LatchClient) => Promise<string | undefined>): Promise<number> {
  const http = new HttpClient();
  try {
    const client = new LatchClient(loadApiConfig(env), loadAppCredentials(env), http);
    const output = await call(client);
    if (output !== undefined) io.out(output + '\n');
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof LatchFault)) throw e;
    io.err(`superlatch-agent: ${e.kind === 'latch-error' ? 'the Latch API refused' : 'the Latch API is unavailable'}: ${e.message}\n`);
    return e.kind === 'latch-error' ? EXIT.NO : EXIT.UNAVAILABLE;
  } finally {
    http.close();
  }
}

/** The table guarantees exactly one of --token and --id, each well-formed. */
async function pairCommand(flags: Flags, env: Env, io: Io): Promise<number> {
  const { token, id } = flags;
  return apiCommand(env, io, (client) => (typeof token === 'string' ? client.pair(token) : client.pairWithId(String(id))));
}

async function unpairCommand(env: Env, io: Io): Promise<number> {
  const { accountId } = loadAccount(env);
  return apiCommand(env, io, async (client) => {
    await client.unpair(accountId);
    return undefined;
  });
}
