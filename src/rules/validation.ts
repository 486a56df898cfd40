import { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { SuperlatchKeys } from '../contract';
import { Acknowledgement, acknowledgementsOf, covers, formatAcknowledgement, parseAcknowledgements } from './acknowledgements';
import { acknowledgementsByObject, evaluate } from './engine';
import type { RulePack } from './pack';
import { AuditFinding, AuditReport, objectLabel } from './report';
import { PipelineRun, SynthesisPipeline } from '../internal/pipeline';
import { ConstructReporter } from '../internal/report';
import { KubernetesTarget } from '../target/kubernetes-version';

/** Options of `RulePack.attachTo()`. */
export interface AttachOptions {
  /**
   * Print warning findings (once each) on stderr during synthesis.
   * @default true
   */
  readonly reportWarnings?: boolean;
}

/** The ApiObjects under a scope, their final manifests, and the pack's report over them. */
interface ScopeEvaluation {
  readonly apiObjects: ApiObject[];
  readonly manifests: any[];
  readonly report: AuditReport;
  /** Acknowledgement entries to write on each object (by index); empty when nothing matched. */
  readonly annotations: string[][];
}

/** The hardening of the app failed: its own validation reports why, and synthesis fails on it. */
export class HardeningFailure extends Error {
  constructor(public readonly errors: string[]) {
    super(`The hardening of the app failed with ${errors.length} error(s):\n  ${errors.join('\n  ')}`);
    this.name = 'HardeningFailure';
  }
}

/**
 * Every ApiObject under `scope` (construct-tree order) and its final manifest:
 * the synthesis pipeline's result, the same that synthesis writes. Throws a
 * `HardeningFailure` when the pipeline found problems: the manifests would not be written.
 */
export function synthesizeScope(scope: IConstruct): { apiObjects: ApiObject[]; manifests: any[] } {
  const run = SynthesisPipeline.of(scope).result();
  if (run.errors.length > 0) throw new HardeningFailure(run.errors);
  const apiObjects = run.objectsUnder(scope);
  return { apiObjects, manifests: apiObjects.map((o) => run.manifests.get(o)) };
}

/**
 * Runs a pack over every ApiObject under `scope`, honouring construct acknowledgements;
 * each object is judged at the `KubernetesTarget` of its chart.
 */
export function evaluateScope(scope: IConstruct, pack: RulePack): ScopeEvaluation {
  const { apiObjects, manifests } = synthesizeScope(scope);
  const constructPaths = apiObjects.map((o) => o.node.path);
  const fromConstructs = apiObjects.map(acknowledgementsOf);
  const ctx = { acknowledgements: fromConstructs, constructPaths, versions: apiObjects.map((o) => KubernetesTarget.of(o)) };
  const report = evaluate(pack.name, pack.rules, manifests, ctx);

  // Which acknowledgement covered each finding, so the annotation lists exactly those.
  const all = acknowledgementsByObject(manifests, ctx);
  const byPath = new Map(constructPaths.map((p, i) => [p, i]));
  const used: Array<Set<Acknowledgement>> = apiObjects.map(() => new Set());
  for (const f of report.acknowledged) {
    const i = byPath.get(f.constructPath!)!;
    const ack = all[i].find((a) => covers(a, f.ruleId, f.path));
    if (ack) used[i].add(ack);
  }
  const annotations = manifests.map((m, i) => {
    if (used[i].size === 0) return [];
    const existing = parseAcknowledgements(m.metadata?.annotations?.[SuperlatchKeys.SUPPRESSIONS_ANNOTATION], constructPaths[i]);
    return [...new Set([...existing, ...used[i]].map(formatAcknowledgement))].sort();
  });
  return { apiObjects, manifests, report, annotations };
}

/** `[RULE] construct (Kind ns/name) path: message. Fix: remediation` (without the construct when cdk8s prints its path). */
export function formatFinding(f: AuditFinding, withConstruct = true): string {
  const where = withConstruct ? f.constructPath ?? f.source : undefined;
  return `[${f.ruleId}] ${where ? `${where} ` : ''}(${objectLabel(f)}) ${f.path}: ${f.message}. Fix: ${f.remediation}`;
}

/**
 * The synth-time validation that `RulePack.attachTo()` adds to a Chart or App.
 *
 * Each run evaluates the final manifests of every ApiObject under the scope,
 * writes acknowledged rules into the `superlatch.io/acknowledged-rules`
 * annotation of the objects concerned, prints new warnings, and returns one
 * message per unacknowledged error (which makes cdk8s throw).
 */
export class PackValidation implements IValidation {
  private readonly printed = new Set<string>();
  private lastReport?: AuditReport;
  /** Each error finding is returned by the validation of the object's construct: its path is printed once. */
  private readonly reporter = new ConstructReporter();
  /** The synthesis the last messages were computed for: cdk8s validates the whole app again for every chart. */
  private lastRun?: PipelineRun;
  private lastMessages: string[] = [];

  constructor(
    private readonly scope: IConstruct,
    /** The pack that runs. */
    public readonly pack: RulePack,
    private readonly options: AttachOptions = {},
  ) {}

  /** The report of the latest run (undefined before synthesis, or while the hardening of the app fails). */
  public get report(): AuditReport | undefined {
    return this.lastReport;
  }

  /** Runs the pack; returns one message per unacknowledged error finding. */
  public validate(): string[] {
    // Within one synthesis (one pipeline run) the manifests, and so the findings,
    // do not change: evaluate them once, not once per chart of the app.
    let run: PipelineRun | undefined;
    try {
      run = SynthesisPipeline.of(this.scope).result();
    } catch {
      run = undefined; // evaluateScope reports it
    }
    if (run && run === this.lastRun) return this.lastMessages;
    this.lastRun = undefined;
    const messages = this.evaluate();
    this.lastRun = run;
    this.lastMessages = messages;
    return messages;
  }

  private evaluate(): string[] {
    let evaluation: ScopeEvaluation;
    try {
      evaluation = evaluateScope(this.scope, this.pack);
    } catch (e) {
      // The hardening's own validation reports its errors and fails the synthesis:
      // judging half-hardened manifests would only add noise.
      this.reporter.report([]);
      if (e instanceof HardeningFailure) return [];
      return [(e as Error).message];
    }
    this.lastReport = evaluation.report;
    // written into this synthesis's final manifests (what is written out)
    evaluation.annotations.forEach((entries, i) => {
      if (entries.length > 0) {
        const metadata = evaluation.manifests[i].metadata ??= {};
        const annotations = { ...(metadata.annotations ?? {}), [SuperlatchKeys.SUPPRESSIONS_ANNOTATION]: entries.join('\n') };
        metadata.annotations = Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    });
    if (this.options.reportWarnings ?? true) {
      for (const w of evaluation.report.warnings) {
        const line = `superlatch ${this.pack.name} warning ${formatFinding(w)}`;
        if (!this.printed.has(line)) {
          this.printed.add(line);
          console.warn(line);
        }
      }
    }
    const byPath = new Map(evaluation.apiObjects.map((o) => [o.node.path, o]));
    const errors = evaluation.report.errors;
    const located = errors.filter((f) => f.constructPath !== undefined && byPath.has(f.constructPath));
    this.reporter.report(located.map((f) => ({ construct: byPath.get(f.constructPath!)!, message: formatFinding(f, false) })));
    return errors.filter((f) => !located.includes(f)).map((f) => formatFinding(f));
  }
}
