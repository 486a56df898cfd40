/**
 * Shared types of the judges test helper (see `./index.ts`).
 */

/** The three independent judges. */
export type JudgeName = 'schema' | 'monokle' | 'polaris';

/** Every judge, in report order. */
export const JUDGE_NAMES: readonly JudgeName[] = ['schema', 'monokle', 'polaris'];

/** Identifies one manifest object. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** One rule violation reported by a judge. */
export interface Finding {
  /** The judge that reported it. */
  readonly judge: JudgeName;
  /**
   * The rule id: a schema keyword or `unknown-field` / `unknown-kind` / `removed-api` / `missing-type-meta`
   * (schema), `PSS203` / `KBP104` ... (Monokle), or the Polaris check id (e.g. `runAsRootAllowed`).
   */
  readonly id: string;
  /** Human readable explanation. */
  readonly message: string;
  /** The object the finding is about. */
  readonly object: ObjectRef;
  /** Path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path?: string;
  /** The container the finding is about, when it is about one. */
  readonly container?: string;
  /** The judge's severity (Polaris: `danger` | `warning`; Monokle: `error` | `warning`). */
  readonly severity?: string;
}

/**
 * An explicit, visible exception to one judge rule. Exemptions are echoed in the failure output of
 * `expectNoFindings`, and an exemption that matches nothing is itself an error.
 */
export interface Exemption {
  /** The judge whose rule is exempted. */
  readonly judge: JudgeName;
  /**
   * The rule id as reported in `Finding.id`. Use `{ judge: 'schema', id: 'not-validated' }` to accept objects
   * the schema judge cannot validate (custom resources).
   */
  readonly id: string;
  /** Limit the exemption to objects with this `metadata.name` (default: every object). */
  readonly objectName?: string;
  /** Why the exception is acceptable; at least 10 characters. */
  readonly reason: string;
}

/** A finding (or a not-validated object) that an exemption removed from the report. */
export interface ExemptedFinding {
  readonly finding: Finding;
  readonly exemption: Exemption;
}

/** What the judges found in one set of manifests. */
export interface JudgeReport {
  /** Kubernetes 1.27 schema violations (kubernetes-models), including unknown fields. */
  readonly schema: Finding[];
  /** Monokle Pod Security Standards (PSS1xx, PSS2xx) and practices (KBPxxx) findings. */
  readonly monokle: Finding[];
  /** Polaris check failures. */
  readonly polaris: Finding[];
  /** Objects no schema exists for here (custom resources), as `apiVersion kind namespace/name`. */
  readonly notValidated: string[];
  /** Findings removed by an exemption (with the exemption that removed them). */
  readonly exempted: ExemptedFinding[];
  /** Exemptions that matched nothing (stale or mistyped). */
  readonly unusedExemptions: Exemption[];
}

/** Options of `judge()` and `expectNoFindings()`. */
export interface JudgeOptions {
  /** Explicit exceptions; each needs a reason of at least 10 characters. */
  readonly exemptions?: readonly Exemption[];
  /** Run only these judges (default: all three). */
  readonly judges?: readonly JudgeName[];
  /**
   * The Kubernetes version the manifests target: the schema judge validates against its schema and
   * Polaris sees its typed view (default 1.27; 1.36 is the newest schema a registry package ships).
   */
  readonly kubernetesVersion?: '1.27' | '1.36';
}

/** A manifest object as produced by `Testing.synth(chart)`. */
export type Manifest = Record<string, any>;
