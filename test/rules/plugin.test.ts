import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compliantSet, ctr } from './support/fixtures';
import { SuperlatchValidation } from '../../src';

/**
 * GIVEN a cdk8s project whose cdk8s.yaml is one of the README's plugin configurations
 * WHEN `cdk8s synth` (cdk8s-cli itself, offline) synthesizes and validates its app
 * THEN the report passes or fails on error findings, with construct-aware violations.
 *
 * The plugin is this checkout as a package (package.json `main`, lib/): the `test` task
 * compiles lib/ first. It is linked into the project the way `npm install ../cdk8s-superlatch` does.
 */
const REPO = path.join(__dirname, '..', '..');
const CDK8S = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
const APP = path.join(__dirname, 'support', 'plugin-app.ts');
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf-8')).version;

/** The README's `cdk8s.yaml` block whose plugin `package` is the given one. */
function readmeConfig(pkg: string): string {
  const blocks = [...fs.readFileSync(path.join(REPO, 'README.md'), 'utf-8').matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)]
    .map(([, indent, body]) => body.split('\n').map((line) => line.slice(indent.length)).join('\n'))
    .filter((body) => body.includes(`- package: ${pkg}\n`));
  if (blocks.length !== 1) throw new Error(`expected one cdk8s.yaml block in README.md with package ${pkg}, found ${blocks.length}`);
  return blocks[0];
}

let project: string;
let home: string;

