/**
 * The `superlatch-agent` command line: `run`, `check`, `gate`, `health`, `ready`, `pair`,
 * `unpair`, `version`.
 * Exit codes and variables are a contract (docs/agent.md); tests pin them.
 */
import { checkStatusFile, ConfigError, Env, heartbeatFile, loadAccount, loadApiConfig, loadAppCredentials, loadRunConfig } from './config';
import { checkHeartbeat } from './heartbeat';
import { HttpClient } from './http';
import { LatchClient, LatchFault } from './latch-client';
import { Logger } from './log';
import { Poller } from './poller';
import { ConfigMapPublisher, FilePublisher, Publisher } from './publishers';
import { readStatusFile } from './status-file';

/** The agent's version; the status file contract it writes and reads is v1. */
export const AGENT_VERSION = '1.0.0';

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

const GENERAL_HELP = `Usage: superlatch-agent <command> [options]

The SuperLatch agent: polls a Latch latch and publishes its status as a file.

Commands:
  run               poll the Latch API and publish the status file / ConfigMap
  check [--file F] [--allow-unknown]
                    judge a status file: exit 0 open, 1 locked, 2 unknown or stale
                    (with --allow-unknown: 0 unless fresh and locked)
  gate              stay idle until SIGTERM (the readiness-gate container)
  health            exit 0 when the run loop beat recently (liveness probe)
  ready             exit 0 when healthy and the first poll is done (readiness probe)
  pair --token T    pair with a token from the Latch app; prints the account id
  pair --id ID      pair without a token (pairWithId); prints the account id
  unpair            unpair the configured account
  version           print the agent and status file contract versions

Every command accepts --help. Exit codes: 0 ok, 1 locked / unhealthy / refused,
2 status unknown, 64 bad usage or configuration, 69 Latch API unavailable, 70 bug.
Configuration comes from LATCH_* environment variables; see docs/agent.md.
`;

const CREDENTIALS_HELP = `Credentials: LATCH_CREDENTIALS_DIR (files appId, secretKey, accountId,
optional operationId; preferred), else LATCH_APP_ID, LATCH_SECRET_KEY,
LATCH_ACCOUNT_ID, LATCH_OPERATION_ID.
API: LATCH_API_URL (default https://latch.tu.com; http:// only for loopback),
LATCH_API_VERSION (default 1.0), LATCH_HTTP_TIMEOUT seconds (default 5).`;

const HELP: Readonly<Record<string, string>> = {
  run: `Usage: superlatch-agent run

Polls the latch status (always /nootp/silent) and publishes it atomically, with
one JSON log line per event on stdout. Stops cleanly on SIGTERM/SIGINT.

${CREDENTIALS_HELP}
Loop: LATCH_POLL_INTERVAL seconds (alias REFRESCO; default 10),
LATCH_MAX_STALENESS seconds (default max(60, 3 x interval)),
LATCH_FAILURE_POLICY closed|open (default closed), LATCH_BACKOFF_CAP (default 6).
Output: LATCH_STATUS_FILE (default /usr/share/latch/latch-info.json; not written in
hub mode unless set), LATCH_PUBLISH_CONFIGMAP=<namespace>/<name> (hub mode),
LATCH_SERVICEACCOUNT_DIR, LATCH_HEARTBEAT_FILE.
`,
  check: `Usage: superlatch-agent check [--file F] [--allow-unknown]

Judges a status file (default: LATCH_STATUS_FILE, else
/usr/share/latch/latch-info.json) and prints one line.
Exit 0: fresh and open. Exit 1: fresh and locked.
Exit 2: missing, unreadable, malformed, wrongly typed or stale.

--allow-unknown  exit 0 instead of 2 when the file is missing, unreadable,
                 malformed, wrongly typed or stale (the line says so); exit 1
                 only when it is fresh and locked. For the readiness gate of a
                 latch whose failure policy is open. Only this flag enables it
                 (LATCH_FAILURE_POLICY does not).
`,
  gate: `Usage: superlatch-agent gate

Stays idle until SIGTERM or SIGINT, then exits 0. Run it as the gate container
and point its readiness probe at \`superlatch-agent check --file <status file>\`
(failure policy closed), or with \`--allow-unknown\` added (failure policy open).
`,
  health: `Usage: superlatch-agent health

Exit 0 when the run loop in this container wrote its heartbeat recently and is
not overdue, whatever the Latch API answered; exit 1 otherwise.
Heartbeat file: LATCH_HEARTBEAT_FILE, else .latch-agent-heartbeat next to the
status file, else (hub mode without a file) /tmp/latch-agent-heartbeat.
`,
  ready: `Usage: superlatch-agent ready

Exit 0 when \`health\` would, and the run loop has finished its first poll (answered,
or failed and published the failure policy's state); exit 1 otherwise. It never
depends on the latch being open: use it as the agent container's readiness probe.
`,
  version: `Usage: superlatch-agent version

Prints the agent version and the status file contract version; always exits 0
(the gate container's liveness probe: the gate is idle, there is nothing else to check).
`,
  pair: `Usage: superlatch-agent pair --token T
       superlatch-agent pair --id ID

Pairs the application with a Latch account, using the pairing token the user
generated in the Latch app (or, with --id, without a token where the
application may), and prints the account id on stdout. Store it as accountId.

${CREDENTIALS_HELP}
(The account id is not needed.)
`,
  unpair: `Usage: superlatch-agent unpair

Unpairs the configured account (LATCH_ACCOUNT_ID or accountId).

${CREDENTIALS_HELP}
`,
};

