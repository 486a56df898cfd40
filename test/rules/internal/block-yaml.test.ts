import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { stringify } from 'yaml';
import { readBlockYaml } from '../../../src/rules/internal/block-yaml';
import { YamlStream } from '../../../src/rules/internal/yaml-stream';
import { compliantSet } from '../support/fixtures';

/**
 * The block reader is a fast path: on every text it either declines (js-yaml then
 * reads it) or reads exactly what js-yaml reads with the same schema: the same
 * values with keys in the same order, and the same line for every field.
 */

type Path = Array<string | number>;

/** Every path into `v`, and below each container one that is not there. */
function paths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) {
    v.forEach((x, i) => paths(x, [...prefix, i], out));
    out.push([...prefix, v.length]);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
    out.push([...prefix, 'not-there']);
  }
  return out;
}

/** Values with key order: JSON with NaN and the infinities spelled out. */
const ordered = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));

interface Verdict {
  /** The block reader read it (else it declined). */
  readonly read: boolean;
  /** What differs from js-yaml (empty when it declined or agreed). */
  readonly differences: string[];
}

function compare(text: string): Verdict {
  let reference: YamlStream | undefined;
  try {
    reference = YamlStream.read(text, 'js-yaml');
  } catch {
    reference = undefined;
  }
  const block = readBlockYaml(text);
  if (!block) return { read: false, differences: [] };
  if (!reference) return { read: true, differences: ['read a text that js-yaml rejects'] };
  const ours = YamlStream.read(text);
  const differences: string[] = [];
  if (!ours.byBlockReader) differences.push('YamlStream did not use the block reader');
  if (ordered(ours.documents) !== ordered(reference.documents)) differences.push(`values: ${ordered(ours.documents)} vs ${ordered(reference.documents)}`);
  reference.documents.forEach((doc, d) => {
    for (const p of paths(doc)) {
      const [a, b] = [ours.lineOf(d, p), reference!.lineOf(d, p)];
      if (a !== b) differences.push(`doc ${d} ${JSON.stringify(p)}: line ${a} vs ${b}`);
    }
  });
  return { read: true, differences };
}

/** Compares every text; returns how many the block reader read, and fails on any difference. */
function expectAgreement(texts: string[]): number {
  const problems: string[] = [];
  let read = 0;
  texts.forEach((text, i) => {
    const v = compare(text);
    if (v.read) read++;
    for (const d of v.differences.slice(0, 3)) problems.push(`text ${i} (${JSON.stringify(text.slice(0, 60))}...): ${d}`);
  });
  expect(problems.slice(0, 10)).toEqual([]);
  return read;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(e.name) ? [full] : [];
  }).sort();
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const fixtureTexts = yamlFiles(FIXTURES).map((f) => fs.readFileSync(f, 'utf-8'));

