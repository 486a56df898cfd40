import { SuperlatchKeys } from '../contract';
import { ResolvedProfile } from './hardening-profile';
import { RelaxationName } from './relaxation';
import { ensureAt, WorkloadKind, workloadKindOf } from '../internal/workload-kinds';
import { KubernetesVersion } from '../target/kubernetes-version';

export interface HardenContext {
  readonly profile: ResolvedProfile;
  /** Labels every pod and the workload carry (app.kubernetes.io/name, component, instance). */
  readonly labels: Record<string, string>;
  /** Stable selector labels of the workload (app.kubernetes.io/name, component). */
  readonly selector: Record<string, string>;
  /** PriorityClass to set when the pod names none. */
  readonly priorityClassName?: string;
  /** Rewrites construct-path hash selectors (in affinities and spread constraints) to stable labels. */
  readonly rewriteSelectors?: (json: any) => any;
  /** The dedicated ServiceAccount to use when the pod names none. */
  readonly serviceAccountName?: string;
  /** Containers whose resources are cdk8s-plus's own defaults: they get the profile's instead. */
  readonly plusDefaultResources?: string[];
  /** The Kubernetes version the manifest is for (AppArmor as a field from 1.30, user namespaces). */
  readonly target?: KubernetesVersion;
}

/** Whether the profile relaxes a default (for the pod, or for one container). */
export type IsRelaxed = (n: RelaxationName) => boolean;

const NOTHING_RELAXED: IsRelaxed = () => false;

/**
 * One workload manifest while the profile fixes it: the parts every concern
 * (identity, security contexts, resources, writable paths, scheduling, trace)
 * reads and writes, and the construction errors found on the way. The checks
 * of the profile are not here: the rules of `PROFILE_RULES` judge the fixed manifest.
 */
export class WorkloadUnderHardening {
  /** Construction errors, `<path>: <problem>. Fix: <fix>` (the manifest cannot be built as asked). */
  public readonly errors: string[] = [];
  /** The paths of those errors: a rule finding on the same field is not reported again. */
  public readonly refusedPaths = new Set<string>();
  /** Stricter values a relaxation left as the workload had them (the trace lists them). */
  public readonly kept: string[] = [];
  public readonly kind: WorkloadKind;
  public readonly profile: ResolvedProfile;
  public readonly target: KubernetesVersion;
  public readonly template: any;
  public readonly spec: any;
  public readonly meta: any;
  public readonly tmeta: any;
  /** The pod's securityContext (set by the security-context step). */
  public psc: any = {};
  /** The object that holds the workload's `selector`, if its kind has one. */
  public selectorOwner: any;
  /** Pod-template annotations, written back after the containers. */
  public annotations: Record<string, string> = {};
  /** Containers the latch added: they never take the workload's relaxations. */
  public strict = new Set<string>();
  private readonly tpJson: string;

  constructor(public readonly obj: any, public readonly ctx: HardenContext) {
    this.kind = workloadKindOf(obj)!;
    this.profile = ctx.profile;
    this.target = ctx.target ?? KubernetesVersion.DEFAULT;
    this.template = ensureAt(obj, this.kind.templatePath);
    this.tpJson = this.kind.templatePath.join('.');
    this.spec = ensure(this.template, 'spec');
    this.meta = ensure(obj, 'metadata');
    this.tmeta = ensure(this.template, 'metadata');
  }

  /** Whether the profile relaxes `n` for the pod and its application containers. */
  public readonly relaxed: IsRelaxed = (n) => this.profile.relaxed.has(n);

  /** The relaxations of one container: none for the latch's own. */
  public relaxedFor(container: string): IsRelaxed {
    return this.strict.has(container) ? NOTHING_RELAXED : this.relaxed;
  }

  /** Reads the pod-template annotations, and the latch's containers among them. */
  public readAnnotations(): void {
    this.annotations = { ...(this.tmeta.annotations ?? {}) };
    this.strict = new Set(String(this.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION] ?? '').split(',').filter((x) => x));
  }

  /** A construction error at `path` (not a check: those are the rules'). */
  public refuse(path: string, problem: string, fix: string): void {
    this.errors.push(`${path}: ${problem}. Fix: ${fix}`);
    this.refusedPaths.add(path);
  }

  /** A path under the pod template. */
  public at(rest: string): string {
    return [this.tpJson, rest].filter((x) => x).join('.');
  }
}

/** `o[key]`, created as `{}` when missing. */
export function ensure(o: any, key: string): any {
  if (o[key] === undefined || o[key] === null) o[key] = {};
  return o[key];
}
