/**
 * The checks of the hardened profile: the profile only fixes; what it cannot
 * fix (a weaker value the workload chose) is found by the rules of
 * `PROFILE_RULES`, the same objects the packs, the audit CLI and the docs use,
 * run on the fixed manifest of one workload. A finding that one of the
 * profile's relaxations lifts (the rule's `relaxedBy`, never on the latch's own
 * containers; see `relaxationCovering`) is accepted; every other one is a refusal.
 */
import { ResolvedProfile } from './hardening-profile';
import { RelaxationName, relaxationCall } from './relaxation';
import { WorkloadUnderHardening } from './workload';
import { specOf, withinPack } from '../rules/internal/define';
import { latchContainerNames } from '../rules/internal/latch';
import { arr, ContainerRef, obj } from '../rules/internal/manifests';
import { PROFILE_RULES } from '../rules/registry';
import { containerAt, relaxationCovering } from '../rules/relaxations';
import { Rule, RuleContext, RuleFinding } from '../rules/rule';

/** The rules that another rule of the list replaces from a version on (SL-PSS-8 by SL-PSS-19). */
const REPLACED = new Set(PROFILE_RULES.map((r) => specOf(r)?.replaces?.rule).filter((r) => r !== undefined));

/**
 * The refusals of the profile for fixed workload manifests, by workload, each
 * `<path>: [<rule id>] <finding>. Fix: <remediation>[, or add <relaxation>]`;
 * one per field (the first rule of the list that finds it), none on a field
 * that already has a construction error. The workloads of one hardening pass
 * are judged together: the rules index the list once (ManifestSet) and run
 * once, each workload at its own target and with its own profile's relaxations.
 */
export function profileRefusals(workloads: readonly WorkloadUnderHardening[]): string[][] {
  const out = workloads.map((): string[] => []);
  if (workloads.length === 0) return out;
  const manifests = workloads.map((w) => w.obj);
  const context = RuleContext.perObject(workloads.map((w) => w.target));
  const seen = workloads.map((w) => new Set(w.refusedPaths));
  for (const rule of PROFILE_RULES) {
    const checked = rule.check(manifests, context);
    const result = REPLACED.has(rule) ? withinPack(rule, checked, PROFILE_RULES, manifests, context) : checked;
    for (const f of result.findings) {
      const w = workloads[f.objectIndex];
      if (seen[f.objectIndex].has(f.path) || relaxationCovering(rule, f, manifests, w.profile.relaxations)) continue;
      seen[f.objectIndex].add(f.path);
      out[f.objectIndex].push(refusalOf(rule, f, containerAt(manifests, f), w.profile));
    }
  }
  return out;
}

/**
 * The refusal text of a finding: the rule's message and remediation, and the
 * relaxation that would lift it: the rule's first (narrowest) one, never for
 * the latch's own containers; for capabilities, those the profile does not add yet.
 */
export function refusalOf(rule: Rule, f: RuleFinding, c: ContainerRef | undefined, profile: ResolvedProfile): string {
  const remedy = rule.remediation.trim().replace(/\.$/, '');
  const relaxation = rule.relaxedBy[0];
  let fix = remedy;
  if (relaxation !== undefined && c !== undefined && latchContainerNames(c.pod).has(c.name)) {
    fix = `${remedy} (the latch's own containers take no relaxation)`;
  } else if (relaxation === RelaxationName.ADD_CAPABILITIES && c !== undefined) {
    const missing = arr(obj(c.sc.capabilities).add).filter((cap) => !profile.addCapabilities.includes(cap));
    fix = `${remedy}, or add Relaxation.addCapabilities([${missing.map((cap) => `'${cap}'`).join(', ')}], reason)`;
  } else if (relaxation !== undefined) {
    fix = `${remedy}, or add ${relaxationCall(relaxation)}`;
  }
  return `${f.path}: [${rule.id}] ${f.message}. Fix: ${fix}`;
}