/** A small deterministic generator (no random values in tests): a linear congruential one. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

describe('the block reader reads what js-yaml reads', () => {
  test(`on every fixture (${fixtureTexts.length} files: PSA, Polaris, argo-cd, podinfo, Falco...)`, () => {
    const read = expectAgreement(fixtureTexts);
    // most fixtures are plain block YAML: the fast path is the common path
    expect(read).toBeGreaterThan(fixtureTexts.length * 0.8);
  });

  test('on what cdk8s, the yaml package and js-yaml write, and reads all of it but folded long lines', () => {
    const set = compliantSet();
    const texts = [
      Yaml.stringify(...set),
      set.map((o) => stringify(o)).join('---\n'),
      set.map((o) => stringify(o, { indentSeq: false })).join('---\n'),
      set.map((o) => jsYaml.dump(o, { lineWidth: -1 })).join('---\n'),
    ];
    expect(expectAgreement(texts)).toBe(texts.length);
    // js-yaml folds lines over 80 characters into block scalars (`>-`): those texts are left to js-yaml
    const folded = set.map((o) => jsYaml.dump(o)).join('---\n');
    expect(folded).toContain('>-');
    expect(expectAgreement([folded])).toBe(0);
  });

  const KEYS = ['a', 'name', 'app.kubernetes.io/name', 'x-y', '8080', '0400', '08', 'yes', 'on', 'n', 'null', 'true', '1e3', '.5', '1_000', '0x1F',
    '-x', 'a b', 'a:b', '#k', "it's", '"q"', '', ' ', '__proto__', '<<', '~', 'é', 'k\tv'];
  const SCALARS: unknown[] = ['', ' ', 'yes', 'No', 'on', 'y', '0400', '08', '0o17', '1_000', '.5', '1.', '1e3', '-12', '+3', '0x1F', '-0b11', '~', 'null', 'NULL',
    'a #b', 'a#b', 'a: b', 'x:', ':x', '?x', '- x', '-x', '--port=80', "it's", '"q"', '#c', '[x]', 'x]', '{}', '[]', '1:30', '2026-11-23', 'True', '.inf', '-.Inf',
    '.nan', 'http://x:80/a', '10.0.0.0/8', '500m', 'back\\slash', 'two\nlines', 'trailing ', ' leading', 'tab\there', 'é', '&a', '*a', '!x', '|', '>', '%x', '@x',
    0, 1, -1, 1.5, 1e21, true, false, null, [], {}];

  function randomValue(rand: () => number, depth: number): unknown {
    const r = rand();
    if (depth > 3 || r < 0.5) return SCALARS[Math.floor(rand() * SCALARS.length)];
    if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 5); i > 0; i--) o[KEYS[Math.floor(rand() * KEYS.length)]] = randomValue(rand, depth + 1);
    return o;
  }

  test('on 2000 generated documents, as four writers write them', () => {
    const rand = prng(13);
    const texts: string[] = [];
    for (let i = 0; i < 500; i++) {
      const docs = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ kind: 'X', data: randomValue(rand, 0) }));
      texts.push(docs.map((d) => stringify(d)).join('---\n'));
      texts.push(docs.map((d) => stringify(d, { indentSeq: false })).join('---\n'));
      texts.push(docs.map((d) => jsYaml.dump(d)).join('---\n'));
      texts.push(Yaml.stringify(...docs));
    }
    const read = expectAgreement(texts);
    expect(read).toBeGreaterThan(texts.length / 4);
  });

  test('on 6000 damaged copies of the fixtures (characters and lines added, removed, re-indented)', () => {
    const rand = prng(7);
    const INSERTS = [' ', '  ', '-', '- ', ':', ': ', '#', ' #', "'", '"', '\n', 'a', '0', '[', '{', '}', '&a ', '*a', '|', '>', '!', '?', ',', '%', '\t', '\r', '---\n', '...\n'];
    const sources = fixtureTexts.filter((t) => t.length < 20000);
    const texts: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const text = sources[Math.floor(rand() * sources.length)];
      const lines = text.split('\n');
      const at = Math.floor(rand() * lines.length);
      const op = Math.floor(rand() * 5);
      if (op === 0) {
        const c = Math.floor(rand() * (lines[at].length + 1));
        lines[at] = lines[at].slice(0, c) + INSERTS[Math.floor(rand() * INSERTS.length)] + lines[at].slice(c);
      } else if (op === 1) {
        const c = Math.floor(rand() * lines[at].length);
        lines[at] = lines[at].slice(0, c) + lines[at].slice(c + 1);
      } else if (op === 2) {
        lines.splice(at, 0, lines[Math.floor(rand() * lines.length)]);
      } else if (op === 3) {
        lines.splice(at, 1);
      } else {
        lines[at] = rand() < 0.5 ? ' '.repeat(1 + Math.floor(rand() * 2)) + lines[at] : lines[at].replace(/^ /, '');
      }
      texts.push(lines.join('\n'));
    }
    const read = expectAgreement(texts);
    expect(read).toBeGreaterThan(1000);
  });
});

test('declines what it leaves to js-yaml', () => {
  const declined = [
    'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |\n  x\n', 'a: >\n  x\n', 'a: one\n  two\n', 'a: [1, 2]\n', 'a: {b: 1}\n', 'a: "x\\ny"\n',
    '%YAML 1.1\n---\na: 1\n', 'a: 1\n---\n', '', '# only a comment\n', 'a:\tb\n', 'a: 1\r\n', '\ufeffa: 1\n', 'a: é\n', 'a: 1\na: 2\n',
    'a: 1\n  b: 2\n', '<<: {a: 1}\n', '__proto__: 1\n', 'a: \'x\n  y\'\n', '- \n', 'scalar\n', '? a\n: b\n', 'a: 1\n...\n',
  ];
  for (const text of declined) expect({ text, read: readBlockYaml(text) }).toEqual({ text, read: undefined });
});

test('a stream looks up positions only when a line is asked for, and keeps the values it read', () => {
  const a = YamlStream.read('kind: A\nspec:\n  x: 1\n');
  const b = YamlStream.read('# c\nkind: B\nspec:\n  z:\n  - 1\n  - 2\n');
  const c = YamlStream.read('kind: C\nspec: {x: [1, 2]}\n');
  expect([a.byBlockReader, b.byBlockReader, c.byBlockReader]).toEqual([true, true, false]);
  const values = [a, b, c].map((s) => s.documents);
  expect([a.positioned, b.positioned, c.positioned]).toEqual([false, false, false]);
  expect(a.lineOf(0, ['spec', 'x'])).toBe(3);
  expect([a.positioned, b.positioned, c.positioned]).toEqual([true, false, false]);
  expect(b.lineOf(0, ['spec', 'z', 1])).toBe(6);
  expect(b.lineOf(0, ['kind'])).toBe(2);
  expect(c.lineOf(0, ['spec', 'x'])).toBe(2);
  expect(a.lineOf(0, ['kind'])).toBe(1);
  [a, b, c].forEach((s, i) => expect(s.documents).toBe(values[i]));
});
