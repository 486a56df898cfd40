/**
 * Independent judges for synthesized manifests (DESIGN.md §6), all offline:
 *
 * - `schema`: the Kubernetes 1.27 schema (kubernetes-models 4.4.2), plus unknown fields, removed APIs and
 *   unknown kinds; custom resources are listed in `notValidated`, never silently passed.
 * - `monokle`: @monokle/validation 0.33.0, Pod Security Standards (PSS1xx baseline, PSS2xx restricted)
 *   and practices (KBPxxx), every rule enabled.
 * - `polaris`: every Polaris check of `test/fixtures/polaris-checks/`, with Polaris's target semantics.
 *
 * @example
 * import { Testing } from 'cdk8s';
 * import { judge, expectNoFindings } from '../judges';
 *
 * const manifests = Testing.synth(chart);
 * const report = await judge(manifests);
 * await expectNoFindings(manifests, {
 *   exemptions: [{ judge: 'polaris', id: 'priorityClassNotSet', objectName: 'web', reason: 'the cluster sets a default PriorityClass' }],
 * });
 */
import { runMonokleJudge } from './monokle-judge';
import { describeRef, jsonClone } from './objects';
import { runPolarisJudge } from './polaris-judge';
import { runSchemaJudge } from './schema-judge';
import { ExemptedFinding, Exemption, Finding, JUDGE_NAMES, JudgeName, JudgeOptions, JudgeReport, Manifest } from './types';

export * from './types';
export { MONOKLE_RULE_IDS } from './monokle-judge';
export { polarisChecks, runPolarisJudge } from './polaris-judge';
export { validatedKinds } from './schema-judge';

/** Minimum length of an exemption's reason. */
export const MIN_REASON_LENGTH = 10;

/** The id under which not-validated objects (custom resources) can be exempted from the schema judge. */
export const NOT_VALIDATED_ID = 'not-validated';

function checkExemptions(exemptions: readonly Exemption[]): void {
  for (const e of exemptions) {
    if (!JUDGE_NAMES.includes(e.judge)) {
      throw new Error(`Exemption ${JSON.stringify(e)}: judge must be one of ${JUDGE_NAMES.join(', ')}`);
    }
    if (typeof e.id !== 'string' || e.id.trim() === '') {
      throw new Error(`Exemption ${JSON.stringify(e)}: id is required`);
    }
    if (typeof e.reason !== 'string' || e.reason.trim().length < MIN_REASON_LENGTH) {
      throw new Error(`Exemption ${JSON.stringify(e)}: reason must explain the exception in at least ${MIN_REASON_LENGTH} characters`);
    }
  }
}

function matches(e: Exemption, f: Finding): boolean {
  return e.judge === f.judge && e.id === f.id && (e.objectName === undefined || e.objectName === f.object.name);
}

/**
 * Runs the judges over synthesized manifests.
 *
 * @param manifests the objects of a chart, e.g. `Testing.synth(chart)` (not modified)
 * @param options exemptions and the judges to run
 * @returns every finding per judge; exempted findings are moved to `exempted`
 * @throws if an exemption is malformed, or a judge cannot run (missing Polaris checks, Monokle runner failure)
 */
export async function judge(manifests: readonly Manifest[], options: JudgeOptions = {}): Promise<JudgeReport> {
  const exemptions = options.exemptions ?? [];
  checkExemptions(exemptions);
  const run = new Set<JudgeName>(options.judges ?? JUDGE_NAMES);
  const objects = jsonClone(manifests.filter((m) => m !== null && m !== undefined));

  const monokle = run.has('monokle') ? runMonokleJudge(objects) : undefined;
  const version = options.kubernetesVersion ?? '1.27';
  const schema = run.has('schema') ? runSchemaJudge(objects, version) : { findings: [], notValidated: [] };
  const polaris = run.has('polaris') ? runPolarisJudge(objects, { kubernetesVersion: version }) : [];
  const monokleFindings = monokle ? (await monokle).findings : [];

  const used = new Set<Exemption>();
  const exempted: ExemptedFinding[] = [];
  const keep = (finding: Finding): boolean => {
    const exemption = exemptions.find((e) => matches(e, finding));
    if (!exemption) return true;
    used.add(exemption);
    exempted.push({ finding, exemption });
    return false;
  };

  const notValidated = schema.notValidated
    .filter((object) => keep({ judge: 'schema', id: NOT_VALIDATED_ID, message: 'no schema to validate this object against', object }))
    .map(describeRef);
  return {
    schema: schema.findings.filter(keep),
    monokle: monokleFindings.filter(keep),
    polaris: polaris.filter(keep),
    notValidated,
    exempted,
    unusedExemptions: exemptions.filter((e) => !used.has(e)),
  };
}

/** True when the report has no finding, no not-validated object and no unused exemption. */
export function isClean(report: JudgeReport): boolean {
  return report.schema.length === 0 && report.monokle.length === 0 && report.polaris.length === 0
    && report.notValidated.length === 0 && report.unusedExemptions.length === 0;
}

function formatFinding(f: Finding): string {
  const where = [f.path, f.container ? `container "${f.container}"` : undefined].filter(Boolean).join(', ');
  const severity = f.severity ? ` [${f.severity}]` : '';
  return `  - ${f.id}${severity} ${describeRef(f.object)}${where ? ` (${where})` : ''}: ${f.message}`;
}

function formatExemption(e: Exemption): string {
  return `${e.judge}/${e.id}${e.objectName ? ` on "${e.objectName}"` : ''}: ${e.reason}`;
}

/** A readable, multi-line rendering of a report (every finding, every exemption). */
export function formatReport(report: JudgeReport): string {
  const lines: string[] = [];
  for (const name of JUDGE_NAMES) {
    const findings = report[name];
    if (findings.length === 0) continue;
    lines.push(`${name}: ${findings.length} finding(s)`);
    lines.push(...findings.map(formatFinding));
  }
  if (report.notValidated.length > 0) {
    lines.push(`not validated (no schema; exempt with { judge: 'schema', id: '${NOT_VALIDATED_ID}' } if intended): ${report.notValidated.length}`);
    lines.push(...report.notValidated.map((entry) => `  - ${entry}`));
  }
  if (report.unusedExemptions.length > 0) {
    lines.push(`unused exemptions (stale or mistyped): ${report.unusedExemptions.length}`);
    lines.push(...report.unusedExemptions.map((e) => `  - ${formatExemption(e)}`));
  }
  if (report.exempted.length > 0) {
    lines.push(`exempted: ${report.exempted.length}`);
    lines.push(...report.exempted.map(({ finding, exemption }) =>
      `  - ${finding.judge}/${finding.id} ${describeRef(finding.object)}${finding.path ? ` (${finding.path})` : ''} -- reason: ${exemption.reason}`));
  }
  return lines.join('\n');
}

/**
 * Jest assertion: fails, printing every finding and every exemption with its reason, unless all judges
 * are satisfied (no finding, no not-validated object, no unused exemption).
 *
 * @returns the report, for further assertions
 */
export async function expectNoFindings(manifests: readonly Manifest[], options: JudgeOptions = {}): Promise<JudgeReport> {
  const report = await judge(manifests, options);
  if (!isClean(report)) {
    throw new Error(`The judges are not satisfied:\n${formatReport(report)}`);
  }
  return report;
}
