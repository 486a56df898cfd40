import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ServiceAccount } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { WorkloadHardeningOptions } from './harden';
import { HardeningProfile, ResolvedProfile } from './hardening-profile';
import { checkNetworkCoverage } from './network-coverage';
import { CDK8S_ADDR_LABEL, hardenWorkload, isWorkload } from './pod-hardening';
import { profileRefusals } from './profile-checks';
import { RelaxationName } from './relaxation';
import { containersWithPlusDefaults } from './resources';
import type { WorkloadUnderHardening } from './workload';
import { emit, Manifest } from '../internal/manifest';
import { cloneJson, MANAGED_BY } from '../internal/objects';
import { disruptionBudgetSpec } from '../internal/pdb';
import { ownerOf, PipelineRun, Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkLabelValue, toDnsLabel } from '../internal/validation';
import { at, workloadKindOf } from '../internal/workload-kinds';
import { KubernetesTarget } from '../target/kubernetes-version';

/** The labels a hardened workload is known by. */
export interface Identity {
  readonly name: string;
  readonly component?: string;
  /** `app.kubernetes.io/instance`: the workload's own if it has one, else `name[-component]`. */
  readonly instance: string;
}

const NAME = 'app.kubernetes.io/name';
const COMPONENT = 'app.kubernetes.io/component';
const INSTANCE = 'app.kubernetes.io/instance';

export function objectNameOf(identity: Identity): string {
  return identity.component ? `${identity.name}-${identity.component}` : identity.name;
}

export function selectorLabelsOf(identity: Identity): Record<string, string> {
  return { [NAME]: identity.name, ...(identity.component ? { [COMPONENT]: identity.component } : {}) };
}

export function podLabelsOf(identity: Identity): Record<string, string> {
  return { ...selectorLabelsOf(identity), [INSTANCE]: identity.instance };
}

export { ownerOf };

/** The workload ApiObject of a cdk8s-plus workload or an ApiObject; throws with the fix otherwise. */
export function workloadApiObject(workload: IConstruct): ApiObject {
  let obj: ApiObject;
  try {
    obj = ApiObject.of(workload);
  } catch {
    throw new Error(`[${workload.node.path}] is not a workload: pass a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or an ApiObject`);
  }
  if (!isWorkload({ kind: obj.kind, ...((obj as any).props ?? {}) })) {
    throw new Error(`[${workload.node.path}] is a ${obj.kind}, not a workload: only Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and other kinds with a pod template (spec.template.spec or spec.jobTemplate.spec.template.spec) can be hardened`);
  }
  return obj;
}

/**
 * The identity of a workload. An explicit `name` wins; else the pod's own
 * `app.kubernetes.io/name` label (upstream manifests keep theirs), else an
 * explicit `metadata.name`, else the construct id. Too long names fail, never truncated.
 */
export function identityOf(obj: ApiObject, options: WorkloadHardeningOptions, manifest?: any): Identity {
  const owner = ownerOf(obj);
  const where = `[${owner.node.path}]`;
  const template = manifest ? at(manifest, workloadKindOf(manifest)?.templatePath ?? []) : undefined;
  const labels = (template?.metadata?.labels ?? {}) as Record<string, string>;
  const foreign = labels[CDK8S_ADDR_LABEL] === undefined ? labels : {};
  const explicitName = obj.name !== Chart.of(obj).generateObjectName(obj) ? obj.name : undefined;
  const name = options.name ?? foreign[NAME] ?? explicitName ?? toDnsLabel(owner.node.id);
  const fix = "Fix: pass a shorter 'name' to Harden.workload()";
  if (options.name === undefined && foreign[NAME] === undefined && explicitName === undefined && owner.node.id.length > 63) {
    throw new Error(`${where} name: the construct id '${owner.node.id}' is ${owner.node.id.length} characters; label values are limited to 63 and are never truncated. ${fix}`);
  }
  checkLabelValue(where, `name (${NAME})`, name);
  const component = options.component ?? foreign[COMPONENT];
  if (component !== undefined) checkLabelValue(where, `component (${COMPONENT})`, component);
  const objectName = component ? `${name}-${component}` : name;
  if (objectName.length > 63) {
    throw new Error(`${where} name: '${objectName}' (name-component, the name of the ServiceAccount, budget and instance label) is ${objectName.length} characters, over the 63 of a Kubernetes label value. ${fix} or component`);
  }
  return { name, component, instance: foreign[INSTANCE] ?? objectName };
}

interface Registration {
  readonly options: WorkloadHardeningOptions;
  readonly identity: Identity;
}

/** The hardening of one app: what to harden, and the objects it derives. */
export class HardeningState {
  public static of(scope: IConstruct): HardeningState {
    const root = scope.node.root as any;
    return root[STATE] ??= new HardeningState(SynthesisPipeline.of(scope));
  }

