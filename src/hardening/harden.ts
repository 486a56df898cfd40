import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HardeningProfile } from './hardening-profile';
import { CDK8S_ADDR_LABEL, hardenWorkload, isWorkloadKind, REPLICATED_KINDS, templatePath } from './pod-hardening';
import { RelaxationName } from './relaxation';
import { containersWithPlusDefaults } from './resources';
import { disruptionBudgetSpec } from '../internal/pdb';
import { addRenderStep, CLUSTER_SCOPED_KINDS, clusterScoped } from '../internal/render';
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
  /** @internal */
  public static _of(name: string, component?: string): WorkloadIdentity {
    return new WorkloadIdentity(name, component);
  }

  /** `app.kubernetes.io/name`. */
  public readonly name: string;
  /** `app.kubernetes.io/component`, if any. */
  public readonly component?: string;

  private constructor(name: string, component?: string) {
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
   * The one label that names this workload instance, `app.kubernetes.io/instance`
   * (= `objectName`), which NetworkPolicies select on: one label that no other
   * workload carries (Polaris's network-policy check also wants the selector to
   * match exactly one pod label).
   */
  public get instanceLabels(): Record<string, string> {
    return { 'app.kubernetes.io/instance': this.objectName };
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
   * Applies every chart's hardening in the app of `scope` now, instead of at
   * its validation (which cdk8s runs after the validations of parent
   * constructs, such as a rule pack attached to the app). Idempotent; returns
   * the problems found.
   * @internal
   */
  public static _prepare(scope: IConstruct): string[] {
    return scope.node.root.node.findAll()
      .filter((c): c is HardeningRegistry => c instanceof HardeningRegistry)
      .flatMap((r) => r.applyProfiles());
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
    throw new Error(`[${workload.node.path}] is a ${obj.kind}, not a workload: only Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and CronJob can be hardened`);
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
  private readonly processed = new Set<ApiObject>();
  private readonly identities = new Map<string, Array<{ component?: string; path: string }>>();
  private chartProfile?: HardeningProfile;
  private readonly errors: string[] = [];

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
    if (this.processed.has(obj)) throw new Error(`${where} Harden.workload() was called after this workload was synthesized`);
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

  /**
   * Installs the profile on every target not handled yet (so workloads added
   * after a first synthesis are hardened too) and returns the problems found.
   * Runs at every validation of the app; `Harden._prepare` runs it earlier.
   */
  public applyProfiles(): string[] {
    const objects = this.chart.node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === this.chart);
    const shared = appState(this);

    for (const obj of objects) {
      if (this.processed.has(obj)) continue;
      const reg = this.registrations.get(obj);
      if (!reg && !this.ensured.has(obj) && !(this.chartProfile && isWorkloadKind(obj.kind))) continue;
      this.processed.add(obj);
      const options = reg?.options ?? {};
      const identity = reg?.identity ?? makeIdentity(obj, {});
      const profile = (options.profile ?? this.chartProfile ?? HardeningProfile.restricted())._resolve();
      const owner = ownerOf(obj);

      const rendered = obj.toJson();
      const namespace = rendered.metadata?.namespace;
      const clash = this.claimIdentity(namespace, identity, owner.node.path);
      if (clash) this.errors.push(clash);

      const template = templatePath(rendered.kind).reduce((o: any, k) => o?.[k], rendered);
      const podSpec = template?.spec ?? {};
      const selector = (rendered.kind === 'CronJob' ? rendered.spec?.jobTemplate?.spec : rendered.spec)?.selector?.matchLabels;
      const addr = selector?.[CDK8S_ADDR_LABEL] ?? template?.metadata?.labels?.[CDK8S_ADDR_LABEL];
      if (addr) shared.addrToLabels.set(addr, identity.selectorLabels);

      const labels = { ...identity.podLabels, 'app.kubernetes.io/managed-by': 'cdk8s-superlatch' };
      let serviceAccountName: string | undefined;
      if (options.serviceAccount !== false && (!podSpec.serviceAccountName || podSpec.serviceAccountName === 'default')) {
        serviceAccountName = identity.objectName;
        shared.wired.add(new ApiObject(owner, 'ServiceAccount', {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: serviceAccountName, namespace, labels },
          automountServiceAccountToken: profile.relaxed.has(RelaxationName.SERVICE_ACCOUNT_TOKEN),
        } as any));
      }
      if (options.podDisruptionBudget !== false && REPLICATED_KINDS.has(rendered.kind) && (rendered.spec?.replicas ?? 1) >= 2) {
        shared.wired.add(new ApiObject(owner, 'PodDisruptionBudget', {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: identity.objectName, namespace, labels },
          spec: disruptionBudgetSpec(identity.selectorLabels),
        } as any));
      }

      const ctx = {
        profile,
        labels: identity.podLabels,
        selector: identity.selectorLabels,
        serviceAccountName,
        priorityClassName: options.priorityClassName,
        plusDefaultResources: containersWithPlusDefaults(owner),
        // affinities written by cdk8s-plus (spread, colocate...) may name other workloads by hash
        rewriteSelectors: (json: any) => replaceAddrSelectors(json, shared.addrToLabels),
      };
      shared.wired.add(obj);
      const where = `[${owner.node.path}]`;
      this.errors.push(...hardenWorkload(rendered, ctx).errors.map((e) => `${where} ${e}`));
      addRenderStep(obj, (json) => {
        const result = hardenWorkload(json, ctx);
        // changed after validation (e.g. between two synths): still refuse to write it
        if (result.errors.length > 0) throw new Error(result.errors.map((e) => `${where} ${e}`).join('\n'));
        return result.manifest;
      });
    }

    wireApp(this, shared);
    return this.errors;
  }

  /** Records a workload's identity; returns an error when its selector would also select another workload's pods. */
  private claimIdentity(namespace: string | undefined, identity: WorkloadIdentity, path: string): string | undefined {
    const key = `${namespace ?? ''}/${identity.name}`;
    const others = this.identities.get(key) ?? [];
    this.identities.set(key, [...others, { component: identity.component, path }]);
    const overlapping = others.find((o) => o.component === identity.component || o.component === undefined || identity.component === undefined);
    if (!overlapping) return undefined;
    return `[${path}] and [${overlapping.path}] have overlapping selectors (app.kubernetes.io/name=${identity.name}`
      + `${identity.component ? `, component ${identity.component}` : ''} vs ${overlapping.component ? `component ${overlapping.component}` : 'no component'}):`
      + " each would select the other's pods. Fix: give both a distinct 'component', or distinct 'name's, in Harden.workload()";
  }
}

