/**
 * `npx projen docs:rules`: writes docs/RULES.md from the rule objects in src/rules.
 * With `--check`, exits 1 when the file is stale instead of writing it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesMarkdown } from '../src/rules/docs';

const target = path.join(__dirname, '..', 'docs', 'RULES.md');
const markdown = renderRulesMarkdown();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : '';
  if (current !== markdown) {
    console.error('docs/RULES.md is stale: run `npx projen docs:rules`');
    process.exitCode = 1;
  }
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, markdown);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
