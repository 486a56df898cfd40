/**
 * The agent's commands and their options, declared once: the command line is parsed from
 * this table with `node:util` parseArgs, and the help text is rendered from it.
 */
import { parseArgs } from 'node:util';

export interface Flag {
  readonly name: string;
  /** Placeholder of the value (`F`); a flag without one is a switch and takes no value. */
  readonly value?: string;
  readonly description: string;
  /** What a value must match, and the sentence saying so. */
  readonly valid?: { readonly pattern: RegExp; readonly must: string };
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What it does, for its own help. */
  readonly description: string;
  readonly flags: readonly Flag[];
  /** Exactly one of the flags must be given (otherwise every flag is optional). */
  readonly oneOf?: boolean;
}

export const COMMANDS = [
  {
    name: 'run',
    summary: 'poll the Latch API and publish the status file / ConfigMap',
    description: 'Polls the latch status (always /nootp/silent) and publishes it atomically, with one JSON log line per event on stdout. Stops cleanly on SIGTERM/SIGINT.',
    flags: [],
  },
  {
    name: 'check',
    summary: 'judge a status file: exit 0 open, 1 locked, 2 unknown or stale (with --allow-unknown: 0 unless fresh and locked)',
    description: 'Judges a status file and prints one line. Exit 0: fresh and open. Exit 1: fresh and locked. Exit 2: missing, unreadable, malformed, wrongly typed or stale.',
    flags: [
      { name: 'file', value: 'F', description: 'the status file to judge (default: LATCH_STATUS_FILE, see below)' },
      {
        name: 'allow-unknown',
        description: 'exit 0 instead of 2 when the file is missing, unreadable, malformed, wrongly typed or stale (the line says so); exit 1 only when it is fresh and locked. '
          + 'For the readiness gate of a latch whose failure policy is open. Only this flag enables it (LATCH_FAILURE_POLICY does not).',
      },
    ],
  },
  {
    name: 'gate',
    summary: 'stay idle until SIGTERM (the readiness-gate container)',
    description: 'Stays idle until SIGTERM or SIGINT, then exits 0. Run it as the gate container and point its readiness probe at '
      + '`superlatch-agent check --file <status file>` (failure policy closed), or with `--allow-unknown` added (failure policy open).',
    flags: [],
  },
  {
    name: 'health',
    summary: 'exit 0 when the run loop beat recently (liveness probe)',
    description: 'Exit 0 when the run loop in this container wrote its heartbeat recently and is not overdue, whatever the Latch API answered; exit 1 otherwise.',
    flags: [],
  },
  {
    name: 'ready',
    summary: 'exit 0 when healthy and the first poll is done (readiness probe)',
    description: 'Exit 0 when `health` would, and the run loop has finished its first poll (answered, or failed and published the failure policy\'s state); '
      + 'exit 1 otherwise. It never depends on the latch being open: use it as the agent container\'s readiness probe.',
    flags: [],
  },
  {
    name: 'published',
    summary: 'exit 0 once the first status is published (startup probe of the native sidecar)',
    description: 'Exit 0 when `health` would, and the run loop in this container has put a status document on every target: the answer of its first poll, '
      + 'the failure policy\'s state after a failed one, or, after a restart, a fresh document of its own that it adopted; exit 1 otherwise (a publication that failed '
      + 'does not count). Never depends on the latch being open: use it as the startup probe of the agent as a native sidecar (Kubernetes 1.29+), '
      + 'so the containers after it start only once the latch has spoken.',
    flags: [],
  },
  {
    name: 'pair',
    summary: 'pair with a token from the Latch app (or an id, without one); prints the account id',
    description: 'Pairs the application with a Latch account, using the pairing token the user generated in the Latch app (or, with --id, without a token '
      + 'where the application may), and prints the account id on stdout. Store it as accountId.',
    flags: [
      { name: 'token', value: 'T', description: 'the pairing token shown in the Latch app', valid: { pattern: /^[A-Za-z0-9]{1,64}$/, must: 'the letters and digits shown in the Latch app' } },
      { name: 'id', value: 'ID', description: 'pair without a token (pairWithId)', valid: { pattern: /^[\x21-\x7e]{1,256}$/, must: 'printable ASCII without spaces' } },
    ],
    oneOf: true,
  },
  {
    name: 'unpair',
    summary: 'unpair the configured account',
    description: 'Unpairs the configured account (LATCH_ACCOUNT_ID or the file accountId).',
    flags: [],
  },
  {
    name: 'version',
    summary: 'print the agent and status file contract versions',
    description: 'Prints the agent version and the status file contract version; always exits 0 '
      + '(the gate container\'s liveness probe: the gate is idle, there is nothing else to check).',
    flags: [],
  },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMANDS)[number]['name'];

/** The values of a command's flags: a string per option given, `true` per switch given. */
export type Flags = Readonly<Record<string, string | true | undefined>>;

export type Invocation =
  | { readonly help: true; readonly command?: CommandSpec }
  | { readonly help: false; readonly command: CommandSpec & { readonly name: CommandName }; readonly flags: Flags };

/** Bad usage of `command` (or of the program, without one). */
export class UsageError extends Error {
  constructor(public readonly command: CommandSpec | undefined, message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function commandNamed(name: string): (CommandSpec & { readonly name: CommandName }) | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Parses one command line against the table; throws a `UsageError` for anything it does not declare. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError(undefined, 'no command given');
  if (name === '--help' || name === '-h' || name === 'help') return { help: true };
  const command = commandNamed(name === '--version' ? 'version' : name);
  if (!command) throw new UsageError(undefined, `unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  const flags: readonly Flag[] = command.flags;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(flags.map((f) => [f.name, { type: f.value === undefined ? 'boolean' : 'string' } as const])),
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    // parseArgs' own sentence, e.g. "Unknown option '--nope'", without its multi-line advice
    throw new UsageError(command, `${command.name}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (values.help === true) return { help: true, command };
  for (const f of flags) {
    const value = values[f.name];
    if (value === '') throw new UsageError(command, `${command.name}: --${f.name} needs a value`);
    if (typeof value === 'string' && f.valid && !f.valid.pattern.test(value)) throw new UsageError(command, `${command.name}: --${f.name} must be ${f.valid.must}`);
  }
  if (command.oneOf && flags.filter((f) => values[f.name] !== undefined).length !== 1) {
    throw new UsageError(command, `${command.name}: give exactly one of ${flags.map((f) => `--${f.name} ${f.value}`).join(' or ')}`);
  }
  return { help: false, command, flags: values as Flags };
}
