import { RelaxationName } from '../hardening/relaxation';
import { KubernetesVersion } from '../target/kubernetes-version';

/** How bad a finding is: errors fail synthesis and the audit, warnings are only reported. */
export enum RuleSeverity {
  /** Fails `app.synth()`, the `audit` CLI (exit 1) and the cdk8s-cli plugin. */
  ERROR = 'error',
  /** Reported, never fails. */
  WARNING = 'warning',
}

/** Verdict of one rule over a set of manifests. */
export enum RuleStatus {
  /** The rule applied and every object satisfies it. */
  COMPLIANT = 'compliant',
  /** The rule applied and found at least one violation. */
  NON_COMPLIANT = 'non-compliant',
  /** Nothing in the set is the kind of object the rule is about. */
  NOT_APPLICABLE = 'not-applicable',
}

/** The catalogues a rule can reference. */
export enum ReferenceFramework {
  /** Pod Security Standards check id, as in the pod-security-admission code (policy v1.27 to v1.36). */
  PSS = 'PSS',
  /** CIS Kubernetes Benchmark control. */
  CIS = 'CIS',
  /** kube-score check id. */
  KUBE_SCORE = 'kube-score',
  /** Polaris check id. */
  POLARIS = 'Polaris',
  /** Kubescape control id. */
  KUBESCAPE = 'Kubescape',
  /** Checkov check id. */
  CHECKOV = 'Checkov',
  /** Trivy (defsec) Kubernetes check id. */
  TRIVY = 'Trivy',
  /** kube-linter check name. */
  KUBE_LINTER = 'kube-linter',
  /** A section of this project's DESIGN.md. */
  DESIGN = 'DESIGN',
}

/** A check of another catalogue that a rule implements (fully or in part). */
export interface RuleReference {
  /** The catalogue. */
  readonly framework: ReferenceFramework;
  /** The id in that catalogue, e.g. `runAsNonRoot` (PSS) or `CKV_K8S_40` (Checkov). */
  readonly id: string;
}

/** One violation found by a rule. */
export interface RuleFinding {
  /** Index, in the evaluated manifest list, of the object that violates the rule. */
  readonly objectIndex: number;
  /**
   * Where in that object, as a JSON path without the leading `$.`,
   * e.g. `spec.template.spec.containers[0].securityContext.runAsNonRoot`.
   */
  readonly path: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
}

/** The outcome of one rule: a status and, when non-compliant, the findings. */
export class RuleResult {
  /** Every object the rule applies to satisfies it. */
  public static compliant(): RuleResult {
    return new RuleResult(RuleStatus.COMPLIANT, []);
  }

  /** The set holds nothing the rule is about. */
  public static notApplicable(): RuleResult {
    return new RuleResult(RuleStatus.NOT_APPLICABLE, []);
  }

  /** Violations were found (an empty list is an error: use `compliant()`). */
  public static nonCompliant(findings: RuleFinding[]): RuleResult {
    if (findings.length === 0) {
      throw new Error('RuleResult.nonCompliant: pass at least one finding, or return RuleResult.compliant()');
    }
    return new RuleResult(RuleStatus.NON_COMPLIANT, findings);
  }

  private constructor(
    /** The verdict. */
    public readonly status: RuleStatus,
    /** The violations (empty unless non-compliant). */
    public readonly findings: RuleFinding[],
  ) {}
}

/** Metadata of a rule: everything but the check. */
export interface RuleProps {
  /** Stable id `SL-<AREA>-<n>`, never reused. */
  readonly id: string;
  /** One line: what a compliant manifest does. */
  readonly title: string;
  /** Error or warning. */
  readonly severity: RuleSeverity;
  /** Why the rule exists: the risk it removes. */
  readonly rationale: string;
  /** How to fix a finding, naming fields and values. */
  readonly remediation: string;
  /**
   * The checks of other catalogues the rule implements.
   * @default - none
   */
  readonly references?: RuleReference[];
  /**
   * The hardening relaxations that lift the rule: where the profile recorded one
   * of them on an object (annotation `superlatch.io/relaxations`), the rule's
   * findings on that object count as acknowledged, with the relaxation's reason.
   * @default - none: no relaxation lifts the rule
   */
  readonly relaxedBy?: RelaxationName[];
}

/**
 * What a rule knows about the objects besides their JSON: the Kubernetes
 * version each one is judged at (its policy version, as in Pod Security
 * Admission's `enforce-version`). Objects of charts with different
 * `KubernetesTarget`s are judged each at its own target.
 */
export class RuleContext {
  /**
   * Every object at one version.
   * @param version the version
   */
  public static at(version: KubernetesVersion): RuleContext {
    return new RuleContext(version, []);
  }

  /**
   * A version per object (by index in the evaluated list); the others at `fallback`.
   * @param versions the version of each object, by index
   * @param fallback the version of objects beyond the list
   */
  public static perObject(versions: KubernetesVersion[], fallback?: KubernetesVersion): RuleContext {
    return new RuleContext(fallback ?? KubernetesVersion.DEFAULT, [...versions]);
  }

  private constructor(
    /** The version of objects without one of their own. */
    public readonly defaultVersion: KubernetesVersion,
    private readonly versions: KubernetesVersion[],
  ) {}

  /**
   * The version the object at `objectIndex` is judged at.
   * @param objectIndex index in the evaluated manifest list
   */
  public versionOf(objectIndex: number): KubernetesVersion {
    return this.versions[objectIndex] ?? this.defaultVersion;
  }
}

const ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d+$/;

/**
 * A rule of the pack: metadata plus a check over the final manifests.
 *
 * The check sees the whole set of objects (plain JSON, as in the synthesized
 * YAML), so rules can relate objects to each other, e.g. a workload to the
 * NetworkPolicies that select it. Subclass it to write your own rules and put
 * them in `RulePack.custom()`.
 */
export abstract class Rule {
  /** Stable id `SL-<AREA>-<n>`. */
  public readonly id: string;
  /** One line: what a compliant manifest does. */
  public readonly title: string;
  /** Error or warning. */
  public readonly severity: RuleSeverity;
  /** Why the rule exists. */
  public readonly rationale: string;
  /** How to fix a finding. */
  public readonly remediation: string;
  /** Checks of other catalogues the rule implements. */
  public readonly references: RuleReference[];
  /** The hardening relaxations that lift the rule (their findings count as acknowledged). */
  public readonly relaxedBy: RelaxationName[];

  protected constructor(props: RuleProps) {
    if (!ID_PATTERN.test(props.id)) {
      throw new Error(`Rule id '${props.id}' is invalid: use upper-case words and a number, e.g. 'SL-NET-3' or 'ACME-IMG-1'`);
    }
    for (const [field, value] of [['title', props.title], ['rationale', props.rationale], ['remediation', props.remediation]]) {
      if (!value || value.trim().length === 0) {
        throw new Error(`Rule ${props.id}: '${field}' must not be empty`);
      }
    }
    this.id = props.id;
    this.title = props.title;
    this.severity = props.severity;
    this.rationale = props.rationale;
    this.remediation = props.remediation;
    this.references = [...(props.references ?? [])];
    this.relaxedBy = [...(props.relaxedBy ?? [])];
  }

  /**
   * Evaluates the rule over the final manifest objects.
   *
   * @param manifests every object of the chart, app or audited folder (plain JSON)
   * @param context the Kubernetes version each object is judged at (default: all at 1.27)
   */
  public abstract check(manifests: any[], context?: RuleContext): RuleResult;
}
