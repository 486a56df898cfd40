import * as fs from 'fs';
import * as path from 'path';
import { ReferenceFramework, RulePack } from '../../src/rules';
import { loadManifests } from '../../src/rules/internal/loader';
import { KubernetesVersion } from '../../src/target/kubernetes-version';

/**
 * Conformance with upstream pod-security-admission, policy v1.27 to v1.36:
 * every fixture of version v1.N gets the expected verdict at its level when
 * judged at v1.N, and a failing fixture fails (at least) the rule that
 * implements the targeted check.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'psa-fixtures');
const index = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'index.json'), 'utf-8'));

/** Files per version and level/outcome, as vendored (see SOURCES.md). */
const COUNTS: { [version: string]: [number, number, number, number] } = {
  // baseline pass, baseline fail, restricted pass, restricted fail
  'v1.27': [11, 29, 17, 69],
  'v1.28': [11, 29, 17, 69],
  'v1.29': [11, 29, 19, 69],
  'v1.30': [11, 29, 19, 69],
  'v1.31': [11, 29, 19, 69],
  'v1.32': [11, 29, 19, 69],
  'v1.33': [11, 29, 19, 69],
  'v1.34': [14, 34, 22, 74],
  'v1.35': [15, 34, 23, 76],
  'v1.36': [15, 34, 23, 76],
};

/**
 * Fixtures that upstream also rejects for a second check (their pods break two
 * checks at once): the extra PSS checks we must report as well (same at every version).
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

test('the suite holds the upstream fixtures of every supported version, v1.27 to v1.36: 1332 files', () => {
  expect(Object.keys(COUNTS)).toEqual(KubernetesVersion.all().map((v) => v.name));
  expect(index.files).toHaveLength(1332);
  for (const [version, [bp, bf, rp, rf]] of Object.entries(COUNTS)) {
    const count = (level: string, expected: string) =>
      index.files.filter((f: any) => f.version === version && f.level === level && f.expected === expected).length;
    expect([count('baseline', 'pass'), count('baseline', 'fail'), count('restricted', 'pass'), count('restricted', 'fail')]).toEqual([bp, bf, rp, rf]);
    expect(fs.readdirSync(path.join(FIXTURES, version)).filter((f) => f.endsWith('.yaml'))).toHaveLength(bp + bf + rp + rf);
  }
});

describe.each(Object.keys(COUNTS))('policy %s', (version) => {
  const files = index.files.filter((f: any) => f.version === version);
  const at = KubernetesVersion.of(version);

  test.each(files.map((f: any) => [path.basename(f.file), f]) as Array<[string, any]>)('%s', (file, f) => {
    // GIVEN the upstream fixture  WHEN the PSS pack of its level runs at the fixture's version
    const pack = packs[f.level];
    const report = pack.evaluate(loadManifests([path.join(FIXTURES, f.file)]).objects, { kubernetesVersion: at });
    const failing = [...new Set(report.errors.map((e) => e.ruleId))];
    if (f.expected === 'pass') {
      // THEN it is allowed
      expect(report.errors).toEqual([]);
      return;
    }
    // THEN it is denied, by the rule implementing the targeted check
    // (at restricted, capabilities_restricted, restrictedVolumes, seccompProfile_restricted and,
    // from v1.35, procMount_restricted replace their baseline twins)
    const targeted = failing.filter((id) => pssChecks(pack, id).includes(f.check));
    expect(targeted).toHaveLength(1);
    // AND by no other rule than the checks the fixture also breaks upstream
    const others = failing.filter((id) => !targeted.includes(id)).map((id) => ownCheck(pack, id)).sort();
    expect(others).toEqual((ALSO_FAILS[file] ?? []).sort());
  });
});
