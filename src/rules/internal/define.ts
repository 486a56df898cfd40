import { ManifestSet, PodRef } from './manifests';
import { Rule, RuleFinding, RuleProps, RuleResult } from '../rule';

/** The check of a built-in rule: findings, or undefined when nothing in the set is relevant. */
export type CheckFn = (set: ManifestSet) => RuleFinding[] | undefined;

/** Metadata plus check of a built-in rule (one per file under src/rules/<area>/). */
export interface RuleSpec extends RuleProps {
  readonly check: CheckFn;
}

class BuiltInRule extends Rule {
  private readonly fn: CheckFn;

  constructor(spec: RuleSpec) {
    super(spec);
    this.fn = spec.check;
  }

  public check(manifests: any[]): RuleResult {
    const findings = this.fn(ManifestSet.of(manifests));
    if (findings === undefined) return RuleResult.notApplicable();
    return findings.length === 0 ? RuleResult.compliant() : RuleResult.nonCompliant(findings);
  }
}

/** Builds a built-in rule from its spec. */
export function defineRule(spec: RuleSpec): Rule {
  return new BuiltInRule(spec);
}

/** Pod-template rules: not applicable when the set has no pod templates. */
export function perPod(set: ManifestSet, fn: (pod: PodRef) => RuleFinding[]): RuleFinding[] | undefined {
  if (set.pods.length === 0) return undefined;
  return set.pods.flatMap(fn);
}
