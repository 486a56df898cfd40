import * as fs from 'node:fs';
import { VARIABLES } from '../../agent/src/variables';
import { AGENT_DOC, BEGIN, END, renderVariablesTable, withGeneratedSection } from '../../scripts/agent-docs';

test('docs/agent.md\'s variables section is generated from the variables table and up to date (run `npx projen docs:agent`)', () => {
  const doc = fs.readFileSync(AGENT_DOC, 'utf-8');
  expect(doc).toBe(withGeneratedSection(doc));
});

test('the section has a row per variable, with its default and accepted values', () => {
  const rows = renderVariablesTable().split('\n').slice(2);
  expect(rows.map((r) => r.split(' | ')[0])).toEqual(VARIABLES.map((v) => `| \`${v.name}\``));
  expect(rows).toContain('| `LATCH_POLL_INTERVAL` | seconds | `10` | 0.01–86400 | run | Seconds between polls (start to start). The constructs enforce their own floor (1 s). |');
});

test('only the text between the markers is replaced, and the markers must be there', () => {
  const doc = `intro\n${BEGIN}\nold table\n${END}\nrest\n`;
  expect(withGeneratedSection(doc)).toBe(`intro\n${BEGIN}\n${renderVariablesTable()}\n${END}\nrest\n`);
  expect(() => withGeneratedSection('no markers')).toThrow(/must hold the markers/);
});
