import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { stringify } from 'yaml';
import { compliantSet, ctr } from './support/fixtures';
import { main } from '../../src/cli/main';
import { packRules } from '../../src/rules/registry';

/**
 * `superlatch audit --format sarif` against the SARIF 2.1.0 schema (vendored
 * under test/fixtures/sarif/), with rule metadata from the rule objects and
 * results at the lines of their fields.
 */
const SEED = path.join(__dirname, 'fixtures', 'seed-poc.yaml');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf-8'));
const RULES_MD = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'RULES.md'), 'utf-8');

const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(SCHEMA);

function sarif(...argv: string[]): { code: number; log: any } {
  let out = '';
  const code = main(['audit', '--format', 'sarif', ...argv], { out: (t) => { out += t; }, err: () => {} });
  return { code, log: JSON.parse(out) };
}

test('the log of the seed PoC validates against the SARIF 2.1.0 schema', () => {
  const { code, log } = sarif(SEED);
  expect(code).toBe(1);
  expect(validate(log)).toBe(true);
  expect(validate.errors ?? []).toEqual([]);
  expect(log.runs[0].results.length).toBeGreaterThan(10);
});

test('the tool lists every rule of the pack, described by the rule object, with help in docs/RULES.md', () => {
  const { log } = sarif('--pack', 'latch', SEED);
  const driver = log.runs[0].tool.driver;
  const rules = packRules('latch');
  expect(driver.rules.map((r: any) => r.id)).toEqual(rules.map((r) => r.id));
  const rule = rules[0];
  expect(driver.rules[0]).toEqual({
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: rule.remediation },
    helpUri: `https://github.com/cdk8s-superlatch/cdk8s-superlatch/blob/main/docs/RULES.md#${rule.id.toLowerCase()}`,
    defaultConfiguration: { level: rule.severity },
  });
  // each anchor is the slug of the rule's heading in the generated page
  for (const r of driver.rules) {
    expect(RULES_MD).toContain(`\n## ${r.id}\n`);
    expect(r.helpUri.endsWith(`#${r.id.toLowerCase()}`)).toBe(true);
  }
});

test('each result points at its rule and at the line of its field', () => {
  const { log } = sarif(SEED);
  const [run] = log.runs;
  for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  // line 13 of the seed is the container that lacks allowPrivilegeEscalation
  const result = run.results.find((r: any) => r.ruleId === 'SL-PSS-13');
  expect(result).toMatchObject({
    level: 'error',
    message: { text: "Pod/superlatch spec.containers[0].securityContext.allowPrivilegeEscalation: container 'latch-master' does not set allowPrivilegeEscalation to false" },
    locations: [{
      physicalLocation: { artifactLocation: { uri: `file://${SEED}` }, region: { startLine: 13 } },
      logicalLocations: [{ name: 'superlatch', fullyQualifiedName: 'Pod/superlatch', kind: 'resource' }],
    }],
  });
});

describe('in a folder', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-sarif-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('relative paths stay relative references, and acknowledged findings are suppressed with their reason', () => {
    // GIVEN a tag-only image acknowledged in the manifest, in a folder given by a relative path
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    set[4].metadata.annotations = { 'superlatch.io/acknowledged-rules': 'SL-HARD-15: the mirror rewrites tags to digests' };
    fs.mkdirSync(path.join(dir, 'my manifests'));
    fs.writeFileSync(path.join(dir, 'my manifests', 'm.yaml'), set.map((o) => stringify(o)).join('---\n'));
    const cwd = process.cwd();
    process.chdir(dir);
    let log: any;
    try {
      ({ log } = sarif('my manifests'));
    } finally {
      process.chdir(cwd);
    }
    // THEN the log validates, the location is relative and the result carries the suppression
    expect(validate(log)).toBe(true);
    const [result] = log.runs[0].results;
    expect(result.ruleId).toBe('SL-HARD-15');
    expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'my%20manifests/m.yaml' });
    expect(result.suppressions).toEqual([{ kind: 'inSource', justification: 'the mirror rewrites tags to digests' }]);
  });
});
