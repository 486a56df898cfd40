import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HardeningProfile } from './hardening-profile';
import { CDK8S_ADDR_LABEL, hardenWorkload, isWorkloadKind, REPLICATED_KINDS, templatePath } from './pod-hardening';
import { RelaxationName } from './relaxation';
import { addRenderStep, CLUSTER_SCOPED_KINDS, clusterScoped, primeNextRender } from '../internal/render';
import { checkLabelValue, toDnsLabel } from '../internal/validation';

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
   * @default - the construct id, lower-cased (the parent's id for a cdk8s-plus `Resource`)
   */
  readonly name?: string;

  /**
   * Value of the `app.kubernetes.io/component` label, added to the selector.
   * @default - no component label
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
  /** `app.kubernetes.io/name`. */
  public readonly name: string;
  /** `app.kubernetes.io/component`, if any. */
  public readonly component?: string;

  /** @internal */
  constructor(name: string, component?: string) {
    this.name = name;
    this.component = component;
  }

  /** The labels selectors use for this workload (no construct-path hashes). */
  public get selectorLabels(): Record<string, string> {
    const labels: Record<string, string> = { 'app.kubernetes.io/name': this.name };
    if (this.component) labels['app.kubernetes.io/component'] = this.component;
    return labels;
  }

  /** A readable object name derived from the identity (`name` or `name-component`). */
  public get objectName(): string {
    return this.component ? `${this.name}-${this.component}` : this.name;
  }

  /**
   * The one label that names this workload instance, which NetworkPolicies
   * select on: `app.kubernetes.io/name` alone, or `app.kubernetes.io/instance`
   * (`name-component`) when there is a component. A single label keeps policy
   * selectors unambiguous (Polaris's network-policy check requires the selector
   * to match exactly one pod label).
   */
  public get instanceLabels(): Record<string, string> {
    return this.component ? { 'app.kubernetes.io/instance': this.objectName } : { 'app.kubernetes.io/name': this.name };
  }

  /** Every label the workload's pods carry: the selector labels and the instance label. */
  public get podLabels(): Record<string, string> {
    return { ...this.selectorLabels, ...this.instanceLabels };
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
   * CronJob or Pod, or a raw ApiObject of a workload kind). Options given here
   * win over those of `Harden.chart()`.
   */
  public static workload(workload: IConstruct, options: WorkloadHardeningOptions = {}): WorkloadIdentity {
    const obj = workloadApiObject(workload);
    const registry = HardeningRegistry.of(obj);
    return registry.register(obj, options);
  }

  /** Hardens every workload of `chart`, including ones added after this call. */
  public static chart(chart: Chart, options: ChartHardeningOptions = {}): void {
    HardeningRegistry.of(chart).enableChart(options.profile ?? HardeningProfile.restricted());
  }

  /**
   * Makes sure `workload` is hardened at synth: with its own options if
   * `Harden.workload()` is (or was) called for it, else with the chart's or the
   * default profile. The latch uses it for the pods it joins.
   * @internal
   */
  public static _ensure(workload: IConstruct): void {
    const obj = workloadApiObject(workload);
    HardeningRegistry.of(obj).ensure(obj);
  }

  /**
   * The identity (selector labels) a workload has, or will have, once hardened.
   * Network policies and Services use it to select the workload.
   */
  public static identityOf(workload: IConstruct): WorkloadIdentity {
    const obj = workloadApiObject(workload);
    return HardeningRegistry.of(obj).identityOf(obj);
  }

  private constructor() {}
}

function workloadApiObject(workload: IConstruct): ApiObject {
  let obj: ApiObject;
  try {
    obj = ApiObject.of(workload);
  } catch {
    throw new Error(`[${workload.node.path}] is not a workload: pass a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or an ApiObject`);
  }
  if (!isWorkloadKind(obj.kind)) {
    throw new Error(`[${workload.node.path}] is a ${obj.kind}, not a workload: only Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob can be hardened`);
  }
  return obj;
}

interface Registration {
  readonly options: WorkloadHardeningOptions;
  readonly identity: WorkloadIdentity;
}

/** One per chart: knows the hardened workloads and applies the profile at synth. */
class HardeningRegistry extends Construct {
  public static of(scope: IConstruct): HardeningRegistry {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild(REGISTRY_ID);
    return (existing as HardeningRegistry) ?? new HardeningRegistry(chart, REGISTRY_ID);
  }

  private readonly chart: Chart;
  private readonly registrations = new Map<ApiObject, Registration>();
  private readonly ensured = new Set<ApiObject>();
  private chartProfile?: HardeningProfile;
  private prepared = false;
  private errors: string[] = [];

  private constructor(chart: Chart, id: string) {
    super(chart, id);
    this.chart = chart;
    this.node.addValidation({ validate: () => this.applyProfiles() });
  }

  public enableChart(profile: HardeningProfile) {
    if (this.chartProfile) throw new Error(`[${this.chart.node.path}] Harden.chart() was already called for this chart`);
    this.chartProfile = profile;
  }

  public register(obj: ApiObject, options: WorkloadHardeningOptions): WorkloadIdentity {
    const where = `[${ownerOf(obj).node.path}]`;
    if (this.registrations.has(obj)) {
      throw new Error(`${where} Harden.workload() was already called for this workload; call it once with all options`);
    }
    if (this.prepared) throw new Error(`${where} Harden.workload() was called after synthesis started`);
    const identity = makeIdentity(obj, options);
    this.registrations.set(obj, { options, identity });
    return identity;
  }