class UsageError extends Error {}

/**
 * Parses `--name value`, `--name=value` and `--help`/`-h` for the flags in `allowed`, and
 * `--name` alone (no value; recorded as 'true') for the switches in `switches`.
 */
function parseFlags(
  command: string,
  args: readonly string[],
  allowed: readonly string[],
  switches: readonly string[] = [],
): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      flags.help = 'true';
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (m && switches.includes(m[1])) {
      if (m[2] !== undefined) throw new UsageError(`${command}: --${m[1]} takes no value`);
      flags[m[1]] = 'true';
      continue;
    }
    if (!m || !allowed.includes(m[1])) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`${command}: --${m[1]} needs a value`);
    flags[m[1]] = value;
  }
  return flags;
}

interface CommandSpec {
  /** Options that take a value. */
  flags: readonly string[];
  /** Options that take none. */
  switches?: readonly string[];
  run: (flags: Record<string, string>, env: Env, io: Io) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  run: { flags: [], run: (_f, env, io) => runCommand(env, io) },
  check: {
    flags: ['file'],
    switches: ['allow-unknown'],
    run: async (f, env, io) => checkCommand(f.file ?? checkStatusFile(env), f['allow-unknown'] === 'true', io),
  },
  gate: { flags: [], run: (_f, _env, io) => gateCommand(io) },
  health: { flags: [], run: async (_f, env, io) => heartbeatCommand(env, io, 'health') },
  ready: { flags: [], run: async (_f, env, io) => heartbeatCommand(env, io, 'ready') },
  version: { flags: [], run: async (_f, _env, io) => versionCommand(io) },
  pair: { flags: ['token', 'id'], run: (f, env, io) => pairCommand(f, env, io) },
  unpair: { flags: [], run: (_f, env, io) => unpairCommand(env, io) },
};

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], env: Env, io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    io.err(GENERAL_HELP);
    return EXIT.USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(GENERAL_HELP);
    return EXIT.OK;
  }
  if (command === '--version') return versionCommand(io);
  const spec = COMMANDS[command];
  try {
    if (!spec) throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const flags = parseFlags(command, args, spec.flags, spec.switches);
    if (flags.help) {
      io.out(HELP[command]);
      return EXIT.OK;
    }
    return await spec.run(flags, env, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
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

function heartbeatCommand(env: Env, io: Io, question: 'health' | 'ready'): number {
  const verdict = checkHeartbeat(heartbeatFile(env), Date.now());
  const yes = question === 'health' ? verdict.healthy : verdict.ready;
  const word = question === 'health' ? ['healthy', 'unhealthy'] : ['ready', 'not ready'];
  io.out(`${yes ? word[0] : word[1]}: ${verdict.reason}\n`);
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
  log.info('gate', { message: 'idle until SIGTERM; readiness comes from `check`' });
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
  const signal = await nextStopSignal();
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
  const http = new HttpClient();
  const publishers: Publisher[] = [];
  if (config.statusFile) publishers.push(new FilePublisher(config.statusFile));
  if (config.configMap) publishers.push(new ConfigMapPublisher(config.configMap, http));
  const poller = new Poller({
    client: new LatchClient(config.api, config.app, http),
    accountId: config.accountId,
    operationId: config.operationId,
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

async function pairCommand(flags: Record<string, string>, env: Env, io: Io): Promise<number> {
  const { token, id } = flags;
  if ((token === undefined) === (id === undefined)) throw new UsageError('pair: give exactly one of --token T or --id ID');
  if (token !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(token)) throw new UsageError('pair: --token must be the letters and digits shown in the Latch app');
  if (id !== undefined && !/^[\x21-\x7e]{1,256}$/.test(id)) throw new UsageError('pair: --id must be printable ASCII without spaces');
  return apiCommand(env, io, (client) => (token !== undefined ? client.pair(token) : client.pairWithId(id!)));
}

async function unpairCommand(env: Env, io: Io): Promise<number> {
  const { accountId } = loadAccount(env);
  return apiCommand(env, io, async (client) => {
    await client.unpair(accountId);
    return undefined;
  });
}
