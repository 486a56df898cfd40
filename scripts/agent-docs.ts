/**
 * `npx projen docs:agent`: writes the variables table of docs/agent.md (between its begin and
 * end markers) from the agent's variables table (agent/src/variables.ts).
 * With `--check`, exits 1 when the section is stale instead of writing it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VARIABLES } from '../agent/src/variables';

export const AGENT_DOC = path.join(__dirname, '..', 'docs', 'agent.md');
export const BEGIN = '<!-- begin generated: agent variables (npx projen docs:agent) -->';
export const END = '<!-- end generated: agent variables -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The table of every variable: name, type, default, accepted values, commands, meaning. */
export function renderVariablesTable(): string {
  const rows = VARIABLES.map((v) => {
    const fallback = v.default !== undefined ? `\`${v.default}\`` : v.derivedDefault ?? '—';
    return `| \`${v.name}\` | ${v.type} | ${cell(fallback)} | ${cell(v.allowed)} | ${v.usedBy.join(', ')} | ${cell(v.description)} |`;
  });
  return ['| Variable | Type | Default | Accepted | Used by | Meaning |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** `doc` with its generated section replaced by the current table. */
export function withGeneratedSection(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin || doc.indexOf(BEGIN, begin + 1) >= 0) {
    throw new Error(`docs/agent.md must hold the markers ${BEGIN} and ${END} once each, in that order`);
  }
  return `${doc.slice(0, begin)}${BEGIN}\n${renderVariablesTable()}\n${doc.slice(end)}`;
}

if (require.main === module) {
  const current = fs.readFileSync(AGENT_DOC, 'utf-8');
  const wanted = withGeneratedSection(current);
  if (process.argv.includes('--check')) {
    if (current !== wanted) {
      console.error('docs/agent.md is stale: run `npx projen docs:agent`');
      process.exitCode = 1;
    }
  } else {
    fs.writeFileSync(AGENT_DOC, wanted);
    console.log(`wrote ${path.relative(process.cwd(), AGENT_DOC)}`);
  }
}