interface AppState {
  /** cdk8s-plus hash label value -> stable labels of the hardened workload it stood for. */
  readonly addrToLabels: Map<string, Record<string, string>>;
  /** ApiObjects that already have the app-wide steps, or need none (hardened workloads, their ServiceAccounts and budgets). */
  readonly wired: WeakSet<ApiObject>;
}

const APP_STATE = Symbol.for('cdk8s-superlatch.hardening-app-state');

function appState(scope: IConstruct): AppState {
  const root = scope.node.root as any;
  return root[APP_STATE] ??= { addrToLabels: new Map(), wired: new WeakSet() };
}

/**
 * App-wide steps on every ApiObject, in every chart: cluster-scoped kinds lose
 * the namespace cdk8s gives them, and selectors (Services, NetworkPolicies,
 * affinities...) that point at a hardened workload by its construct-path hash
 * get its stable labels instead.
 */
function wireApp(scope: IConstruct, state: AppState): void {
  for (const c of scope.node.root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || state.wired.has(c)) continue;
    state.wired.add(c);
    if (CLUSTER_SCOPED_KINDS.has(c.kind)) addRenderStep(c, clusterScoped);
    addRenderStep(c, (json) => replaceAddrSelectors(json, state.addrToLabels));
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
  return WorkloadIdentity._of(name, options.component);
}

function replaceAddrSelectors(json: any, map: Map<string, Record<string, string>>): any {
  return map.size > 0 && JSON.stringify(json).includes(CDK8S_ADDR_LABEL) ? replaceAddrLabels(json, map) : json;
}

function replaceAddrLabels(json: any, map: Map<string, Record<string, string>>): any {
  if (Array.isArray(json)) return json.map((x) => replaceAddrLabels(x, map));
  if (json === null || typeof json !== 'object') return json;
  const out: any = {};
  const addr = json[CDK8S_ADDR_LABEL];
  const stable = typeof addr === 'string' ? map.get(addr) : undefined;
  for (const [k, v] of Object.entries(json)) {
    if (stable && k === CDK8S_ADDR_LABEL) continue;
    out[k] = replaceAddrLabels(v, map);
  }
  return stable ? { ...out, ...stable } : out;
}