  public ensure(obj: ApiObject) {
    this.ensured.add(obj);
  }

  public identityOf(obj: ApiObject): WorkloadIdentity {
    return this.registrations.get(obj)?.identity ?? makeIdentity(obj, {});
  }

  /** Runs once, at the first validation of the app: installs the profile on every target. */
  private applyProfiles(): string[] {
    if (this.prepared) return this.errors;
    this.prepared = true;

    const objects = this.chart.node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === this.chart);
    const addrToLabels = new Map<string, Record<string, string>>();
    const identities = new Map<string, string>();
    const hardened = new Set<ApiObject>();

    for (const obj of objects) {
      const reg = this.registrations.get(obj);
      if (!reg && !this.ensured.has(obj) && !(this.chartProfile && isWorkloadKind(obj.kind))) continue;
      const options = reg?.options ?? {};
      const identity = reg?.identity ?? makeIdentity(obj, {});
      const profile = (options.profile ?? this.chartProfile ?? HardeningProfile.restricted())._resolve();
      const owner = ownerOf(obj);

      const key = JSON.stringify(identity.selectorLabels);
      const clash = identities.get(key);
      if (clash) {
        this.errors.push(`[${owner.node.path}] has the same selector labels as [${clash}] (${key}): set a distinct 'name' or 'component' in Harden.workload()`);
      }
      identities.set(key, owner.node.path);

      const rendered = obj.toJson();
      const template = templatePath(rendered.kind).reduce((o: any, k) => o?.[k], rendered);
      const podSpec = template?.spec ?? {};
      const selector = (rendered.kind === 'CronJob' ? rendered.spec?.jobTemplate?.spec : rendered.spec)?.selector?.matchLabels;
      const addr = selector?.[CDK8S_ADDR_LABEL] ?? template?.metadata?.labels?.[CDK8S_ADDR_LABEL];
      if (addr) addrToLabels.set(addr, identity.selectorLabels);

      const namespace = rendered.metadata?.namespace;
      const labels = { ...identity.podLabels, 'app.kubernetes.io/managed-by': 'cdk8s-superlatch' };
      let serviceAccountName: string | undefined;
      if (options.serviceAccount !== false && (!podSpec.serviceAccountName || podSpec.serviceAccountName === 'default')) {
        serviceAccountName = identity.objectName;
        new ApiObject(owner, 'ServiceAccount', {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: serviceAccountName, namespace, labels },
          automountServiceAccountToken: profile.relaxed.has(RelaxationName.SERVICE_ACCOUNT_TOKEN),
        } as any);
      }
      if (options.podDisruptionBudget !== false && REPLICATED_KINDS.has(rendered.kind) && (rendered.spec?.replicas ?? 1) >= 2) {
        new ApiObject(owner, 'PodDisruptionBudget', {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: identity.objectName, namespace, labels },
          spec: { maxUnavailable: 1, selector: { matchLabels: identity.selectorLabels } },
        } as any);
      }

      const ctx = {
        profile,
        labels: identity.podLabels,
        selector: identity.selectorLabels,
        serviceAccountName,
        priorityClassName: options.priorityClassName,
      };
      const first = hardenWorkload(rendered, ctx);
      this.errors.push(...first.errors.map((e) => `[${owner.node.path}] ${e}`));
      hardened.add(obj);
      addRenderStep(obj, (json) => hardenWorkload(json, ctx).manifest);
      // the validation just rendered it: the next toJson() (the synth) reuses that
      primeNextRender(obj, first.manifest);
    }

    // cdk8s gives every object the chart's namespace; cluster-scoped ones must not have it.
    for (const obj of objects.filter((o) => CLUSTER_SCOPED_KINDS.has(o.kind))) {
      addRenderStep(obj, clusterScoped);
    }

    // Selectors of other objects (cdk8s-plus Services, NetworkPolicies...) that
    // point at a hardened workload by its construct-path hash get the stable labels.
    if (addrToLabels.size > 0) {
      for (const obj of objects) {
        if (!hardened.has(obj)) addRenderStep(obj, (json) => replaceAddrSelectors(json, addrToLabels));
      }
    }
    return this.errors;
  }
}

const REGISTRY_ID = 'SuperlatchHardening';

/** The construct users think of: the cdk8s-plus workload for its `Resource`, else the ApiObject. */
function ownerOf(obj: ApiObject): IConstruct {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope : obj;
}

function makeIdentity(obj: ApiObject, options: WorkloadHardeningOptions): WorkloadIdentity {
  const owner = ownerOf(obj);
  const name = options.name ?? toDnsLabel(owner.node.id);
  checkLabelValue(`[${owner.node.path}]`, 'name (app.kubernetes.io/name)', name);
  if (options.component !== undefined) {
    checkLabelValue(`[${owner.node.path}]`, 'component (app.kubernetes.io/component)', options.component);
  }
  return new WorkloadIdentity(name, options.component);
}

function replaceAddrSelectors(json: any, map: Map<string, Record<string, string>>): any {
  if (Array.isArray(json)) return json.map((x) => replaceAddrSelectors(x, map));
  if (json === null || typeof json !== 'object') return json;
  const out: any = {};
  const addr = json[CDK8S_ADDR_LABEL];
  const stable = typeof addr === 'string' ? map.get(addr) : undefined;
  for (const [k, v] of Object.entries(json)) {
    if (stable && k === CDK8S_ADDR_LABEL) continue;
    out[k] = replaceAddrSelectors(v, map);
  }
  return stable ? { ...out, ...stable } : out;
}
