import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HardeningProfile } from './hardening-profile';
import { HardeningState, Identity, objectNameOf, podLabelsOf, selectorLabelsOf, workloadApiObject } from './hardening-state';

/** How one workload is hardened. */
export interface WorkloadHardeningOptions {
  /**
   * The profile to apply.
   * @default - the profile given to `Harden.chart()` for this chart, else `HardeningProfile.restricted()`
   */
  readonly profile?: HardeningProfile;

  /**
   * Value of the `app.kubernetes.io/name` label, used in selectors, policies
   * and derived object names. Stays the same when the construct moves.
   * Upstream manifests keep their own label; the construct id is the parent's
   * for a cdk8s-plus `Resource`; a name over 63 characters fails, never truncated.
   * @default - the pod's own `app.kubernetes.io/name` label, else an explicit `metadata.name`, else the construct id lower-cased
   */
  readonly name?: string;

  /**
   * Value of the `app.kubernetes.io/component` label, added to the selector.
   * @default - the pod's own `app.kubernetes.io/component` label, else none
   */
  readonly component?: string;

  /**
   * Emit a dedicated ServiceAccount (token not mounted) named after the workload
   * when the pod does not name one.
   * @default true
   */
  readonly serviceAccount?: boolean;

  /**
   * PriorityClass of the pods (`priorityClassName`). The class itself is
   * cluster-scoped and belongs to the platform.
   * @default - none: the cluster's default priority applies
   */
  readonly priorityClassName?: string;

  /**
   * Emit a PodDisruptionBudget (`maxUnavailable: 1`) for workloads with 2 or more replicas.
   * @default true
   */
  readonly podDisruptionBudget?: boolean;
}

/** How every workload of a chart is hardened. */
export interface ChartHardeningOptions {
  /**
   * The profile to apply to every workload of the chart that has no profile of its own.
   * @default HardeningProfile.restricted()
   */
  readonly profile?: HardeningProfile;
}

/** The stable identity of a hardened workload: its `app.kubernetes.io/*` selector labels. */
export class WorkloadIdentity {
  /** @internal */
  public static _of(identity: Identity): WorkloadIdentity {
    return new WorkloadIdentity(identity);
  }

  /** `app.kubernetes.io/name`. */
  public readonly name: string;
  /** `app.kubernetes.io/component`, if any. */
  public readonly component?: string;
  private readonly identity: Identity;

  private constructor(identity: Identity) {
    this.name = identity.name;
    this.component = identity.component;
    this.identity = identity;
  }

  /** The labels selectors use for this workload (no construct-path hashes). */
  public get selectorLabels(): Record<string, string> {
    return selectorLabelsOf(this.identity);
  }

  /** A readable object name derived from the identity (`name` or `name-component`). */
  public get objectName(): string {
    return objectNameOf(this.identity);
  }

  /**
   * The one label that names this workload instance, `app.kubernetes.io/instance`
   * (= `objectName`, or the workload's own instance label when an upstream
   * manifest has one), which NetworkPolicies select on: one label that no other
   * workload carries (Polaris's network-policy check also wants the selector to
   * match exactly one pod label).
   */
  public get instanceLabels(): Record<string, string> {
    return { 'app.kubernetes.io/instance': this.identity.instance };
  }

  /** Every label the workload's pods carry: the selector labels and the instance label. */
  public get podLabels(): Record<string, string> {
    return podLabelsOf(this.identity);
  }
}

/**
 * Applies hardening profiles to workloads: one workload (`Harden.workload`) or
 * every workload of a chart (`Harden.chart`), including raw `ApiObject`s.
 *
 * The profile runs on the final manifest at synth time, so it also covers what
 * escape-hatch patches and other constructs wrote. What it cannot fix itself
 * (a tag-only image, a port below 1024, a missing probe...) fails the synth with
 * the construct path, the field and the fix.
 *
 * @example
 * const web = new kplus.Deployment(chart, 'web', { containers: [...] });
 * Harden.workload(web, { component: 'frontend' });
 */
export class Harden {
  /**
   * Hardens one workload (a cdk8s-plus Deployment, StatefulSet, DaemonSet, Job,
   * CronJob or Pod, or a raw ApiObject of a workload kind, or of any kind with a
   * pod template). Options given here win over those of `Harden.chart()`.
   * Calls may come in any order, before or after other synthesis calls.
   */
  public static workload(workload: IConstruct, options: WorkloadHardeningOptions = {}): WorkloadIdentity {
    const obj = workloadApiObject(workload);
    return WorkloadIdentity._of(HardeningState.of(obj).register(obj, options));
  }

  /**
   * Hardens every workload of `chart`, including ones added after this call
   * and objects of other kinds that carry a pod template (an Argo Rollout...).
   */
  public static chart(chart: Chart, options: ChartHardeningOptions = {}): void {
    HardeningState.of(chart).enableChart(chart, options.profile ?? HardeningProfile.restricted());
  }

  /**
   * The identity (selector labels) a workload has, or will have, once hardened.
   * Network policies and Services use it to select the workload.
   */
  public static identityOf(workload: IConstruct): WorkloadIdentity {
    const obj = workloadApiObject(workload);
    return WorkloadIdentity._of(HardeningState.of(obj).identityOf(obj));
  }

  private constructor() {}
}