  private readonly registrations = new Map<ApiObject, Registration>();
  private readonly ensured = new Set<ApiObject>();
  private readonly charts = new Map<Chart, HardeningProfile>();
  private readonly derived = new Map<string, ApiObject>();

  private constructor(private readonly pipeline: SynthesisPipeline) {
    pipeline.addStep(Stage.HARDENING, (run) => this.harden(run));
    // app-wide, once per synthesis: selectors that point at a hardened workload by its construct-path hash
    pipeline.addStep(Stage.SELECTORS, rewriteAppSelectors);
    // app-wide, over the final objects: the network part of the profile
    pipeline.addStep(Stage.CHECKS, (run) => checkNetworkCoverage(run, NETWORK.get(run) ?? new Map()));
  }

  public register(obj: ApiObject, options: WorkloadHardeningOptions): Identity {
    const where = `[${ownerOf(obj).node.path}]`;
    if (this.registrations.has(obj)) {
      throw new Error(`${where} Harden.workload() was already called for this workload; call it once with all options`);
    }
    const identity = identityOf(obj, options, declaredManifest(obj));
    this.registrations.set(obj, { options, identity });
    this.pipeline.invalidate();
    return identity;
  }

  public ensure(obj: ApiObject): void {
    this.ensured.add(obj);
    this.pipeline.invalidate();
  }

  public enableChart(chart: Chart, profile: HardeningProfile): void {
    if (this.charts.has(chart)) throw new Error(`[${chart.node.path}] Harden.chart() was already called for this chart. Fix: call it once, with the chart's profile`);
    this.charts.set(chart, profile);
    this.pipeline.invalidate();
  }

  public identityOf(obj: ApiObject): Identity {
    const reg = this.registrations.get(obj);
    if (reg) return reg.identity;
    return identityOf(obj, {}, declaredManifest(obj));
  }

  /** The HARDENING stage: every target of the app, once per synthesis. */
  private harden(run: PipelineRun): void {
    const targets = [...run.manifests.entries()].filter(([obj, json]) =>
      this.registrations.has(obj) || this.ensured.has(obj) || (this.charts.has(Chart.of(obj)) && isWorkload(json)));
    const pass: HardeningPass = {
      run,
      bindings: serviceAccountBindings([...run.manifests.values()]),
      claimed: new Map(),
      addrToLabels: new Map(),
      hardened: new Set(),
      fixed: [],
      networkTargets: new Map(),
      wanted: new Set(),
    };
    for (const [obj, json] of targets) this.hardenOne(pass, obj, json);
    // the checks of the profile: its rules, once over every workload this pass fixed
    const refusals = profileRefusals(pass.fixed.map((f) => f.workload));
    pass.fixed.forEach((f, i) => refusals[i].forEach((e) => run.error(f.obj, `${f.where} ${e}`)));

    // derived objects no longer wanted (a pod now names its own ServiceAccount...) leave the tree
    for (const [id, obj] of this.derived) {
      if (pass.wanted.has(id)) continue;
      obj.node.scope?.node.tryRemoveChild(obj.node.id);
      run.manifests.delete(obj);
      this.derived.delete(id);
    }

    // the derived objects carry no construct-path hashes: written by the library with stable labels
    SELECTORS.set(run, { addrToLabels: pass.addrToLabels, skip: new Set([...pass.hardened, ...this.derived.values()]) });
    NETWORK.set(run, pass.networkTargets);
  }

  /** One workload: its identity (unique in its namespace), derived ServiceAccount and budget, API access, the profile. */
  private hardenOne(pass: HardeningPass, obj: ApiObject, json: any): void {
    const { run } = pass;
    const owner = ownerOf(obj);
    const where = `[${owner.node.path}]`;
    const reg = this.registrations.get(obj);
    const options = reg?.options ?? {};
    let identity: Identity;
    try {
      identity = reg?.identity ?? identityOf(obj, {}, json);
    } catch (e) {
      run.error(obj, (e as Error).message);
      return;
    }
    const profile = (options.profile ?? this.charts.get(Chart.of(obj)) ?? HardeningProfile.restricted())._resolve();
    const kind = workloadKindOf(json)!;
    const namespace: string | undefined = json.metadata?.namespace;
    const template = at(json, kind.templatePath) ?? {};

    claimIdentity(pass, obj, identity, namespace, owner.node.path);
    const selector = at(json, kind.selectorPath ?? []);
    const addr = (kind.plainSelector ? selector : selector?.matchLabels)?.[CDK8S_ADDR_LABEL] ?? template.metadata?.labels?.[CDK8S_ADDR_LABEL];
    if (addr) pass.addrToLabels.set(addr, selectorLabelsOf(identity));

    const serviceAccountName = this.serviceAccountFor(pass, obj, owner, identity, options, profile, namespace, template.spec ?? {});
    if (options.podDisruptionBudget !== false && kind.replicated && (json.spec?.replicas ?? 1) >= 2) {
      this.derive(run, pass.wanted, owner, 'PodDisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: derivedMetadata(objectNameOf(identity), namespace, { ...podLabelsOf(identity), ...MANAGED_BY }),
        spec: disruptionBudgetSpec(selectorLabelsOf(identity)),
      });
    }

