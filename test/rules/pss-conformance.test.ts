import * as fs from 'fs';
import * as path from 'path';
import { ReferenceFramework, RulePack } from '../../src/rules';
import { loadManifests } from '../../src/rules/internal/loader';

/**
 * Conformance with upstream pod-security-admission (policy v1.27): every
 * fixture gets the expected verdict at its level, and a failing fixture fails
 * (at least) the rule that implements the targeted check.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'psa-fixtures');
const index = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'index.json'), 'utf-8'));

/**
 * Fixtures that upstream also rejects for a second check (their pods break two
 * checks at once): the extra PSS checks we must report as well.
 */
const ALSO_FAILS: { [file: string]: string[] } = {
  'baseline-fail-windowsHostProcess-0.yaml': ['hostNamespaces'],
  'baseline-fail-windowsHostProcess-1.yaml': ['hostNamespaces'],
  'restricted-fail-windowsHostProcess-0.yaml': ['hostNamespaces'],
  'restricted-fail-windowsHostProcess-1.yaml': ['hostNamespaces'],
  'restricted-fail-privileged-0.yaml': ['allowPrivilegeEscalation'],
  'restricted-fail-privileged-1.yaml': ['allowPrivilegeEscalation'],
  'restricted-fail-allowPrivilegeEscalation-3.yaml': ['capabilities_restricted'],
};

const packs: { [level: string]: RulePack } = { baseline: RulePack.baseline(), restricted: RulePack.pssRestricted() };

/** The PSS check ids a rule implements (a restricted rule also implements the baseline twin it replaces). */
function pssChecks(pack: RulePack, ruleId: string): string[] {
  return pack.rules.find((r) => r.id === ruleId)!.references.filter((r) => r.framework === ReferenceFramework.PSS).map((r) => r.id);
}

/** The check a rule is mapped to first: its own PSS check id. */
function ownCheck(pack: RulePack, ruleId: string): string {
  return pssChecks(pack, ruleId)[0];
}

test('the suite holds the 126 upstream fixtures', () => {
  expect(index.files).toHaveLength(126);
});

describe.each(index.files.map((f: any) => [f.file, f]) as Array<[string, any]>)('%s', (_file, f) => {
  test(`${f.expected} at ${f.level} (${f.check})`, () => {
    // GIVEN the upstream fixture  WHEN the PSS pack of its level runs
    const pack = packs[f.level];
    const report = pack.evaluate(loadManifests([path.join(FIXTURES, f.file)]).objects);
    const failing = [...new Set(report.errors.map((e) => e.ruleId))];
    if (f.expected === 'pass') {
      // THEN it is allowed
      expect(report.errors).toEqual([]);
      return;
    }
    // THEN it is denied, by the rule implementing the targeted check
    // (at restricted, capabilities_restricted, restrictedVolumes and seccompProfile_restricted replace their baseline twins)
    const targeted = failing.filter((id) => pssChecks(pack, id).includes(f.check));
    expect(targeted).toHaveLength(1);
    // AND by no other rule than the checks the fixture also breaks upstream
    const others = failing.filter((id) => !targeted.includes(id)).map((id) => ownCheck(pack, id)).sort();
    expect(others).toEqual((ALSO_FAILS[f.file] ?? []).sort());
  });
});
