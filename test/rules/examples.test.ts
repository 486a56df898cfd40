import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { RulePack, RuleStatus } from '../../src/rules';

/** Every example of the repository passes the restricted and latch packs with zero error findings. */
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const names = fs.readdirSync(EXAMPLES).filter((n) => fs.existsSync(path.join(EXAMPLES, n, 'main.ts'))).sort();

function manifestsOf(name: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(EXAMPLES, name, 'main')) as { buildApp: (outdir: string) => App };
  return buildApp(Testing.app().outdir).charts.flatMap((c) => c.toJson());
}

test('the repository has examples to check', () => {
  expect(names.length).toBeGreaterThanOrEqual(3);
});

describe.each(names)('example %s', (name) => {
  const manifests = manifestsOf(name);

  test.each(['restricted', 'latch'])('has zero error findings in the %s pack', (pack) => {
    const report = RulePack.fromName(pack).evaluate(manifests);
    expect(report.errors.map((f) => `${f.ruleId} ${f.kind}/${f.name} ${f.path}`)).toEqual([]);
  });
});

test.each([
  ['superlatch-sidecar', ['SL-LATCH-1', 'SL-LATCH-2', 'SL-LATCH-3', 'SL-LATCH-4', 'SL-LATCH-8']],
  ['superlatch-hub', ['SL-LATCH-1', 'SL-LATCH-2', 'SL-LATCH-3', 'SL-LATCH-5', 'SL-LATCH-6', 'SL-LATCH-7', 'SL-LATCH-8']],
])('the latch rules really apply to %s (compliant, not vacuously not-applicable)', (name, ids) => {
  const report = RulePack.latch().evaluate(manifestsOf(name));
  for (const id of ids) expect([id, report.statusOf(id)]).toEqual([id, RuleStatus.COMPLIANT]);
});
