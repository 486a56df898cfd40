import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { validateLikeCdk8sCli } from './support/cdk8s-cli-contract';
import { chartOf } from './support/charts';
import { compliantSet, ctr } from './support/fixtures';

/**
 * GIVEN a cdk8s project whose cdk8s.yaml names our plugin by a local path
 * WHEN its app is synthesized and validated the way `cdk8s synth` does
 * THEN the report passes or fails on error findings, with construct-aware violations.
 */
let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-plugin-'));
  // the plugin package: what `npm install cdk8s-superlatch` would put there, pointing at this checkout's
  // sources (src/rules/index.ts, which the package entry point re-exports)
  const plugin = path.join(project, 'plugin');
  fs.mkdirSync(plugin);
  fs.writeFileSync(path.join(plugin, 'package.json'), JSON.stringify({ name: 'cdk8s-superlatch', version: '0.0.0', main: 'index.js' }));
  fs.writeFileSync(path.join(plugin, 'index.js'), `module.exports = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'rules', 'index.ts'))});\n`);
  fs.writeFileSync(path.join(project, 'cdk8s.yaml'), [
    'app: node main.js',
    'validations:',
    `  - package: .${path.sep}plugin`,
    '    version: 0.0.0',
    '    class: SuperlatchValidation',
    '    properties:',
    '      pack: restricted',
    '',
  ].join('\n'));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function synth(set: any[]): string {
  const outdir = path.join(project, 'dist');
  const app = Testing.app({ outdir, recordConstructMetadata: true });
  chartOf(set, app);
  app.synth();
  return outdir;
}

test('a hardened app passes', async () => {
  const [report] = await validateLikeCdk8sCli(project, synth(compliantSet()));
  expect(report.success).toBe(true);
  expect(report.toJson().summary).toEqual({
    status: 'success',
    plugin: 'cdk8s-superlatch',
    version: '0.0.0',
    metadata: { pack: 'restricted', errors: '0', warnings: '0', acknowledged: '0' },
  });
  expect(report.violations).toEqual([]);
});

test('error findings fail the report; each violation names rule, resource, manifest, locations, construct and fix', async () => {
  const set = compliantSet();
  ctr(set, 'web', 'app').securityContext.readOnlyRootFilesystem = false;
  ctr(set, 'web', 'latch-agent').securityContext.readOnlyRootFilesystem = false;
  const outdir = synth(set);
  const [report] = await validateLikeCdk8sCli(project, outdir);
  expect(report.success).toBe(false);
  expect(report.violations).toEqual([{
    ruleName: 'SL-HARD-5 [error] Containers have a read-only root filesystem',
    recommendation: "Deployment web: container 'app' has a writable root filesystem; Deployment web: container 'latch-agent' has a writable root filesystem",
    fix: expect.stringContaining('readOnlyRootFilesystem: true'),
    violatingConstructs: [{
      resourceName: 'web',
      manifestPath: path.join(outdir, 'shop.k8s.yaml'),
      locations: [
        'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
        'spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem',
      ],
      constructPath: expect.stringMatching(/^shop\/web\//),
    }],
  }]);
});

test('warnings are reported as violations but do not fail the report', async () => {
  const set = compliantSet();
  set.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'web').spec.ingress = [{}];
  const [report] = await validateLikeCdk8sCli(project, synth(set));
  expect(report.success).toBe(true);
  expect(report.violations.map((v) => v.ruleName)).toEqual(['SL-NET-4 [warning] NetworkPolicy rules name their peers (no allow-all, no 0.0.0.0/0)']);
});

test('the pack comes from the plugin properties; an unknown one fails loading', async () => {
  fs.writeFileSync(path.join(project, 'cdk8s.yaml'), fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf-8').replace('pack: restricted', 'pack: strict'));
  await expect(validateLikeCdk8sCli(project, synth(compliantSet()))).rejects.toThrow(/Unknown rule pack 'strict'/);
});

test('manifests that cannot be read fail the validation, each named with its file and line', async () => {
  const outdir = synth(compliantSet());
  const bad = path.join(outdir, 'zz-bad.k8s.yaml');
  fs.writeFileSync(bad, 'kind: Pod\n\tname: x\n');
  await expect(validateLikeCdk8sCli(project, outdir)).rejects.toThrow(
    `superlatch: cannot validate the synthesized manifests:\n${bad}:2: invalid YAML: tab characters must not be used in indentation`,
  );
});
