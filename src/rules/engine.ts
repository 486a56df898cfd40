import { SuperlatchKeys } from '../contract';
import { Acknowledgement, covers, parseAcknowledgements } from './acknowledgements';
import { withinPack } from './internal/define';
import { relaxationCovering, relaxationsByObject } from './relaxations';
import { AuditFinding, AuditReport, RuleOutcome } from './report';
import { Rule, RuleContext, RuleResult } from './rule';
import { KubernetesVersion } from '../target/kubernetes-version';

/** The file an object was read from, and where its fields are in it. */
export interface ObjectSource {
  readonly file: string;
  /** 1-based line of the field at a JSON path (`''` for the object), or of its nearest enclosing field that is present. */
  lineOf(path: string): number;
}

/** Where each object came from and what was acknowledged on it (all optional, by object index). */
export interface EvaluationContext {
  /** Acknowledgements from outside the manifest (constructs), by object index. */
  readonly acknowledgements?: Acknowledgement[][];
  /** Construct path, by object index. */
  readonly constructPaths?: string[];
  /** File and lines, by object index. */
  readonly sources?: ObjectSource[];
  /**
   * The Kubernetes (policy) version each object is judged at, by object index
   * (synthesis: the `KubernetesTarget` of each ApiObject).
   */
  readonly versions?: KubernetesVersion[];
  /** The version of objects without one in `versions` (default `KubernetesVersion.DEFAULT`, 1.27). */
  readonly version?: KubernetesVersion;
}

/** The versions of an evaluation context, as the rules see them. */
function ruleContext(ctx: EvaluationContext): RuleContext {
  return RuleContext.perObject(ctx.versions ?? [], ctx.version ?? KubernetesVersion.DEFAULT);
}

/** Runs one rule of a pack; a rule failure names the rule. */
function runRule(rule: Rule, rules: Rule[], manifests: any[], context: RuleContext): RuleResult {
  try {
    return withinPack(rule, rule.check(manifests, context), rules, manifests, context);
  } catch (e) {
    throw new Error(`Rule ${rule.id} failed while checking the manifests: ${(e as Error).message}`);
  }
}

/** `file:line` of an object, or of one of its fields. */
function sourceLine(ctx: EvaluationContext, index: number, path = ''): string | undefined {
  const source = ctx.sources?.[index];
  return source && `${source.file}:${source.lineOf(path)}`;
}

/** Describes an object for messages: `Deployment ns/name` plus its origin. */
export function describeObject(o: any, index: number, ctx: EvaluationContext): string {
  const meta = o?.metadata ?? {};
  const id = `${o?.kind ?? '(no kind)'} ${meta.namespace ? meta.namespace + '/' : ''}${meta.name ?? '(no name)'}`;
  const origin = ctx.constructPaths?.[index] ?? sourceLine(ctx, index);
  return origin ? `${origin} (${id})` : id;
}

/** The acknowledgements that apply to each object: its annotation plus the external ones. */
export function acknowledgementsByObject(manifests: any[], ctx: EvaluationContext): Acknowledgement[][] {
  return manifests.map((o, i) => {
    const annotation = o?.metadata?.annotations?.[SuperlatchKeys.SUPPRESSIONS_ANNOTATION];
    // describing an object looks up its line: only for those that carry the annotation
    const own = annotation === undefined ? [] : parseAcknowledgements(annotation, describeObject(o, i, ctx));
    return [...(ctx.acknowledgements?.[i] ?? []), ...own];
  });
}

/**
 * Runs rules over manifests; findings are located, acknowledged and sorted.
 * A finding is acknowledged by an acknowledgement that covers it or, failing
 * that, by a relaxation recorded on its object that lifts the rule.
 */
export function evaluate(packName: string, rules: Rule[], manifests: any[], ctx: EvaluationContext = {}): AuditReport {
  const acks = acknowledgementsByObject(manifests, ctx);
  const relaxations = relaxationsByObject(manifests, (i) => describeObject(manifests[i], i, ctx));
  const findings: AuditFinding[] = [];
  const outcomes: RuleOutcome[] = [];
  const context = ruleContext(ctx);
  for (const rule of rules) {
    const result = runRule(rule, rules, manifests, context);
    outcomes.push({ ruleId: rule.id, status: result.status, findingCount: result.findings.length });
    for (const f of result.findings) {
      const o = manifests[f.objectIndex];
      const meta = o?.metadata ?? {};
      const ack = (acks[f.objectIndex] ?? []).find((a) => covers(a, rule.id, f.path));
      const relaxation = ack ? undefined : relaxationCovering(rule, f, manifests, relaxations[f.objectIndex] ?? []);
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        title: rule.title,
        remediation: rule.remediation,
        kind: String(o?.kind ?? ''),
        apiVersion: String(o?.apiVersion ?? ''),
        namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined,
        name: String(meta.name ?? ''),
        path: f.path,
        message: f.message,
        acknowledged: ack !== undefined || relaxation !== undefined,
        acknowledgedReason: ack?.reason ?? relaxation?.reason,
        relaxation: relaxation?.name,
        constructPath: ctx.constructPaths?.[f.objectIndex],
        source: sourceLine(ctx, f.objectIndex),
        file: ctx.sources?.[f.objectIndex]?.file,
        line: ctx.sources?.[f.objectIndex]?.lineOf(f.path),
      });
    }
  }
  return new AuditReport(packName, findings, outcomes);
}
