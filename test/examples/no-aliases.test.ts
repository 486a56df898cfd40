/**
 * Every example's final manifests hold no value twice (the same object or array
 * in two places), so the YAML cdk8s writes has no anchors or aliases: each field
 * reads where it is, in the GitOps diff too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { sharedValues } from '../util';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const names = fs.readdirSync(EXAMPLES).filter((n) => fs.existsSync(path.join(EXAMPLES, n, 'main.ts'))).sort();

test('the examples are all here', () => {
  expect(names).toEqual(expect.arrayContaining(['hardened-web', 'platform-guardrails', 'superlatch-hub', 'superlatch-native-sidecar', 'superlatch-sidecar']));
});

test.each(names)('%s: no value appears twice, so no YAML alias', (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(EXAMPLES, name, 'main'));
  const app = buildApp(Testing.app().outdir);
  const manifests = app.charts.flatMap((c: any) => c.toJson());
  expect(sharedValues(manifests)).toEqual([]);
  expect(app.synthYaml()).not.toMatch(/(^|\s)[&*]a\d+(\s|$)/m);
});

test('the check finds a shared value', () => {
  const command = ['node', 'main.js'];
  expect(sharedValues([{ kind: 'Pod', spec: { containers: [{ command }, { command }] } }])).toEqual(['Pod#0.spec.containers[1].command is Pod#0.spec.containers[0].command']);
});
