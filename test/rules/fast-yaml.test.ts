import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { compliantSet } from './support/fixtures';
import { fastParseDocuments } from '../../src/rules/internal/fast-yaml';

/**
 * The fast reader must agree with the `yaml` package (YAML 1.1) on every
 * document it accepts, and hand back every document it is unsure about.
 */
function reference(text: string): { values: unknown[]; errors: boolean } {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [];
  return { values: list.map((d) => d.toJS()), errors: list.some((d) => d.errors.length > 0) };
}

/** Returns how many documents the fast path accepted. */
function agree(text: string): number {
  const fast = fastParseDocuments(text);
  const ref = reference(text);
  if (!fast) return 0;
  if (ref.errors) {
    expect(fast.some((d) => !d.doc)).toBe(true);
    return 0;
  }
  // empty documents (null) may be counted differently; compare the non-empty ones
  const refValues = ref.values.filter((v) => v !== null);
  const fastDocs = fast.filter((d) => !d.doc || d.doc.value !== null);
  expect(fastDocs).toHaveLength(refValues.length);
  let accepted = 0;
  fastDocs.forEach((d, i) => {
    if (d.doc) {
      expect(d.doc.value).toEqual(refValues[i]);
      accepted++;
    }
  });
  return accepted;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(full) : e.name.endsWith('.yaml') ? [full] : [];
  }).sort();
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');

test('agrees with the yaml package on the 126 PSA fixtures, and reads all of them fast', () => {
  const files = yamlFiles(path.join(FIXTURES, 'psa-fixtures'));
  const accepted = files.map((f) => agree(fs.readFileSync(f, 'utf-8')));
  expect(accepted.filter((n) => n > 0)).toHaveLength(126);
});

test('agrees with the yaml package on the Polaris check files and test objects', () => {
  const files = yamlFiles(path.join(FIXTURES, 'polaris-checks'));
  expect(files.length).toBeGreaterThan(50);
  for (const f of files) agree(fs.readFileSync(f, 'utf-8'));
});

test('reads what yaml.stringify and cdk8s emit', () => {
  const set = compliantSet();
  expect(agree(set.map((o) => stringify(o)).join('---\n'))).toBe(set.length);
  expect(agree(Yaml.stringify(...set))).toBe(set.length);
});

test.each([
  ['YAML 1.1 octal and booleans', 'a: 0400\nb: yes\nc: off\nd: ~\ne: -12\nf: 1.5\ng: +3\n'],
  ['quantities, CIDRs, ranges, versions and URLs stay strings', 'cpu: 500m\nmem: 256Mi\ncidr: 10.0.0.0/8\nr: 1024-4999\np: 1 0\nip: 10.0.0.1\nv: v1\nu: http://x:80/a\nn: -foo\n'],
  ['quoted scalars and keys', 'a: "x\\ny \\u00e9"\nb: \'it\'\'s\'\n"c d": 1\n\'e\': \'#not a comment\'\n'],
  ['comments everywhere', '# head\na: 1 # one\nb: # nothing\n  c: x # two\n# tail\n'],
  ['sequences under a key at the same indent', 'a:\n- 1\n- b: 2\n  c: 3\n-\n  - x\nd: []\ne: {}\n'],
  ['nested sequences of mappings', 'items:\n  - name: a\n    ports:\n      - containerPort: 80\n  - name: b\n'],
  ['literal block scalars', 'a: |\n  line 1\n\n  line 3\nb: |-\n  x\n    y\nc: |+\n  keep\n\nd: end\n'],
  ['JSON flow values', 'a: ["x", "y"]\nb: {"k": [1, 2]}\n'],
  ['empty and null values', 'a:\nb: null\nc: ""\n'],
  ['several documents and empty ones', '---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n'],
  ['timestamps and sexagesimal numbers (handed back)', 'a: 2026-11-23T10:30:00Z\nb: 1:30\n'],
  ['folded scalars (handed back)', 'a: >\n  folded\n  text\n'],
  ['multi-line plain scalars (handed back)', 'a: one\n  two\n'],
  ['anchors and aliases (handed back)', 'a: &x 1\nb: *x\n'],
  ['tags (handed back)', 'a: !!str 1\n'],
  ['duplicate keys (handed back, the yaml package reports them)', 'a: 1\na: 2\n'],
  ['a mapping where a scalar is expected (handed back)', 'a: b: c\n'],
  ['flow that is not JSON (handed back)', 'a: [x, y]\n'],
  ['YAML-only escapes (handed back)', 'a: "\\x41"\n'],
  ['bad indentation (handed back)', 'a: 1\n  b: 2\n'],
])('%s', (_what, text) => {
  agree(text);
});

test('hands back what it is unsure of instead of guessing', () => {
  for (const text of ['a: 2026-11-23\n', 'a: 1:30\n', 'a: >\n  x\n', 'a: &x 1\n', 'a: 1\na: 2\n', 'a: 0x1F\n', 'a: 1e3\n', 'a: .inf\n']) {
    const fast = fastParseDocuments(text);
    expect(fast === undefined || fast.some((d) => !d.doc)).toBe(true);
  }
});

test('reports the line each document starts on', () => {
  const docs = fastParseDocuments('# c\n---\n\napiVersion: v1\nkind: A\n---\nkind: B\n')!;
  expect(docs.filter((d) => d.doc!.value !== null).map((d) => d.doc!.line)).toEqual([4, 7]);
});
