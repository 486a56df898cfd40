import { ManifestSet, PodRef } from './manifests';
import { KubernetesVersion } from '../../target/kubernetes-version';
import { Rule, RuleContext, RuleFinding, RuleProps, RuleResult, RuleStatus } from '../rule';

/** The check of a built-in rule: findings, or undefined when nothing in the set is relevant. */
export type CheckFn = (set: ManifestSet, context: RuleContext) => RuleFinding[] | undefined;

/** What changes in a rule at one Kubernetes (policy) version, for the docs. */
export interface VersionChange {
  readonly version: KubernetesVersion;
  /** One sentence: what the rule checks differently from this version on. */
  readonly change: string;
}

/** A rule that takes the place of another one of the same pack from a version on (upstream's `OverrideCheckIDs`). */
export interface Replacement {
  /** The rule replaced (on objects at `from` or newer, when both rules are in the pack). */
  readonly rule: Rule;
  readonly from: KubernetesVersion;
}

/** Metadata plus check of a built-in rule (one per file under src/rules/<area>/). */
export interface RuleSpec extends RuleProps {
  readonly check: CheckFn;
  /**
   * The first version the rule applies at: objects that target an older one are not judged by it
   * (and the rule is not applicable when no pod template targets `since` or newer).
   * @default - every version
   */
  readonly since?: KubernetesVersion;
  /**
   * The rule it replaces in a pack that holds both, from a version on.
   * @default - none
   */
  readonly replaces?: Replacement;
  /**
   * What the rule checks differently at newer versions, oldest first (the docs list them).
   * @default - the same at every version
   */
  readonly versionChanges?: VersionChange[];
}

class BuiltInRule extends Rule {
  public readonly spec: RuleSpec;

  constructor(spec: RuleSpec) {
    super(spec);
    this.spec = spec;
  }

  public check(manifests: any[], context: RuleContext = RuleContext.at(KubernetesVersion.DEFAULT)): RuleResult {
    const set = ManifestSet.of(manifests);
    const since = this.spec.since;
    const judged = (index: number) => since === undefined || context.versionOf(index).isAtLeast(since);
    if (since !== undefined && !set.pods.some((p) => judged(p.ref.index))) return RuleResult.notApplicable();
    const findings = this.spec.check(set, context)?.filter((f) => judged(f.objectIndex));
    if (findings === undefined) return RuleResult.notApplicable();
    return findings.length === 0 ? RuleResult.compliant() : RuleResult.nonCompliant(findings);
  }
}

/** Builds a built-in rule from its spec. */
export function defineRule(spec: RuleSpec): Rule {
  return new BuiltInRule(spec);
}

/** The spec of a built-in rule (undefined for custom rules). */
export function specOf(rule: Rule): RuleSpec | undefined {
  return rule instanceof BuiltInRule ? rule.spec : undefined;
}

/**
 * Drops the findings of `rule` on the objects where another rule of the same
 * pack replaces it (e.g. SL-PSS-19 replaces SL-PSS-8 in the restricted packs
 * from v1.35): the result the rule has in that pack.
 */
export function withinPack(rule: Rule, result: RuleResult, pack: Rule[], manifests: any[], context: RuleContext): RuleResult {
  const replacement = pack.map((r) => specOf(r)?.replaces).find((r) => r?.rule === rule);
  if (!replacement || result.status === RuleStatus.NOT_APPLICABLE) return result;
  const replaced = (index: number) => context.versionOf(index).isAtLeast(replacement.from);
  if (ManifestSet.of(manifests).pods.every((p) => replaced(p.ref.index))) return RuleResult.notApplicable();
  const findings = result.findings.filter((f) => !replaced(f.objectIndex));
  return findings.length === 0 ? RuleResult.compliant() : RuleResult.nonCompliant(findings);
}

/** Pod-template rules: not applicable when the set has no pod templates. */
export function perPod(set: ManifestSet, fn: (pod: PodRef) => RuleFinding[]): RuleFinding[] | undefined {
  if (set.pods.length === 0) return undefined;
  const out: RuleFinding[] = [];
  for (const pod of set.pods) {
    const found = fn(pod);
    for (let i = 0; i < found.length; i++) out.push(found[i]);
  }
  return out;
}

/**
 * The value in force at `version` in a table of values by the version they start at (oldest first):
 * `atVersion([[V1_27, a], [V1_29, b]], V1_30)` is `b`.
 */
export function atVersion<T>(table: ReadonlyArray<readonly [KubernetesVersion, T]>, version: KubernetesVersion): T {
  let value = table[0][1];
  for (const [from, v] of table) if (version.isAtLeast(from)) value = v;
  return value;
}
