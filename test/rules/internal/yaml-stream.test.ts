import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { parseManifests } from '../../../src/rules/internal/loader';
import { YamlStream, YamlSyntaxError } from '../../../src/rules/internal/yaml-stream';
import { compliantSet } from '../support/fixtures';

/**
 * The reference: the `yaml` package with its YAML 1.1 schema, less the two
 * YAML 1.1 types that Kubernetes' go-yaml deliberately does not apply to
 * untyped values (base-60 numbers and timestamps, which stay strings).
 */
function reference(text: string): { values: unknown[]; errors: boolean } {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp')),
  });
  const list = Array.isArray(docs) ? docs : [];
  return { values: list.map((d) => d.toJS()), errors: list.some((d) => d.errors.length > 0) };
}

/** Our reader and the reference read the same values, or both reject the text. */
function agree(text: string): void {
  const ref = reference(text);
  if (ref.errors) {
    expect(() => YamlStream.read(text)).toThrow(YamlSyntaxError);
    return;
  }
  // the reference gives an empty stream no document at all; compare the non-empty ones
  expect(YamlStream.read(text).documents.filter((v) => v !== null)).toEqual(ref.values.filter((v) => v !== null));
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(full) : e.name.endsWith('.yaml') ? [full] : [];
  }).sort();
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('agrees with the yaml package (YAML 1.1)', () => {
  test('on the 1332 PSA fixtures (v1.27 to v1.36)', () => {
    const files = yamlFiles(path.join(FIXTURES, 'psa-fixtures'));
    expect(files).toHaveLength(1332);
    for (const f of files) agree(fs.readFileSync(f, 'utf-8'));
  });

  test('on the Polaris check files and test objects', () => {
    const files = yamlFiles(path.join(FIXTURES, 'polaris-checks'));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) agree(fs.readFileSync(f, 'utf-8'));
  });

  test('on what yaml.stringify and cdk8s emit', () => {
    const set = compliantSet();
    agree(set.map((o) => stringify(o)).join('---\n'));
    agree(Yaml.stringify(...set));
  });

  test.each([
    ['YAML 1.1 octal and booleans', 'a: 0400\nb: yes\nc: off\nd: ~\ne: -12\nf: 1.5\ng: +3\nh: Y\n'],
    ['quantities, CIDRs, ranges, versions and URLs stay strings', 'cpu: 500m\nmem: 256Mi\ncidr: 10.0.0.0/8\nr: 1024-4999\np: 1 0\nip: 10.0.0.1\nv: v1\nu: http://x:80/a\nn: -foo\n'],
    ['hex, binary, exponents, separators and special floats', 'a: 0x1F\nb: -0b11\nc: 1e3\nd: 1_000\ne: .inf\nf: -.Inf\ng: .5\nh: 1.\n'],
    ['quoted scalars and keys', 'a: "x\\ny \\u00e9 \\x41"\nb: \'it\'\'s\'\n"c d": 1\n\'e\': \'#not a comment\'\nf: "0400"\n'],
    ['comments everywhere', '# head\na: 1 # one\nb: # nothing\n  c: x # two\n# tail\n'],
    ['sequences under a key at the same indent', 'a:\n- 1\n- b: 2\n  c: 3\n-\n  - x\nd: []\ne: {}\n'],
    ['literal and folded block scalars', 'a: |\n  line 1\n\n  line 3\nb: |-\n  x\n    y\nc: |+\n  keep\n\nd: >\n  folded\n  text\n'],
    ['flow collections', 'a: [x, "y", 1]\nb: {"k": [1, 2], j: no}\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['anchors, aliases and merge keys', 'base: &b {x: 1}\na: *b\nc:\n  <<: *b\n  y: 2\n'],
    ['tags', 'a: !!str 1\nb: !!int "7"\n'],
    ['several documents and empty ones', '---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n'],
    ['duplicate keys (both reject)', 'a: 1\na: 2\n'],
    ['bad indentation (both reject)', 'a: 1\n  b: 2\n'],
  ])('on %s', (_what, text) => {
    agree(text);
  });
});

test('reads scalars as Kubernetes (go-yaml) does, where YAML 1.1 readers differ', () => {
  // GIVEN a ConfigMap-like object with base-60, timestamp, 0o-octal and leading-zero forms
  const text = 'kind: X\ndata:\n  time: 1:30\n  float: 1:30.5\n  date: 2026-11-23\n  stamp: 2026-11-23T10:30:00Z\n  octal: 0o17\n  zero: 08\n  mode: 0400\n';
  // WHEN it is read
  const [o] = parseManifests(text, 'x.yaml').objects;
  // THEN base-60 numbers and timestamps stay strings, 0o17 is octal and 08 is 8
  expect(o.data).toEqual({ time: '1:30', float: '1:30.5', date: '2026-11-23', stamp: '2026-11-23T10:30:00Z', octal: 15, zero: 8, mode: 256 });
});

describe('lineOf', () => {
  const text = [
    '# a comment', //                  1
    '---', //                          2
    'apiVersion: v1', //               3
    'kind: Pod', //                    4
    'metadata:', //                    5
    '  name: a', //                    6
    '  annotations: {"a.b/c": "1",', // 7
    '    d: 2}', //                    8
    'spec:', //                        9
    '  containers:', //               10
    '  - name: c', //                 11
    '    image: i', //                12
    '  -', //                         13
    '    name: d', //                 14
    '    securityContext:', //        15
    '      runAsNonRoot: true', //    16
    '---', //                         17
    'kind: B', //                     18
  ].join('\n') + '\n';
  const stream = YamlStream.read(text);

  test('gives the line each document starts on', () => {
    expect(stream.lineOf(0, [])).toBe(3);
    expect(stream.lineOf(1, [])).toBe(18);
  });

  test('gives the line of a key, a sequence item and a flow entry', () => {
    expect(stream.lineOf(0, ['spec', 'containers', 1, 'securityContext', 'runAsNonRoot'])).toBe(16);
    expect(stream.lineOf(0, ['spec', 'containers', 0])).toBe(11);
    expect(stream.lineOf(0, ['spec', 'containers', 1])).toBe(14);
    expect(stream.lineOf(0, ['metadata', 'annotations', 'd'])).toBe(8);
    expect(stream.lineOf(0, ['metadata', 'annotations', 'a.b/c'])).toBe(7);
  });

  test('falls back to the deepest node present for a field that is not set', () => {
    expect(stream.lineOf(0, ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'])).toBe(11);
    expect(stream.lineOf(0, ['spec', 'containers', 1, 'securityContext', 'privileged'])).toBe(15);
    expect(stream.lineOf(0, ['spec', 'containers', 5])).toBe(10);
    expect(stream.lineOf(0, ['metadata', 'name', 'x'])).toBe(6);
  });
});

test('an alias to an anchor of another document is a syntax error on the alias line', () => {
  const read = () => YamlStream.read('a: &x 1\n---\nb: *x\n');
  expect(read).toThrow(YamlSyntaxError);
  expect(read).toThrow('line 3: unidentified alias "x"');
});