    pass.hardened.add(obj);
    if (!profile.relaxed.has(RelaxationName.NO_NETWORK_POLICY)) pass.networkTargets.set(obj, owner.node.path);
    const result = hardenWorkload(json, {
      profile,
      labels: podLabelsOf(identity),
      selector: selectorLabelsOf(identity),
      serviceAccountName,
      priorityClassName: options.priorityClassName,
      plusDefaultResources: containersWithPlusDefaults(owner),
      // affinities written by cdk8s-plus (spread, colocate...) may name other workloads by hash
      rewriteSelectors: (j: any) => replaceAddrSelectors(j, pass.addrToLabels),
      target: KubernetesTarget.of(obj),
    });
    run.manifests.set(obj, result.manifest);
    for (const e of result.errors) run.error(obj, `${where} ${e}`);
    pass.fixed.push({ obj, where, workload: result.fixed });
  }

  /**
   * The dedicated ServiceAccount (derived unless the pod names its own or the
   * option is off), and the refusal to cut a pod whose account is bound to a
   * role off from the API. Returns the name the pod should run as, if derived.
   */
  private serviceAccountFor(pass: HardeningPass, obj: ApiObject, owner: IConstruct, identity: Identity,
    options: WorkloadHardeningOptions, profile: ResolvedProfile, namespace: string | undefined, podSpec: any): string | undefined {
    const ownAccount = podSpec.serviceAccountName && podSpec.serviceAccountName !== 'default' ? podSpec.serviceAccountName : undefined;
    const serviceAccountName = options.serviceAccount !== false && !ownAccount ? objectNameOf(identity) : undefined;
    if (serviceAccountName) {
      this.derive(pass.run, pass.wanted, owner, 'ServiceAccount', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: derivedMetadata(serviceAccountName, namespace, { ...podLabelsOf(identity), ...MANAGED_BY }),
        automountServiceAccountToken: false,
      });
    }
    const account = ownAccount ?? serviceAccountName ?? 'default';
    const binding = pass.bindings.get(`${namespace ?? ''}/${account}`);
    const tokenRelaxed = profile.relaxed.has(RelaxationName.SERVICE_ACCOUNT_TOKEN);
    const projectsToken = (podSpec.volumes ?? []).some((v: any) => (v.projected?.sources ?? []).some((x: any) => x.serviceAccountToken));
    if (binding && !tokenRelaxed && podSpec.automountServiceAccountToken !== false && !projectsToken) {
      pass.run.error(obj, `[${owner.node.path}] spec.automountServiceAccountToken: the pod's ServiceAccount '${account}' is bound by ${binding} in this app, so the pod calls the Kubernetes API, but the profile would unmount its token. `
        + 'Fix: add Relaxation.serviceAccountToken(reason) to its profile (Harden.workload(w, { profile }) or, once for a chart, Harden.chart(chart, { profile }))');
    }
    return serviceAccountName;
  }

  /**
   * A ServiceAccount or PodDisruptionBudget of `owner`: created once, its
   * manifest recomputed each run. `manifest` must be a fresh object, shared with nothing.
   */
  private derive(run: PipelineRun, wanted: Set<string>, owner: IConstruct, kind: string, manifest: DerivedManifest): void {
    const key = `${owner.node.path}/${kind}`;
    wanted.add(key);
    let obj = this.derived.get(key);
    if (!obj || !owner.node.tryFindChild(kind)) {
      const props = cloneJson(manifest);
      obj = emit(owner, kind, props);
      this.derived.set(key, obj);
      // its manifest is `manifest`, computed each run: never rendered by cdk8s
      this.pipeline.supply(obj, () => props);
    }
    run.put(obj, manifest);
  }
}

const STATE = Symbol.for('cdk8s-superlatch.hardening-state');

/** `name`, `namespace` (when there is one), then a copy of `labels`: the metadata of a derived object. */
function derivedMetadata(name: string, namespace: string | undefined, labels: Record<string, string>): ObjectMeta {
  return namespace === undefined ? { name, labels: { ...labels } } : { name, namespace, labels: { ...labels } };
}

/** What the hardening derives for a workload. */
type DerivedManifest = Manifest<ServiceAccount> | Manifest<PodDisruptionBudget>;