beforeEach(() => {
  if (!fs.existsSync(path.join(REPO, 'lib', 'index.js'))) throw new Error('lib/ is not compiled: run `npx projen compile`');
  // the real path: cdk8s-cli resolves a plugin path against its working directory
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-plugin-')));
  // cdk8s-cli's default plugins folder is under the home directory: keep it inside the test's folder
  home = path.join(project, 'home');
  fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
  fs.symlinkSync(REPO, path.join(project, 'node_modules', 'cdk8s-superlatch'), 'dir');
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

interface SynthResult { readonly status: number | null; readonly output: string; readonly reports: any[] }

/** `cdk8s synth` in the project, with the given cdk8s.yaml validations over a chart of `objects`. */
function cdk8sSynth(validations: string, objects: any[]): SynthResult {
  fs.writeFileSync(path.join(project, 'objects.json'), JSON.stringify(objects));
  const app = [process.execPath, '-r', require.resolve('ts-node/register/transpile-only'), APP, 'objects.json'].map((a) => JSON.stringify(a)).join(' ');
  fs.writeFileSync(path.join(project, 'cdk8s.yaml'), `app: ${JSON.stringify(app)}\n${validations}`);
  const reportFile = path.join(project, 'reports.json');
  const r = spawnSync(process.execPath, [CDK8S, 'synth', '--validation-reports-output-file', reportFile], {
    cwd: project,
    encoding: 'utf-8',
    // no upgrade check: the test never reaches the network
    env: { ...process.env, HOME: home, CDK8S_CHECK_UPGRADE: 'false', TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json') },
  });
  const reports = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')).reports : [];
  return { status: r.status, output: r.stdout + r.stderr, reports };
}

describe('a local install (package: ./node_modules/cdk8s-superlatch)', () => {
  const local = () => readmeConfig('./node_modules/cdk8s-superlatch');

  test('a hardened app passes, loaded from the path with nothing installed', () => {
    const r = cdk8sSynth(local(), compliantSet());
    expect(r.status).toBe(0);
    expect(r.output).toContain('Validations ended succesfully');
    expect(r.reports.map((report) => report.summary)).toEqual([{
      status: 'success',
      plugin: path.join(project, 'node_modules', 'cdk8s-superlatch'),
      version: '0.0.0',
      metadata: { pack: 'restricted', errors: '0', warnings: '0', acknowledged: '0' },
    }]);
    expect(r.reports[0].violations).toEqual([]);
    expect(fs.existsSync(path.join(home, '.cdk8s'))).toBe(false);
  });

  test('error findings fail the synth; each violation names rule, resource, manifest, locations, construct and fix', () => {
    const set = compliantSet();
    ctr(set, 'web', 'app').securityContext.readOnlyRootFilesystem = false;
    ctr(set, 'web', 'latch-agent').securityContext.readOnlyRootFilesystem = false;
    const r = cdk8sSynth(local(), set);
    expect(r.status).toBe(2);
    expect(r.output).toContain('Validation failed');
    expect(r.reports[0].summary.status).toBe('failure');
    expect(r.reports[0].violations).toEqual([{
      ruleName: 'SL-HARD-5 [error] Containers have a read-only root filesystem',
      recommendation: "Deployment web: container 'app' has a writable root filesystem; Deployment web: container 'latch-agent' has a writable root filesystem",
      fix: expect.stringContaining('readOnlyRootFilesystem: true'),
      violatingConstructs: [{
        resourceName: 'web',
        manifestPath: path.join('dist', 'shop.k8s.yaml'),
        locations: [
          'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
          'spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem',
        ],
        // cdk8s keys construct metadata by resource name, so the objects named 'web' share one path
        constructPath: expect.stringMatching(/^shop\/web\//),
      }],
    }]);
  });

  test('warnings are reported as violations but do not fail the synth', () => {
    const set = compliantSet();
    set.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'web').spec.ingress = [{}];
    const r = cdk8sSynth(local(), set);
    expect(r.status).toBe(0);
    expect(r.reports[0].violations.map((v: any) => v.ruleName)).toEqual(['SL-NET-4 [warning] NetworkPolicy rules name their peers (no allow-all, no 0.0.0.0/0)']);
  });

  test('the pack comes from the plugin properties; an unknown one fails loading the plugin', () => {
    const r = cdk8sSynth(local().replace('pack: restricted', 'pack: strict'), compliantSet());
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/Unknown rule pack 'strict'/);
    expect(r.reports).toEqual([]);
  });
});

test('a registry install (package: cdk8s-superlatch) is loaded from where cdk8s-cli installs it, by exact version', () => {
  const validations = readmeConfig('cdk8s-superlatch');
  const version = /version: (\S+)/.exec(validations)![1];
  // an unreleased checkout's version is on no registry: cdk8s-cli's install would fail with E404 (checked
  // before the synth, which would otherwise try that install)
  expect(version).not.toBe(VERSION);
  // GIVEN what cdk8s-cli's first-run `npm install cdk8s-superlatch@<version> --prefix <plugins>/cdk8s-superlatch/<version>`
  // leaves in its default plugins folder, so that it installs nothing now
  const installed = path.join(home, '.cdk8s', 'plugins', 'cdk8s-superlatch', version, 'node_modules', 'cdk8s-superlatch');
  fs.mkdirSync(path.dirname(installed), { recursive: true });
  fs.symlinkSync(REPO, installed, 'dir');
  // WHEN the README's registry configuration runs; THEN that copy validates the app
  const r = cdk8sSynth(validations, compliantSet());
  expect(r.status).toBe(0);
  expect(r.output).not.toContain('Installing validation plugin');
  expect(r.reports.map((report) => report.summary)).toEqual([expect.objectContaining({ status: 'success', plugin: 'cdk8s-superlatch', version })]);
});

test('manifests that cannot be read fail the validation, each named with its file and line', async () => {
  const bad = path.join(project, 'zz-bad.k8s.yaml');
  fs.writeFileSync(bad, 'kind: Pod\n\tname: x\n');
  const plugin = new SuperlatchValidation({ pack: 'restricted' });
  await expect(plugin.validate({ manifests: [bad], report: { addViolation: () => undefined, submit: () => undefined } })).rejects.toThrow(
    `superlatch: cannot validate the synthesized manifests:\n${bad}:2: invalid YAML: tab characters must not be used in indentation`,
  );
});
