import * as fs from 'fs';
import * as path from 'path';
import { renderRulesMarkdown } from '../../src/rules/docs';

test('docs/RULES.md is generated from the rule objects and up to date (run `npx projen docs:rules`)', () => {
  const file = path.join(__dirname, '..', '..', 'docs', 'RULES.md');
  expect(fs.readFileSync(file, 'utf-8')).toBe(renderRulesMarkdown());
});

test('every rule has its own section', () => {
  const md = renderRulesMarkdown();
  for (const id of ['SL-PSS-1', 'SL-PSS-17', 'SL-HARD-23', 'SL-NET-5', 'SL-LATCH-8']) {
    expect(md).toContain(`\n## ${id}\n`);
  }
});