/** What one HARDENING stage run collects across the app's workloads. */
interface HardeningPass {
  readonly run: PipelineRun;
  /** `namespace/account` -> the (Cluster)RoleBinding that binds it. */
  readonly bindings: Map<string, string>;
  /** `namespace/name` -> the identities claimed there, with their construct paths. */
  readonly claimed: Map<string, Array<{ identity: Identity; path: string }>>;
  readonly addrToLabels: Map<string, Record<string, string>>;
  readonly hardened: Set<ApiObject>;
  /** The workloads fixed by this pass, for the profile's checks. */
  readonly fixed: Array<{ obj: ApiObject; where: string; workload: WorkloadUnderHardening }>;
  /** Hardened workloads whose network coverage the profile enforces, with their construct paths. */
  readonly networkTargets: Map<ApiObject, string>;
  /** Keys of the derived objects this run wants. */
  readonly wanted: Set<string>;
}

/** Records `identity` in its namespace, refusing a second workload that would select the same pods. */
function claimIdentity(pass: HardeningPass, obj: ApiObject, identity: Identity, namespace: string | undefined, path: string): void {
  const key = `${namespace ?? ''}/${identity.name}`;
  const others = pass.claimed.get(key) ?? [];
  const clash = others.find((o) => o.identity.component === identity.component || !o.identity.component || !identity.component);
  if (clash) {
    pass.run.error(obj, `[${path}] and [${clash.path}] have the same identity in namespace '${namespace ?? '(none)'}' (${NAME}=${identity.name}`
      + `${identity.component ? `, component ${identity.component}` : ''} vs ${clash.identity.component ? `component ${clash.identity.component}` : 'no component'}):`
      + " each would select the other's pods, and their ServiceAccounts, budgets and policies would collide. Fix: give one of them a distinct 'name' or 'component' in Harden.workload()");
  }
  pass.claimed.set(key, [...others, { identity, path }]);
}

/**
 * The manifest a raw ApiObject (Include, Helm, hand-written) was declared with,
 * for its identity before synthesis; undefined for a cdk8s-plus construct's
 * `Resource`, whose labels are the construct's own.
 */
function declaredManifest(obj: ApiObject): any {
  return obj.node.id === 'Resource' ? undefined : { kind: obj.kind, ...((obj as any).props ?? {}) };
}
const NETWORK = new WeakMap<PipelineRun, Map<ApiObject, string>>();
const SELECTORS = new WeakMap<PipelineRun, { addrToLabels: Map<string, Record<string, string>>; skip: Set<ApiObject> }>();

/** The SELECTORS stage: cdk8s-plus hash selectors anywhere in the app get the stable labels. */
export function rewriteAppSelectors(run: PipelineRun): void {
  const state = SELECTORS.get(run);
  if (!state || state.addrToLabels.size === 0) return;
  for (const [obj, json] of run.manifests) {
    if (!state.skip.has(obj)) run.manifests.set(obj, replaceAddrSelectors(json, state.addrToLabels));
  }
}

/** `namespace/serviceAccount` -> the first binding (kind/name) that grants it a role. */
function serviceAccountBindings(manifests: any[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of manifests) {
    if (m?.kind !== 'RoleBinding' && m?.kind !== 'ClusterRoleBinding') continue;
    for (const s of m.subjects ?? []) {
      if (s?.kind !== 'ServiceAccount') continue;
      const ns = s.namespace ?? (m.kind === 'RoleBinding' ? m.metadata?.namespace : undefined) ?? '';
      const key = `${ns}/${s.name}`;
      if (!out.has(key)) out.set(key, `${m.kind} '${m.metadata?.name}' (${m.roleRef?.kind} '${m.roleRef?.name}')`);
    }
  }
  return out;
}

function replaceAddrSelectors(json: any, map: Map<string, Record<string, string>>): any {
  return map.size > 0 ? replaceAddrLabels(json, map) : json;
}

/**
 * `json` with every known construct-path hash label replaced by the stable
 * labels (same key order, the stable labels' new keys last). Copy on write: what
 * holds no such label is returned as it is, so most of a manifest is not copied.
 */
function replaceAddrLabels(json: any, map: Map<string, Record<string, string>>): any {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) {
    let copy: any[] | undefined;
    for (let i = 0; i < json.length; i++) {
      const y = replaceAddrLabels(json[i], map);
      if (y !== json[i]) (copy ??= [...json])[i] = y;
    }
    return copy ?? json;
  }
  let out: any;
  for (const k in json) {
    const v = json[k];
    const y = replaceAddrLabels(v, map);
    if (y !== v) (out ??= { ...json })[k] = y;
  }
  const addr = json[CDK8S_ADDR_LABEL];
  const stable = typeof addr === 'string' ? map.get(addr) : undefined;
  if (!stable) return out ?? json;
  out ??= { ...json };
  delete out[CDK8S_ADDR_LABEL];
  return Object.assign(out, stable);
}
