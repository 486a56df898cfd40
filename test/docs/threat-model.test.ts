/**
 * docs/latch.md's threat model: every row of the table names the tests that prove it, and
 * every test file the section names exists (issue 11).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(REPO, 'docs', 'latch.md'), 'utf8');
const section = /^## Threat model\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? '';

/** Cells of the table's rows, header and separator left out. */
const rows = section.split('\n').filter((l) => l.startsWith('|')).slice(2)
  .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
const testFiles = (text: string): string[] => [...text.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((m) => m[1]);
const afterTable = section.slice(section.lastIndexOf('\n|') + 1).split('\n').slice(1).join('\n');

test('the section has the table: threat | what stops it | where it is checked', () => {
  expect(section.split('\n').find((l) => l.startsWith('|'))).toBe('| threat | what stops it | where it is checked |');
  expect(rows.length).toBeGreaterThanOrEqual(20);
});

test('every row has three cells and names at least one test file in its last', () => {
  for (const row of rows) {
    expect([row[0], row.length]).toEqual([row[0], 3]);
    expect([row[0], testFiles(row[2]).length > 0]).toEqual([row[0], true]);
  }
});

test('every test file the section names exists', () => {
  const named = [...new Set(testFiles(section))];
  expect(named.length).toBeGreaterThan(0);
  expect(named.filter((f) => !fs.existsSync(path.join(REPO, f)))).toEqual([]);
});

test('what the guardrails do not stop is stated, with its tests', () => {
  expect(afterTable).toMatch(/do not stop/);
  expect(testFiles(afterTable).length).toBeGreaterThan(0);
});
