import { compareRuleIds } from './registry';
import { RuleSeverity, RuleStatus } from './rule';
import { RelaxationName } from '../hardening/relaxation';

/** One finding of a pack run, located and explained. */
export interface AuditFinding {
  /** Rule id, e.g. `SL-PSS-14`. */
  readonly ruleId: string;
  /** Severity of the rule. */
  readonly severity: RuleSeverity;
  /** Title of the rule. */
  readonly title: string;
  /** How to fix it. */
  readonly remediation: string;
  /** Kind of the violating object. */
  readonly kind: string;
  /** apiVersion of the violating object. */
  readonly apiVersion: string;
  /**
   * Namespace of the violating object.
   * @default - none (cluster-scoped or unset)
   */
  readonly namespace?: string;
  /** Name of the violating object. */
  readonly name: string;
  /** JSON path inside the object. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** Whether an acknowledgement (with a reason) covers this finding. */
  readonly acknowledged: boolean;
  /**
   * The reason given when acknowledging.
   * @default - not acknowledged
   */
  readonly acknowledgedReason?: string;
  /**
   * The hardening relaxation that acknowledged the finding (its reason is `acknowledgedReason`).
   * @default - none: not acknowledged, or by an acknowledgement
   */
  readonly relaxation?: RelaxationName;
  /**
   * Path of the construct that produced the object (synth-time validation only).
   * @default - unknown (audit of plain manifests)
   */
  readonly constructPath?: string;
  /**
   * `file:line` the object was read from (audit and plugin only).
   * @default - unknown (synth-time validation)
   */
  readonly source?: string;
  /**
   * File the object was read from (audit and plugin only).
   * @default - unknown (synth-time validation)
   */
  readonly file?: string;
  /**
   * Line of the offending field in `file`: of its key, or of its nearest
   * enclosing field when the field is not set (audit and plugin only).
   * @default - unknown (synth-time validation)
   */
  readonly line?: number;
}

/** Verdict of one rule in a pack run. */
export interface RuleOutcome {
  /** Rule id. */
  readonly ruleId: string;
  /** Verdict. */
  readonly status: RuleStatus;
  /** Number of findings (acknowledged ones included). */
  readonly findingCount: number;
}

const SEVERITY_ORDER = [RuleSeverity.ERROR, RuleSeverity.WARNING];

let collator: Intl.Collator | undefined;

/**
 * `a.localeCompare(b, 'en')`, with one collator instead of one per call (sorting is a large part of an audit),
 * made on first use: creating it loads locale data, which a synthesis without findings never needs.
 */
function compareText(a: string, b: string): number {
  collator ??= new Intl.Collator('en');
  return collator.compare(a, b);
}

/** Deterministic order: errors first, then rule id, object, path, message. */
export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity)
    || compareRuleIds(a.ruleId, b.ruleId)
    || compareText(a.kind, b.kind)
    || compareText(a.namespace ?? '', b.namespace ?? '')
    || compareText(a.name, b.name)
    || compareText(a.path, b.path)
    || compareText(a.message, b.message)
    || compareText(a.source ?? '', b.source ?? '');
}

/** `acknowledged: reason`, or `acknowledged by relaxation name: reason`; '' when not acknowledged. */
export function acknowledgementNote(f: AuditFinding): string {
  if (!f.acknowledged) return '';
  return `acknowledged${f.relaxation ? ` by relaxation ${f.relaxation}` : ''}: ${f.acknowledgedReason}`;
}

/** Identifies the object of a finding as kind/namespace/name (kind/name when cluster-scoped). */
export function objectLabel(f: AuditFinding): string {
  return f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
}

/** The result of running a pack: every finding, sorted, and each rule's verdict. */
export class AuditReport {
  /** Every finding, acknowledged ones included, in a stable order. */
  public readonly findings: AuditFinding[];
  /** Each rule's verdict, in id order. */
  public readonly outcomes: RuleOutcome[];

  constructor(
    /** Name of the pack that ran. */
    public readonly packName: string,
    findings: AuditFinding[],
    outcomes: RuleOutcome[],
  ) {
    this.findings = [...findings].sort(compareFindings);
    this.outcomes = [...outcomes].sort((a, b) => compareRuleIds(a.ruleId, b.ruleId));
  }

  /** Unacknowledged error findings: these fail synthesis and the audit. */
  public get errors(): AuditFinding[] {
    return this.findings.filter((f) => !f.acknowledged && f.severity === RuleSeverity.ERROR);
  }

  /** Unacknowledged warnings. */
  public get warnings(): AuditFinding[] {
    return this.findings.filter((f) => !f.acknowledged && f.severity === RuleSeverity.WARNING);
  }

  /** Acknowledged findings (they stay visible for auditors). */
  public get acknowledged(): AuditFinding[] {
    return this.findings.filter((f) => f.acknowledged);
  }

  /** True when at least one unacknowledged error remains. */
  public get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  /** Verdict of one rule of the pack. */
  public statusOf(ruleId: string): RuleStatus {
    const outcome = this.outcomes.find((o) => o.ruleId === ruleId);
    if (!outcome) {
      throw new Error(`Rule ${ruleId} is not part of pack '${this.packName}'`);
    }
    return outcome.status;
  }

  /** One line per finding plus a summary line. */
  public toText(): string {
    const lines = this.findings.map((f) => {
      const where = [f.constructPath ? `construct ${f.constructPath}` : undefined, f.file && `${f.file}:${f.line}`].filter((x) => x).join(', ');
      const ack = f.acknowledged ? ` [${acknowledgementNote(f)}]` : '';
      return `${f.severity.padEnd(7)} ${f.ruleId.padEnd(12)} ${objectLabel(f)}  ${f.path}  ${f.message}${ack}${where ? ` (${where})` : ''}`;
    });
    lines.push(this.summary());
    return lines.join('\n');
  }

  /** `pack: N errors, N warnings, N acknowledged`. */
  public summary(): string {
    return `${this.packName}: ${this.errors.length} error(s), ${this.warnings.length} warning(s), ${this.acknowledged.length} acknowledged`;
  }

  /** Plain JSON (stable key order) for machines. */
  public toJson(): any {
    return {
      pack: this.packName,
      summary: { errors: this.errors.length, warnings: this.warnings.length, acknowledged: this.acknowledged.length },
      findings: this.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        kind: f.kind,
        apiVersion: f.apiVersion,
        namespace: f.namespace,
        name: f.name,
        path: f.path,
        message: f.message,
        remediation: f.remediation,
        acknowledged: f.acknowledged,
        acknowledgedReason: f.acknowledgedReason,
        relaxation: f.relaxation,
        constructPath: f.constructPath,
        source: f.source,
        file: f.file,
        line: f.line,
      })),
      rules: this.outcomes.map((o) => ({ ruleId: o.ruleId, status: o.status, findings: o.findingCount })),
    };
  }
}
