import { Testing } from 'cdk8s';
import { compliantSet } from './support/fixtures';
import { PackName, ReferenceFramework, Rule, RuleAcknowledgements, RuleCatalog, RulePack, RuleResult, RuleSeverity } from '../../src/rules';
import { compareRuleIds } from '../../src/rules/registry';

/** Pins each pack: adding a rule or changing a severity must show up in review. */
function inventory(pack: RulePack): string[] {
  return pack.rules.map((r) => `${r.id} ${r.severity}`);
}

test('baseline = PSS baseline v1.27 to v1.36 (SL-PSS-18 from v1.34)', () => {
  expect(inventory(RulePack.baseline())).toEqual([
    'SL-PSS-1 error', 'SL-PSS-2 error', 'SL-PSS-3 error', 'SL-PSS-4 error', 'SL-PSS-5 error', 'SL-PSS-6 error',
    'SL-PSS-7 error', 'SL-PSS-8 error', 'SL-PSS-9 error', 'SL-PSS-10 error', 'SL-PSS-11 error', 'SL-PSS-18 error',
  ]);
});

const PSS_RESTRICTED = [
  'SL-PSS-1 error', 'SL-PSS-2 error', 'SL-PSS-5 error', 'SL-PSS-6 error', 'SL-PSS-7 error', 'SL-PSS-8 error',
  'SL-PSS-10 error', 'SL-PSS-11 error', 'SL-PSS-12 error', 'SL-PSS-13 error', 'SL-PSS-14 error', 'SL-PSS-15 error',
  'SL-PSS-16 error', 'SL-PSS-17 error', 'SL-PSS-18 error', 'SL-PSS-19 error',
];

test('pss-restricted = PSS restricted v1.27 to v1.36 (overridden baseline twins SL-PSS-3, -4, -9 left out; SL-PSS-19 replaces SL-PSS-8 from v1.35)', () => {
  expect(inventory(RulePack.pssRestricted())).toEqual(PSS_RESTRICTED);
});

test('restricted (default) = PSS restricted + hardened profile + network coverage', () => {
  expect(inventory(RulePack.restricted())).toEqual([
    ...PSS_RESTRICTED,
    'SL-HARD-1 warning', 'SL-HARD-2 error', 'SL-HARD-3 warning', 'SL-HARD-4 warning', 'SL-HARD-5 error',
    'SL-HARD-6 warning', 'SL-HARD-7 warning', 'SL-HARD-8 warning', 'SL-HARD-9 warning', 'SL-HARD-10 error',
    'SL-HARD-11 warning', 'SL-HARD-12 warning', 'SL-HARD-13 error', 'SL-HARD-14 warning', 'SL-HARD-15 error',
    'SL-HARD-16 warning', 'SL-HARD-17 warning', 'SL-HARD-18 warning', 'SL-HARD-19 warning', 'SL-HARD-20 warning',
    'SL-HARD-21 error', 'SL-HARD-22 warning', 'SL-HARD-23 error', 'SL-HARD-24 error', 'SL-HARD-25 error',
    'SL-HARD-26 error', 'SL-HARD-27 error',
    'SL-NET-1 error', 'SL-NET-2 error', 'SL-NET-3 warning', 'SL-NET-4 warning', 'SL-NET-5 warning',
  ]);
});

test('latch = the latch invariants + no literal secrets', () => {
  expect(inventory(RulePack.latch())).toEqual([
    'SL-HARD-23 error',
    'SL-LATCH-1 error', 'SL-LATCH-2 error', 'SL-LATCH-3 error', 'SL-LATCH-4 error', 'SL-LATCH-5 error',
    'SL-LATCH-6 error', 'SL-LATCH-7 error', 'SL-LATCH-8 warning', 'SL-LATCH-9 error', 'SL-LATCH-10 error', 'SL-LATCH-11 error', 'SL-LATCH-12 error',
  ]);
});

test('packs are found by name; unknown names list the valid ones', () => {
  expect(RulePack.names()).toEqual([PackName.RESTRICTED, PackName.BASELINE, PackName.PSS_RESTRICTED, PackName.LATCH]);
  for (const name of RulePack.names()) expect(RulePack.fromName(name).name).toBe(name);
  expect(() => RulePack.fromName('strict')).toThrow(/Unknown rule pack 'strict': use one of restricted, baseline, pss-restricted, latch/);
});

