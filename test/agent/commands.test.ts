/** The command line is parsed from the commands table; help and usage are rendered from the tables. */
import { runCli } from '../../agent/src/cli';
import { COMMANDS, parseCommandLine, UsageError } from '../../agent/src/commands';
import { VARIABLES } from '../../agent/src/variables';

/** Runs the CLI in this process, collecting what it prints. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {}, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function usageErrorOf(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parsing', () => {
  test('a switch is a boolean and an option a string, in either order', () => {
    expect(parseCommandLine(['check', '--allow-unknown', '--file', '/s.json'])).toEqual({
      help: false,
      command: expect.objectContaining({ name: 'check' }),
      flags: expect.objectContaining({ 'allow-unknown': true, 'file': '/s.json' }),
    });
    expect(parseCommandLine(['check', '--file=/s.json'])).toMatchObject({ flags: { file: '/s.json' } });
  });

  test('--help and -h ask for a command\'s help, alone for the general help; --version is the version command', () => {
    expect(parseCommandLine(['check', '-h'])).toEqual({ help: true, command: expect.objectContaining({ name: 'check' }) });
    expect(parseCommandLine(['--help'])).toEqual({ help: true });
    expect(parseCommandLine(['--version'])).toMatchObject({ help: false, command: { name: 'version' } });
  });

  test.each([
    [['check', '--nope'], "check: Unknown option '--nope'"],
    [['check', 'stray'], "check: Unexpected argument 'stray'. This command does not take positional arguments"],
    [['check', '--file'], "check: Option '--file <value>' argument missing"],
    [['check', '--file='], 'check: --file needs a value'],
    [['check', '--allow-unknown=yes'], "check: Option '--allow-unknown' does not take an argument"],
    [['run', '--allow-unknown'], "run: Unknown option '--allow-unknown'"],
    [['pair'], 'pair: give exactly one of --token T or --id ID'],
    [['pair', '--token', 'abc', '--id', 'x'], 'pair: give exactly one of --token T or --id ID'],
    [['pair', '--token', 'not-letters'], 'pair: --token must be the letters and digits shown in the Latch app'],
    [['frobnicate'], 'unknown command "frobnicate" (commands: run, check, gate, health, ready, published, pair, unpair, version)'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(usageErrorOf(argv)).toBe(message);
  });
});

describe('exit 64 with the usage', () => {
  test('an unknown flag prints the error and the command\'s usage and options on stderr', async () => {
    const r = await cli(['check', '--nope']);
    expect(r).toMatchObject({ code: 64, out: '' });
    expect(r.err).toMatch(/^superlatch-agent: check: Unknown option '--nope'\n\nUsage: superlatch-agent check \[--file F\] \[--allow-unknown\]\n\nOptions:\n {2}--file F {10}the status file/);
  });

  test('a bad value does too', async () => {
    const r = await cli(['pair', '--token', 'not-letters']);
    expect(r.code).toBe(64);
    expect(r.err).toContain('Usage: superlatch-agent pair --token T | --id ID\n');
  });

  test('no command prints the general help on stderr', async () => {
    const r = await cli([]);
    expect(r.code).toBe(64);
    expect(r.err).toContain('Commands:\n  run ');
  });
});

describe('help rendered from the tables', () => {
  test.each(COMMANDS.map((c) => c.name))('%s --help lists its options and every variable it reads', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    const command = COMMANDS.find((c) => c.name === name)!;
    for (const flag of command.flags) expect(r.out).toContain(`\n  --${flag.name}`);
    for (const v of VARIABLES) {
      const reads = (v.usedBy as readonly string[]).includes(name);
      expect(`${v.name}: ${r.out.includes(`\n  ${v.name}\n`)}`).toBe(`${v.name}: ${reads}`);
    }
  });

  test('the general help lists every command', async () => {
    const r = await cli(['help']);
    for (const c of COMMANDS) expect(r.out).toMatch(new RegExp(`\\n {2}${c.name}\\b`));
  });
});
