import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main';
import { compliantSet, ctr } from '../rules/support/fixtures';

const SEED = path.join(__dirname, '..', 'rules', 'fixtures', 'seed-poc.yaml');

function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-audit-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const yamlDocs = (objects: any[]) => objects.map((o) => stringify(o)).join('---\n');

describe('superlatch audit', () => {
  test('exits 0 on hardened manifests spread over a folder tree', () => {
    const set = compliantSet();
    write('a/workloads.yaml', yamlDocs(set.slice(0, 7)));
    write('b/c/policies.yml', yamlDocs(set.slice(7)));
    write('README.md', '# not a manifest');
    const r = run('audit', dir);
    expect(r).toEqual({ code: 0, out: 'restricted: 0 error(s), 0 warning(s), 0 acknowledged', err: '' });
    expect((run('audit', '--pack', 'latch', dir)).code).toBe(0);
  });

  test('exits 1 with a sorted report on the seed PoC, errors first, each line with rule, object, path, message and the file:line of the field', () => {
    const r = run('audit', SEED);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`error   SL-PSS-13    Pod/superlatch  spec.containers[0].securityContext.allowPrivilegeEscalation  container 'latch-master' does not set allowPrivilegeEscalation to false (${SEED}:13)`);
    const severities = lines.slice(0, -1).map((l) => l.split(' ')[0]);
    expect(severities).toEqual([...severities].sort());
    expect(lines[lines.length - 1]).toMatch(/^restricted: \d+ error\(s\), \d+ warning\(s\), 0 acknowledged$/);
    // the Secret is also flagged: no namespace, so the line of its metadata
    expect(r.out).toContain(`warning SL-HARD-18   Secret/latch-credentials  metadata.namespace  Secret 'latch-credentials' names no namespace (${SEED}:54)`);
  });

  test('the output is deterministic whatever the order of the inputs', () => {
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    const a = write('one.yaml', yamlDocs(set.slice(0, 6)));
    const b = write('two.yaml', yamlDocs(set.slice(6)));
    const strip = (t: string) => t.replace(/ \([^)]*\)$/gm, '');
    expect(strip((run('audit', a, b)).out)).toBe(strip((run('audit', b, a)).out));
  });

  test('--format json prints findings and rule verdicts', () => {
    const r = run('audit', '--format=json', '--pack', 'baseline', SEED);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.pack).toBe('baseline');
    expect(json.summary).toEqual({ errors: 0, warnings: 0, acknowledged: 0 });
    // at the default v1.27, SL-PSS-18 (a v1.34 check) does not apply
    expect(json.rules.map((x: any) => x.status)).toEqual([...Array(11).fill('compliant'), 'not-applicable']);
    expect(json.rules[11].ruleId).toBe('SL-PSS-18');
    const seed = JSON.parse((run('audit', '--format', 'json', SEED)).out);
    // the object starts on line 5; the container that lacks the field on line 13
    expect(seed.findings[0]).toMatchObject({ ruleId: 'SL-PSS-13', severity: 'error', kind: 'Pod', name: 'superlatch', source: `${SEED}:5`, file: SEED, line: 13 });
  });

  test('locates a finding at the line of the offending field, in text and JSON', () => {
    // GIVEN a tag-only image in the second document of a file
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    const text = yamlDocs(set);
    const file = write('m.yaml', text);
    const lines = text.split('\n');
    const imageLine = lines.indexOf('          image: nginx:1.25') + 1;
    const objectLine = lines.lastIndexOf('---', imageLine - 1) + 2;
    expect(objectLine).toBeGreaterThan(1);
    // WHEN it is audited
    const json = JSON.parse(run('audit', '--format', 'json', file).out);
    const text2 = run('audit', file).out;
    // THEN the finding names the image's line, and the object's own line as its source
    expect(json.findings[0]).toMatchObject({ ruleId: 'SL-HARD-15', file, line: imageLine, source: `${file}:${objectLine}` });
    expect(text2.split('\n')[0]).toMatch(new RegExp(`\\(${file}:${imageLine}\\)$`));
  });

  test('locates the items of a List at their own lines', () => {
    const file = write('list.yaml', [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: ServiceAccount',
      '  metadata: {name: a, namespace: shop}',
      '  automountServiceAccountToken: false',
      '- apiVersion: v1',
      '  kind: Secret',
      '  metadata:',
      '    name: b',
      '',
    ].join('\n'));
    const json = JSON.parse(run('audit', '--format', 'json', file).out);
    expect(json.findings.map((f: any) => [f.ruleId, f.source, f.line])).toEqual([['SL-HARD-18', `${file}:8`, 10]]);
  });

  test('honours acknowledgements written in the manifest annotation', () => {
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    set[4].metadata.annotations = { 'superlatch.io/acknowledged-rules': 'SL-HARD-15: the mirror rewrites tags to digests' };
    const r = run('audit', write('m.yaml', yamlDocs(set)));
    expect(r.code).toBe(0);
    expect(r.out).toContain('[acknowledged: the mirror rewrites tags to digests]');
  });

  test('reads List objects and JSON files', () => {
    const set = compliantSet();
    write('list.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: set }));
    expect((run('audit', dir)).code).toBe(0);
  });

  test.each([
    ['an unknown pack', () => ['--pack', 'strict', SEED], /Unknown rule pack 'strict'/],
    ['an unknown option', () => ['--verbose', SEED], /unknown option '--verbose'/],
    ['no path', () => [], /name at least one file or folder/],
    ['a bad --format', () => ['--format', 'xml', SEED], /--format must be text, json or sarif, not 'xml'/],
    ['a malformed acknowledgement', () => [write('ack.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    superlatch.io/acknowledged-rules: "SL-HARD-5: short"\n')],
      /ack\.yaml:1 \(ConfigMap x\): acknowledgement of SL-HARD-5 needs a reason of at least 10 characters/],
  ])('exits 2 on %s with a clear message', (_what, args, message) => {
    const r = run('audit', ...args());
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  test('audits every readable file of a folder, names each bad one on a line of its own, and exits 2 after the report', () => {
    // GIVEN a folder with a finding in a good file, a file that is not YAML and a dangling link
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    write('a-good.yaml', yamlDocs(set));
    const bad = write('b-bad.yaml', 'kind: Pod\n\tname: x\n');
    const gone = path.join(dir, 'c-gone.yaml');
    fs.symlinkSync(path.join(dir, 'nowhere'), gone);
    // WHEN the folder is audited
    const r = run('audit', dir);
    // THEN the good file's findings are reported, each bad file gets one line, and the exit says bad input
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^error {3}SL-HARD-15 {3}Deployment\/shop\/web /);
    expect(r.out).toMatch(/restricted: 1 error\(s\), 0 warning\(s\), 0 acknowledged$/);
    expect(r.err).toBe([
      `superlatch audit: ${bad}:2: invalid YAML: tab characters must not be used in indentation`,
      `superlatch audit: ${gone}: cannot read (ENOENT)`,
    ].join('\n'));
  });

  test('audits the paths that exist when one does not, and exits 2', () => {
    const missing = path.join(dir, 'no-such-dir');
    const r = run('audit', missing, SEED);
    expect(r.code).toBe(2);
    expect(r.out).toContain('SL-PSS-13');
    expect(r.err).toBe(`superlatch audit: ${missing}: cannot read (ENOENT)`);
  });

  test.each([
    ['duplicate keys', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n', 5, 'duplicated mapping key'],
    ['an alias to an anchor of another document', 'kind: ConfigMap\nmetadata:\n  name: &n a\n---\nkind: ConfigMap\nmetadata:\n  name: *n\n', 7, 'unidentified alias "n"'],
  ])('reports invalid YAML (%s) as one line with file and line', (_what, text, line, reason) => {
    const file = write('bad.yaml', text);
    const r = run('audit', file);
    expect(r).toEqual({ code: 2, out: 'restricted: 0 error(s), 0 warning(s), 0 acknowledged', err: `superlatch audit: ${file}:${line}: invalid YAML: ${reason}` });
  });

  test('skips documents that are not Kubernetes objects, saying so', () => {
    const file = write('values.yaml', 'replicas: 3\n---\n' + stringify(compliantSet()[0]));
    const r = run('audit', file);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`superlatch: skipped ${file}:1: not a Kubernetes object (no kind)`);
  });

  test('reads 0400 as an octal file mode, as Kubernetes does', () => {
    const set = compliantSet();
    const text = yamlDocs(set).replace(/defaultMode: 256/g, 'defaultMode: 0400');
    expect(text).toContain('defaultMode: 0400');
    const r = run('audit', write('octal.yaml', text));
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('SL-HARD-22');
  });

  describe('--kubernetes-version', () => {
    /** A Pod whose liveness probe names a host: allowed by PSS baseline up to v1.33, denied from v1.34. */
    const probeHost = () => write('pod.yaml', stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause', livenessProbe: { httpGet: { host: 'bad.host', port: 8080 } } }] },
    }));

    test('judges the manifests at v1.27 unless told otherwise', () => {
      const file = probeHost();
      expect(run('audit', '--pack', 'baseline', file)).toEqual({ code: 0, out: 'baseline: 0 error(s), 0 warning(s), 0 acknowledged', err: '' });
      expect(run('audit', '--pack', 'baseline', '--kubernetes-version', 'v1.33', file).code).toBe(0);
    });

    test('at v1.34 the Pod Security Standards check of probe hosts applies (every spelling of the flag)', () => {
      const file = probeHost();
      for (const flag of [['--kubernetes-version', 'v1.34'], ['--kubernetes-version=v1.34'], ['-k', '1.34'], ['-k', 'v1.36.2']]) {
        const r = run('audit', '--pack', 'baseline', ...flag, file);
        expect(r.code).toBe(1);
        expect(r.out).toContain(`error   SL-PSS-18    Pod/shop/probe  spec.containers[0].livenessProbe.httpGet.host  livenessProbe of container 'app' connects to host 'bad.host' instead of the pod (${file}:12)`);
      }
      expect(JSON.parse(run('audit', '--pack', 'baseline', '--format', 'json', '-k', 'v1.34', file).out).rules)
        .toContainEqual({ ruleId: 'SL-PSS-18', status: 'non-compliant', findings: 1 });
    });

    test('an unsupported or malformed version is bad usage (exit 2), naming the supported ones', () => {
      const file = probeHost();
      for (const bad of ['v1.26', 'v1.37', 'latest', '']) {
        const r = run('audit', `--kubernetes-version=${bad}`, file);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(bad === '' ? /--kubernetes-version needs a value/ : new RegExp(`--kubernetes-version must be one of v1\\.27, v1\\.28, .*v1\\.36, not '${bad}'`));
      }
    });

    test('is documented in the help', () => {
      const help = run('audit', '--help').out;
      expect(help).toMatch(/^Usage: superlatch audit .*\[--kubernetes-version v1\.N\] PATH\.\.\./);
      expect(help).toContain('--kubernetes-version (-k) is the version the manifests are judged at, v1.27 to v1.36\n(default v1.27)');
    });
  });

  test('help and unknown commands', () => {
    expect(run('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: superlatch audit \[--pack restricted\|baseline\|pss-restricted\|latch\]/) });
    expect(run()).toMatchObject({ code: 2, err: expect.stringMatching(/^Usage/) });
    expect(run('scan')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command 'scan'/) });
  });
});

describe('bin/superlatch', () => {
  test('is an executable node shim over the compiled CLI', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'superlatch');
    const text = fs.readFileSync(bin, 'utf-8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toContain("require('../lib/cli/main.js').run();");
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(bin).mode & 0o111).toBe(0o111);
  });
});