test('every built-in rule is in at least one pack, has metadata and references', () => {
  const inPacks = new Set(RulePack.names().flatMap((n) => RulePack.fromName(n).rules.map((r) => r.id)));
  for (const rule of RuleCatalog.all()) {
    expect(inPacks.has(rule.id)).toBe(true);
    expect(rule.id).toMatch(/^SL-(PSS|HARD|NET|LATCH)-\d+$/);
    expect(rule.references.length).toBeGreaterThan(0);
  }
  expect(RuleCatalog.all()).toHaveLength(63);
});

test('RuleCatalog.get finds rules and rejects unknown ids', () => {
  expect(RuleCatalog.get('SL-PSS-14').title).toBe('Pods must run as non-root');
  expect(() => RuleCatalog.get('SL-PSS-99')).toThrow(/Unknown rule id 'SL-PSS-99'/);
});

describe('custom rules and packs', () => {
  /** A user's own rule: every Deployment names an owner label. */
  class OwnerLabel extends Rule {
    constructor() {
      super({
        id: 'ACME-META-1',
        title: 'Deployments carry an owner label',
        severity: RuleSeverity.WARNING,
        rationale: 'On-call needs to know whom to page.',
        remediation: 'Add metadata.labels.owner.',
        references: [{ framework: ReferenceFramework.DESIGN, id: 'acme-ops' }],
      });
    }

    public check(manifests: any[]): RuleResult {
      const deployments = manifests.map((m, i) => ({ m, i })).filter(({ m }) => m.kind === 'Deployment');
      if (deployments.length === 0) return RuleResult.notApplicable();
      const findings = deployments.filter(({ m }) => !m.metadata?.labels?.owner)
        .map(({ i }) => ({ objectIndex: i, path: 'metadata.labels.owner', message: 'no owner label' }));
      return findings.length ? RuleResult.nonCompliant(findings) : RuleResult.compliant();
    }
  }

  test('run next to built-in rules, in id order, and become acknowledgeable', () => {
    const pack = RulePack.custom('acme', [new OwnerLabel(), RuleCatalog.get('SL-PSS-1')]);
    expect(pack.rules.map((r) => r.id)).toEqual(['SL-PSS-1', 'ACME-META-1']);
    const set = compliantSet();
    const report = pack.evaluate(set);
    expect(report.warnings.map((f) => `${f.ruleId} ${f.kind}/${f.name}`)).toEqual(['ACME-META-1 Deployment/api', 'ACME-META-1 Deployment/door-hub', 'ACME-META-1 Deployment/web']);
    expect(() => RuleAcknowledgements.acknowledgeRule(Testing.chart(), 'ACME-META-1', 'owners are tracked in the CMDB')).not.toThrow();
  });

  test('invalid definitions are rejected with the fix', () => {
    expect(() => RulePack.custom('Acme Pack', [])).toThrow(/must be lower-case letters, digits and dashes/);
    expect(() => RulePack.custom('dup', [new OwnerLabel(), new OwnerLabel()])).toThrow(/lists rule ACME-META-1 twice/);
    expect(() => RuleResult.nonCompliant([])).toThrow(/pass at least one finding/);
    class Unnamed extends Rule {
      constructor() {
        super({ id: 'acme rule', title: 't', severity: RuleSeverity.ERROR, rationale: 'r', remediation: 'f' });
      }
      public check(): RuleResult {
        return RuleResult.compliant();
      }
    }
    expect(() => new Unnamed()).toThrow(/Rule id 'acme rule' is invalid: use upper-case words and a number, e.g. 'SL-NET-3' or 'ACME-IMG-1'/);
    expect(() => RulePack.custom('steal', [Object.assign(new OwnerLabel(), { id: 'SL-PSS-1' })])).toThrow(/belongs to a built-in rule/);
  });
});

test('rule ids sort by area (PSS, HARD, NET, LATCH), then custom prefixes, each naturally', () => {
  const ids = ['ACME-IMG-1', 'SL-LATCH-10', 'SL-NET-2', 'SL-LATCH-2', 'SL-HARD-1', 'SL-PSS-10', 'SL-PSS-2', 'AAA-X-1'];
  expect([...ids].sort(compareRuleIds)).toEqual(['SL-PSS-2', 'SL-PSS-10', 'SL-HARD-1', 'SL-NET-2', 'SL-LATCH-2', 'SL-LATCH-10', 'AAA-X-1', 'ACME-IMG-1']);
});
