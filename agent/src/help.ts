/** The help and usage texts, rendered from the commands table and the variables table. */
import { COMMANDS, CommandSpec } from './commands';
import { Variable } from './env';
import { VARIABLES } from './variables';

const WIDTH = 80;
const COLUMN = 20;

/** `text` in lines of at most WIDTH characters, each but the first indented by `indent`. */
function wrap(text: string, indent: number, firstIndent = indent): string {
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  for (const word of text.replace(/`/g, '').split(/\s+/)) {
    if (line.trim() !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(indent);
    }
    line += (line.trim() === '' ? '' : ' ') + word;
  }
  return [...lines, line].join('\n');
}

/** `  term  text`, the text wrapped in the second column (on the next line when the term is long). */
function entry(term: string, text: string): string {
  const head = `  ${term}`;
  return head.length < COLUMN - 1 ? head + wrap(text, COLUMN, COLUMN).slice(head.length) : `${head}\n${wrap(text, COLUMN)}`;
}

function synopsis(command: CommandSpec): string {
  const forms = command.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ''}`);
  const args = command.oneOf ? forms.join(' | ') : forms.map((f) => `[${f}]`).join(' ');
  return `${command.name}${args ? ` ${args}` : ''}`;
}

export const GENERAL_HELP = `Usage: superlatch-agent <command> [options]

The SuperLatch agent: polls a Latch latch and publishes its status as a file.

Commands:
${COMMANDS.map((c) => entry(synopsis(c), c.summary)).join('\n')}

${wrap('Every command accepts --help. Exit codes: 0 ok, 1 locked / unhealthy / refused, 2 status unknown, '
  + '64 bad usage or configuration, 69 Latch API unavailable, 70 bug. Configuration comes from LATCH_* environment variables; see docs/agent.md.', 0)}
`;

/** The usage line and the options: what a usage error prints. */
export function usageText(command: CommandSpec): string {
  const options = [...command.flags.map((f) => entry(`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.description)), entry('-h, --help', 'print this help')];
  return `Usage: superlatch-agent ${synopsis(command)}\n\nOptions:\n${options.join('\n')}\n`;
}

/** Type, accepted values and default of a variable, in one line. */
function variableFacts(v: Variable<unknown>): string {
  const fallback = v.default ?? v.derivedDefault;
  return `${v.type}, ${v.allowed}${fallback === undefined ? '' : `; default ${fallback}`}`;
}

/** A command's full help: usage, what it does, options, and the variables it reads. */
export function commandHelp(command: CommandSpec): string {
  const [line, ...rest] = usageText(command).split('\n');
  const variables = VARIABLES.filter((v) => (v.usedBy as readonly string[]).includes(command.name))
    .map((v) => `  ${v.name}\n${wrap(variableFacts(v), 6)}\n${wrap(v.description, 6)}`);
  return [line, '', wrap(command.description, 0), ...rest.slice(0, -1), ...(variables.length ? ['', 'Environment:', ...variables] : [])].join('\n') + '\n';
}
