import * as fs from 'fs';
import * as path from 'path';
import { renderRulesMarkdown } from '../../src/rules/docs';
import { PROFILE_RULES } from '../../src/rules/registry';

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

test('the docs mark exactly the rules the hardened profile enforces at synth', () => {
  const md = renderRulesMarkdown();
  const sections = md.split('\n## ').slice(1).filter((s) => /^SL-[A-Z]+-\d+\n/.test(s));
  const marked = sections.filter((s) => s.includes('- Enforced at synth by the hardened profile')).map((s) => s.split('\n')[0]);
  expect(marked.sort()).toEqual(PROFILE_RULES.map((r) => r.id).sort());
  expect(marked.length).toBeGreaterThan(20);
});
