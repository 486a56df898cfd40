import { SuperlatchKeys } from '../contract';
import { ResolvedProfile } from './hardening-profile';
import { RelaxationName } from './relaxation';
import { withoutPlusDefaults } from './resources';
import { DIGEST_PINNED, digestForms } from '../internal/digest';
import { canonicalJson, sortKeys, sortKeysDeep } from '../internal/objects';
import { quantity } from '../internal/quantity';
import { at as valueAt, ensureAt, WorkloadKind, workloadKindOf } from '../internal/workload-kinds';
import { KubernetesVersion } from '../target/kubernetes-version';

/**
 * The hardened profile as one pure function over a rendered workload manifest.
 * It serves cdk8s-plus workloads and raw ApiObjects alike, and runs on the final
 * JSON (after escape-hatch patches), so what it guarantees is what is written.
 */

/** The label cdk8s-plus puts in selectors: a hash of the construct path. */
export const CDK8S_ADDR_LABEL = 'cdk8s.io/metadata.addr';

export const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The `appArmorProfile` field (1.30+) of a profile written `runtime/default` or `localhost/<name>`. */
export function appArmorFieldOf(profile: string): any {
  return profile.startsWith('localhost/') ? { localhostProfile: profile.slice('localhost/'.length), type: 'Localhost' } : { type: 'RuntimeDefault' };
}

function smaller(a: string, b: string): string {
  const [x, y] = [quantity(a), quantity(b)];
  return x !== undefined && y !== undefined && x > y ? b : a;
}

function larger(a: string, b: string): string {
  const [x, y] = [quantity(a), quantity(b)];
  return x !== undefined && y !== undefined && y > x ? b : a;
}

/** Whether `manifest` is a workload: a built-in kind, or any kind that carries a pod template. */
export function isWorkload(manifest: any): boolean {
  return workloadKindOf(manifest) !== undefined;
}

/** Where the pod template of `manifest` sits. */
export function templatePath(manifest: any): readonly string[] {
  const kind = workloadKindOf(manifest);
  if (!kind) throw new Error(`a ${manifest?.kind} has no pod template`);
  return kind.templatePath;
}

/** The projected ServiceAccount token an application container gets when the pod's own token stays off (latch pods). */
const APP_TOKEN_VOLUME = 'kube-api-access-app';
const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

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

export interface HardenResult {
  readonly manifest: any;
  readonly errors: string[];
}

/**
 * Hardens `manifest` (a freshly rendered object, modified in place) and returns
 * it with the problems the profile cannot fix by itself.
 */
export function hardenWorkload(manifest: any, ctx: HardenContext): HardenResult {
  return new WorkloadHardener(manifest, ctx).run();
}

type IsRelaxed = (n: RelaxationName) => boolean;

/** One run of the profile over one workload manifest, one method per concern, in the order they apply. */
class WorkloadHardener {
  private readonly errors: string[] = [];
  /** Stricter values a relaxation left as the workload had them (the trace lists them). */
  private readonly kept: string[] = [];
  private readonly kind: WorkloadKind;
  private readonly profile: ResolvedProfile;
  private readonly template: any;
  private readonly tpJson: string;
  private readonly spec: any;
  private readonly meta: any;
  private readonly tmeta: any;
  private psc: any = {};
  private selectorOwner: any;
  /** Pod-template annotations, written back after the containers. */
  private annotations: Record<string, string> = {};
  /** Containers the latch added: they never take the workload's relaxations. */
  private strict = new Set<string>();

  constructor(private readonly obj: any, private readonly ctx: HardenContext) {
    this.kind = workloadKindOf(obj)!;
    this.profile = ctx.profile;
    this.template = ensureAt(obj, this.kind.templatePath);
    this.tpJson = this.kind.templatePath.join('.');
    this.spec = ensure(this.template, 'spec');
    this.meta = ensure(obj, 'metadata');
    this.tmeta = ensure(this.template, 'metadata');
  }

  public run(): HardenResult {
    this.identity();
    this.refuseHostAccess();
    this.userNamespaces();
    this.podSecurityContext();
    this.annotations = { ...(this.tmeta.annotations ?? {}) };
    this.strict = new Set(String(this.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION] ?? '').split(',').filter((x) => x));
    this.serviceAccount();
    this.containers();
    this.scheduling();
    this.trace();
    this.checkSelector();
    sortTouched(this.obj, this.template, this.selectorOwner);
    return { manifest: this.obj, errors: this.errors };
  }

  private readonly relaxed: IsRelaxed = (n) => this.profile.relaxed.has(n);

  private fail(field: string, problem: string, fix: string): void {
    this.errors.push(`${field}: ${problem}. Fix: ${fix}`);
  }

  /** A path under the pod template. */
  private at(rest: string): string {
    return [this.tpJson, rest].filter((x) => x).join('.');
  }

  /**
   * Stable identity: labels added where missing, never changed; only cdk8s-plus
   * construct-path hashes are replaced (foreign selectors keep working).
   */
  private identity(): void {
    const { ctx, kind, obj, tmeta } = this;
    this.meta.labels = { ...ctx.labels, ...(this.meta.labels ?? {}) };
    const hashed = (tmeta.labels ?? {})[CDK8S_ADDR_LABEL] !== undefined;
    const tlabels = { ...ctx.labels, ...(tmeta.labels ?? {}) };
    if (hashed) Object.assign(tlabels, ctx.labels);
    for (const [k, v] of Object.entries(ctx.labels)) {
      if (tlabels[k] !== v) {
        this.fail(this.at(`metadata.labels.${k}`), `the workload's identity says ${k}=${v} but its pods are labelled ${k}=${tlabels[k]} (labels of upstream pods are kept, so Services keep selecting them)`,
          "remove the 'name'/'component' option of Harden.workload(), or make it match the pod label");
      }
    }
    delete tlabels[CDK8S_ADDR_LABEL];
    tmeta.labels = tlabels;
    this.selectorOwner = kind.selectorPath ? valueAt(obj, kind.selectorPath.slice(0, -1)) : undefined;
    const selector = this.selectorOwner?.selector;
    const matchLabels = kind.plainSelector ? selector : selector?.matchLabels;
    if (matchLabels?.[CDK8S_ADDR_LABEL] !== undefined) {
      const ml = { ...matchLabels, ...ctx.selector };
      delete ml[CDK8S_ADDR_LABEL];
      if (kind.plainSelector) this.selectorOwner.selector = ml;
      else selector.matchLabels = ml;
    }
  }

  /** User namespaces (`hostUsers: false`) when the profile asks for them, from Kubernetes 1.33. */
  private userNamespaces(): void {
    if (!this.profile.userNamespaces) return;
    const target = this.ctx.target ?? KubernetesVersion.DEFAULT;
    if (!target.isAtLeast(KubernetesVersion.V1_33)) {
      this.fail(this.at('spec.hostUsers'), `user namespaces are on by default only from Kubernetes v1.33 (the target is ${target.name})`,
        'target v1.33 or later with KubernetesTarget.set(app, KubernetesVersion.V1_33), or remove userNamespaces from the profile');
    } else if (this.spec.hostUsers === true) {
      this.fail(this.at('spec.hostUsers'), 'the pod asks for the host user namespace but the profile runs it in its own', 'remove hostUsers: true, or userNamespaces from the profile');
    }
    this.spec.hostUsers = false;
  }

  /** What the profile refuses outright (no relaxation: outside what we harden). */
  private refuseHostAccess(): void {
    const spec = this.spec;
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[ns] === true) this.fail(this.at(`spec.${ns}`), 'host namespaces are not allowed', `remove ${ns} (it shares the node's ${ns.slice(4)} namespace with the pod)`);
    }
    if (spec.securityContext?.sysctls?.length) {
      this.fail(this.at('spec.securityContext.sysctls'), 'sysctls are not allowed by the hardened profile', 'remove the sysctls or tune them on the node');
    }
    (spec.volumes ?? []).forEach((v: any, i: number) => {
      if (v.hostPath) this.fail(this.at(`spec.volumes[${i}].hostPath`), `volume '${v.name}' mounts a host path`, 'use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim instead');
    });
  }

  private podSecurityContext(): void {
    const { profile } = this;
    const psc = this.psc = ensure(this.spec, 'securityContext');
    if (this.relaxed(RelaxationName.RUN_AS_ROOT)) {
      if (psc.runAsNonRoot === true) this.kept.push(`${this.at('spec.securityContext.runAsNonRoot')}: true`);
    } else {
      if (psc.runAsNonRoot === false) this.fail(this.at('spec.securityContext.runAsNonRoot'), 'the pod may run as root', 'remove runAsNonRoot: false, or add Relaxation.runAsRoot(reason)');
      psc.runAsNonRoot = true;
      this.setId(psc, 'runAsUser', profile.user, this.at('spec.securityContext.runAsUser'));
      this.setId(psc, 'runAsGroup', profile.group, this.at('spec.securityContext.runAsGroup'));
    }
    this.setId(psc, 'fsGroup', profile.fsGroup, this.at('spec.securityContext.fsGroup'));
    psc.fsGroupChangePolicy = 'OnRootMismatch';
    this.applySeccomp(psc, this.at('spec.securityContext.seccompProfile'));
  }

  /** Dedicated ServiceAccount, token not mounted (or, relaxed, only for the application containers of a latch pod). */
  private serviceAccount(): void {
    const { spec, ctx } = this;
    if (this.relaxed(RelaxationName.SERVICE_ACCOUNT_TOKEN)) {
      if (spec.automountServiceAccountToken === false) {
        this.kept.push(`${this.at('spec.automountServiceAccountToken')}: false`);
      } else if (this.strict.size > 0) {
        // the latch's containers never see the token: only the application containers mount it
        spec.automountServiceAccountToken = false;
        mountAppToken(spec, this.strict);
      } else {
        spec.automountServiceAccountToken = true;
      }
    } else {
      if (spec.automountServiceAccountToken === true) this.fail(this.at('spec.automountServiceAccountToken'), 'the ServiceAccount token is mounted', 'remove it, or add Relaxation.serviceAccountToken(reason) if the pod calls the Kubernetes API');
      spec.automountServiceAccountToken = false;
    }
    if (ctx.priorityClassName && !spec.priorityClassName) spec.priorityClassName = ctx.priorityClassName;
    if (ctx.serviceAccountName && (!spec.serviceAccountName || spec.serviceAccountName === 'default')) {
      spec.serviceAccountName = ctx.serviceAccountName;
    }
  }

  /**
   * Every container (init containers first), /tmp as a small emptyDir, AppArmor, the latch's own uid.
   * The latch's containers never mount the application's shared `tmp` (a writable channel between
   * them that nothing in the agent or gate uses); they mount it only in a pod of latch containers alone (the hub master).
   */
  private containers(): void {
    const { spec, profile, strict, annotations } = this;
    const wantsTmp = profile.tmpSizeLimit !== undefined;
    const all: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const tmpShared = all.some((c) => !strict.has(c.name));
    let needsTmp = false;
    for (const group of ['initContainers', 'containers']) {
      const list: any[] = spec[group] ?? [];
      list.forEach((c, i) => {
        this.hardenContainer(c, this.at(`spec.${group}[${i}]`), group === 'initContainers', strict.has(c.name) ? () => false : this.relaxed);
        const ownTmp = !(strict.has(c.name) && tmpShared);
        if (wantsTmp && ownTmp && !(c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp' || m.mountPath === '/tmp/')) {
          c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'tmp', mountPath: '/tmp' }];
          needsTmp = true;
        }
        this.appArmor(c, `spec.${group}[${i}]`);
      });
    }
    if (this.appArmorField() && !this.relaxed(RelaxationName.NO_APPARMOR)) this.podAppArmor();
    if ((spec.containers ?? []).length === 0) this.fail(this.at('spec.containers'), 'the pod has no containers', 'add at least one container');
    this.latchUids();
    if (needsTmp) this.tmpVolume();
    if (Object.keys(annotations).length > 0) this.tmeta.annotations = annotations;
  }

  /** AppArmor is the `appArmorProfile` field from Kubernetes 1.30, the per-container annotation before. */
  private appArmorField(): boolean {
    return (this.ctx.target ?? KubernetesVersion.DEFAULT).isAtLeast(KubernetesVersion.V1_30);
  }

  /**
   * One container's AppArmor profile: never unconfined (annotation or field);
   * before 1.30 the annotation, from 1.30 the pod's field covers it, or its own
   * field when the pod goes without (a relaxed pod's latch containers).
   */
  private appArmor(c: any, where: string): void {
    const key = APPARMOR_PREFIX + c.name;
    const strict = this.strict.has(c.name);
    if (this.relaxed(RelaxationName.NO_APPARMOR) && !strict) return;
    if (this.annotations[key] === 'unconfined') {
      this.fail(`${this.tpJson ? this.tpJson + '.' : ''}metadata.annotations['${key}']`, `container '${c.name}' runs unconfined by AppArmor`, 'remove the annotation, or add Relaxation.noAppArmor(reason)');
    }
    if (!this.appArmorField()) {
      this.annotations[key] = this.annotations[key] ?? this.profile.appArmorProfile;
      return;
    }
    if (c.securityContext?.appArmorProfile?.type === 'Unconfined') {
      this.fail(this.at(`${where}.securityContext.appArmorProfile.type`), `container '${c.name}' runs unconfined by AppArmor`, 'remove the field, or add Relaxation.noAppArmor(reason)');
    }
    if (strict && this.relaxed(RelaxationName.NO_APPARMOR) && !c.securityContext?.appArmorProfile && this.annotations[key] === undefined) {
      c.securityContext = sortKeys({ ...(c.securityContext ?? {}), appArmorProfile: appArmorFieldOf(this.profile.appArmorProfile) });
    }
  }

  /** The pod-level `appArmorProfile` (1.30+): the profile's, unless the pod names its own; never Unconfined. */
  private podAppArmor(): void {
    const psc = this.psc;
    if (psc.appArmorProfile?.type === 'Unconfined') {
      this.fail(this.at('spec.securityContext.appArmorProfile.type'), 'the pod runs unconfined by AppArmor', 'remove the field, or add Relaxation.noAppArmor(reason)');
    }
    psc.appArmorProfile = psc.appArmorProfile ?? appArmorFieldOf(this.profile.appArmorProfile);
  }

  /** The latch's containers run as their own uid, never one of the application's. */
  private latchUids(): void {
    const { spec, strict } = this;
    if (strict.size === 0) return;
    const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const uid = (c: any) => c.securityContext?.runAsUser ?? this.psc.runAsUser;
    const appUids = new Set(all.filter((c) => !strict.has(c.name)).map(uid));
    for (const c of all.filter((x) => strict.has(x.name) && appUids.has(uid(x)))) {
      this.fail(this.at('spec.containers'), `latch container '${c.name}' runs as uid ${uid(c)}, like the application containers (a shared uid can read the agent's files through /proc)`, "give the latch a distinct 'agentUser'");
    }
  }

  private tmpVolume(): void {
    const volumes: any[] = this.spec.volumes ?? [];
    const existing = volumes.find((v) => v.name === 'tmp');
    if (existing && !existing.emptyDir) {
      this.fail(this.at('spec.volumes'), "a volume named 'tmp' exists but is not an emptyDir, and the profile needs that name for /tmp", 'rename your volume, or mount your own volume at /tmp');
    } else if (!existing) {
      volumes.push({ name: 'tmp', emptyDir: { sizeLimit: this.profile.tmpSizeLimit } });
    }
    this.spec.volumes = volumes;
  }

  /** Spreading (Polaris topologySpreadConstraint), anti-affinity for 2+ replicas, stable selectors in both. */
  private scheduling(): void {
    const { spec, ctx, kind } = this;
    if (!kind.batch) {
      if (!spec.topologySpreadConstraints?.length) {
        spec.topologySpreadConstraints = [{
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: ctx.selector },
        }];
      }
      if (kind.replicated && (this.obj.spec?.replicas ?? 1) >= 2 && !spec.affinity?.podAntiAffinity) {
        spec.affinity = {
          ...(spec.affinity ?? {}),
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: ctx.selector } },
            }],
          },
        };
      }
    }
    if (ctx.rewriteSelectors) {
      for (const key of ['affinity', 'topologySpreadConstraints']) {
        if (spec[key] !== undefined) spec[key] = ctx.rewriteSelectors(spec[key]);
      }
    }
  }

  /** The trace: which profile, which relaxations and why, which stricter values were kept. */
  private trace(): void {
    const { profile } = this;
    const annotations: Record<string, string> = { ...(this.meta.annotations ?? {}) };
    annotations[SuperlatchKeys.PROFILE_ANNOTATION] = profile.preset;
    if (profile.relaxations.length > 0) {
      annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION] = profile.relaxations.map((r) => r.toString()).join('\n');
    }
    if (this.kept.length > 0) annotations[SuperlatchKeys.STRICTER_KEPT_ANNOTATION] = this.kept.join('\n');
    this.meta.annotations = annotations;
  }

  /** Never write a workload whose selector does not select its own pods. */
  private checkSelector(): void {
    const { kind, selectorOwner, tmeta } = this;
    const finalSelector = kind.plainSelector ? selectorOwner?.selector : selectorOwner?.selector?.matchLabels;
    for (const [k, v] of Object.entries(finalSelector ?? {})) {
      if (tmeta.labels[k] !== v) {
        this.fail(`${kind.selectorPath!.join('.')}${kind.plainSelector ? '' : '.matchLabels'}.${k}`, `the selector wants ${k}=${v} but the pod template has ${tmeta.labels[k] === undefined ? 'no such label' : `${k}=${tmeta.labels[k]}`}, so the workload would not select its own pods`, 'make the \'name\'/\'component\' given to Harden.workload() match the pod labels, or remove the option to keep the workload\'s own labels');
      }
    }
  }

  private setId(sc: any, field: string, value: number, path: string, isRelaxed: IsRelaxed = this.relaxed): void {
    const current = sc[field];
    if (current === undefined) {
      sc[field] = value;
    } else if (current === 0) {
      this.fail(path, `${field} is 0 (root)`, field === 'fsGroup' ? 'use a non-zero fsGroup' : 'remove it (the profile sets a non-root id), or add Relaxation.runAsRoot(reason)');
    } else if (current <= 10000 && !isRelaxed(RelaxationName.LOW_IDS)) {
      this.fail(path, `${field} ${current} is not above 10000`, 'use an id above 10000, or add Relaxation.lowIds(reason)');
    }
  }

  private applySeccomp(sc: any, path: string, isRelaxed: IsRelaxed = this.relaxed): void {
    if (isRelaxed(RelaxationName.NO_SECCOMP)) return;
    if (sc.seccompProfile?.type === 'Unconfined') {
      this.fail(path, 'seccomp is Unconfined', 'remove it, or add Relaxation.noSeccomp(reason)');
    }
    sc.seccompProfile = sc.seccompProfile && sc.seccompProfile.type !== 'Unconfined' ? sc.seccompProfile : this.profile.seccompProfile;
  }

  private hardenContainer(c: any, path: string, init: boolean, isRelaxed: IsRelaxed): void {
    this.containerSecurityContext(c, path, isRelaxed);
    this.capabilities(c, path, isRelaxed);
    this.imageAndPorts(c, path, isRelaxed);
    this.secretsInEnv(c, path, isRelaxed);
    if (this.ctx.plusDefaultResources?.includes(c.name)) c.resources = withoutPlusDefaults(c.resources);
    this.fillResources(ensure(c, 'resources'), `${path}.resources`, c.name);
    if (!init && !this.kind.batch && !isRelaxed(RelaxationName.NO_PROBES)) this.probes(c, path);
  }

  private containerSecurityContext(c: any, path: string, isRelaxed: IsRelaxed): void {
    const sc = ensure(c, 'securityContext');
    const scPath = `${path}.securityContext`;
    if (sc.privileged === true) this.fail(`${scPath}.privileged`, `container '${c.name}' is privileged`, 'remove privileged: true');
    sc.privileged = false;
    if (sc.procMount && sc.procMount !== 'Default') this.fail(`${scPath}.procMount`, `container '${c.name}' unmasks /proc`, 'remove procMount');

    if (isRelaxed(RelaxationName.RUN_AS_ROOT)) {
      if (sc.runAsNonRoot === true) this.kept.push(`${scPath}.runAsNonRoot: true`);
    } else {
      if (sc.runAsNonRoot === false) this.fail(`${scPath}.runAsNonRoot`, `container '${c.name}' may run as root`, 'remove runAsNonRoot: false, or add Relaxation.runAsRoot(reason)');
      sc.runAsNonRoot = true;
      this.setId(sc, 'runAsUser', this.psc.runAsUser ?? this.profile.user, `${scPath}.runAsUser`, isRelaxed);
      this.setId(sc, 'runAsGroup', this.psc.runAsGroup ?? this.profile.group, `${scPath}.runAsGroup`, isRelaxed);
    }
    this.applySeccomp(sc, `${scPath}.seccompProfile`, isRelaxed);

    if (isRelaxed(RelaxationName.PRIVILEGE_ESCALATION)) {
      if (sc.allowPrivilegeEscalation === false) this.kept.push(`${scPath}.allowPrivilegeEscalation: false`);
    } else {
      if (sc.allowPrivilegeEscalation === true) this.fail(`${scPath}.allowPrivilegeEscalation`, `container '${c.name}' allows privilege escalation`, 'remove it, or add Relaxation.privilegeEscalation(reason)');
      sc.allowPrivilegeEscalation = false;
    }

    if (isRelaxed(RelaxationName.WRITABLE_ROOT_FILESYSTEM)) {
      if (sc.readOnlyRootFilesystem === true) this.kept.push(`${scPath}.readOnlyRootFilesystem: true`);
      else sc.readOnlyRootFilesystem = false;
    } else {
      if (sc.readOnlyRootFilesystem === false) this.fail(`${scPath}.readOnlyRootFilesystem`, `container '${c.name}' has a writable root filesystem`, 'mount writable paths as emptyDir volumes, or add Relaxation.writableRootFilesystem(reason)');
      sc.readOnlyRootFilesystem = true;
    }
  }

  private capabilities(c: any, path: string, isRelaxed: IsRelaxed): void {
    const sc = c.securityContext;
    const added = ((sc.capabilities?.add ?? []) as string[]).map((x) => String(x).toUpperCase().replace(/^CAP_/, ''));
    const allowedCaps = isRelaxed(RelaxationName.ADD_CAPABILITIES) ? this.profile.addCapabilities : [];
    const notAllowed = added.filter((x) => !allowedCaps.includes(x));
    if (notAllowed.length > 0) {
      this.fail(`${path}.securityContext.capabilities.add`, `container '${c.name}' adds ${notAllowed.join(', ')}`, `remove them, or add Relaxation.addCapabilities([${notAllowed.map((x) => `'${x}'`).join(', ')}], reason)`);
    }
    const add = [...new Set([...added, ...allowedCaps])].sort();
    sc.capabilities = add.length > 0 ? { add, drop: ['ALL'] } : { drop: ['ALL'] };
  }

  private imageAndPorts(c: any, path: string, isRelaxed: IsRelaxed): void {
    if (typeof c.image !== 'string' || c.image.length === 0) {
      this.fail(`${path}.image`, `container '${c.name}' has no image`, 'set an image pinned by digest');
    } else if (!DIGEST_PINNED.test(c.image) && !isRelaxed(RelaxationName.TAG_ONLY_IMAGES)) {
      this.fail(`${path}.image`, `image '${c.image}' of container '${c.name}' is not pinned by digest`, `pin it as ${digestForms(c.image.split('@')[0], "'")} (e.g. from 'crane digest'), or add Relaxation.tagOnlyImages(reason)`);
    }
    c.imagePullPolicy = c.imagePullPolicy ?? 'Always';

    (c.ports ?? []).forEach((p: any, j: number) => {
      if (p.hostPort !== undefined && p.hostPort !== 0) this.fail(`${path}.ports[${j}].hostPort`, `container '${c.name}' binds host port ${p.hostPort}`, 'remove hostPort and expose the port through a Service');
      if (typeof p.containerPort === 'number' && p.containerPort < 1024 && !isRelaxed(RelaxationName.PRIVILEGED_PORTS)) {
        this.fail(`${path}.ports[${j}].containerPort`, `container '${c.name}' listens on privileged port ${p.containerPort}`, 'listen on a port >= 1024 (a Service can still expose 80/443), or add Relaxation.privilegedPorts(reason)');
      }
    });
  }

  private secretsInEnv(c: any, path: string, isRelaxed: IsRelaxed): void {
    if (isRelaxed(RelaxationName.SECRETS_IN_ENV)) return;
    const fix = "mount the Secret as a read-only 'secret' volume (defaultMode 0400) and read the file, or add Relaxation.secretsInEnv(reason)";
    (c.env ?? []).forEach((e: any, j: number) => {
      const ref = e?.valueFrom?.secretKeyRef;
      if (ref) this.fail(`${path}.env[${j}].valueFrom.secretKeyRef`, `container '${c.name}' reads Secret '${ref.name}' key '${ref.key}' into env var '${e.name}'`, fix);
    });
    (c.envFrom ?? []).forEach((e: any, j: number) => {
      if (e?.secretRef) this.fail(`${path}.envFrom[${j}].secretRef`, `container '${c.name}' loads every key of Secret '${e.secretRef.name}' into its environment`, fix);
    });
  }

  /**
   * Fills unset requests and limits from the profile without ever making a
   * request exceed its limit: a lone limit gets the smaller of the default
   * request and itself; a lone request gets the larger of the default limit and itself.
   */
  private fillResources(res: any, path: string, container: string): void {
    const defaults = this.profile.resources;
    const requests = { ...(res.requests ?? {}) };
    const limits = { ...(res.limits ?? {}) };
    for (const r of Object.keys(defaults.requests)) {
      const req = requests[r];
      const lim = limits[r];
      if (req === undefined && lim === undefined) {
        requests[r] = defaults.requests[r];
        limits[r] = defaults.limits[r];
      } else if (req === undefined) {
        requests[r] = smaller(defaults.requests[r], lim);
      } else if (lim === undefined) {
        limits[r] = larger(defaults.limits[r], req);
      } else if ((quantity(req) ?? 0) > (quantity(lim) ?? Infinity)) {
        this.fail(`${path}.requests.${r}`, `container '${container}' requests ${req} of ${r}, more than its limit ${lim}`, 'raise the limit or lower the request');
      }
    }
    res.requests = requests;
    res.limits = limits;
  }

  private probes(c: any, path: string): void {
    const fix = 'give the container both probes (e.g. liveness on a /healthz endpoint, readiness on /ready), or add Relaxation.noProbes(reason)';
    if (!c.livenessProbe) this.fail(`${path}.livenessProbe`, `container '${c.name}' has no liveness probe`, fix);
    if (!c.readinessProbe) this.fail(`${path}.readinessProbe`, `container '${c.name}' has no readiness probe`, fix);
    if (c.livenessProbe && c.readinessProbe && canonicalJson(c.livenessProbe) === canonicalJson(c.readinessProbe)) {
      this.fail(`${path}.livenessProbe`, `container '${c.name}' has identical liveness and readiness probes (a slow dependency would restart it instead of taking it out of endpoints)`, 'make liveness check only that the process is alive, and readiness that it can serve');
    }
  }
}

function ensure(o: any, key: string): any {
  if (o[key] === undefined || o[key] === null) o[key] = {};
  return o[key];
}

/**
 * Gives the application containers (not the latch's) the pod's ServiceAccount
 * token as a projected volume, as the kubelet would with automounting.
 */
function mountAppToken(spec: any, strict: Set<string>): void {
  const volumes: any[] = spec.volumes ?? [];
  if (!volumes.some((v) => v.name === APP_TOKEN_VOLUME)) {
    volumes.push({
      name: APP_TOKEN_VOLUME,
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
  }
  spec.volumes = volumes;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (strict.has(c.name) || (c.volumeMounts ?? []).some((m: any) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: APP_TOKEN_VOLUME, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
  }
}

/**
 * cdk8s renders keys sorted; re-sort the maps this transform touched so the
 * output reads the same way (the untouched rest is already sorted).
 */
function sortTouched(obj: any, template: any, selectorOwner: any): void {
  obj.metadata = sortKeysDeep(obj.metadata);
  template.metadata = sortKeysDeep(template.metadata);
  if (selectorOwner?.selector) selectorOwner.selector = sortKeysDeep(selectorOwner.selector);
  const spec = template.spec;
  for (const key of ['securityContext', 'volumes', 'topologySpreadConstraints', 'affinity']) {
    if (spec[key] !== undefined) spec[key] = sortKeysDeep(spec[key]);
  }
  for (const group of ['initContainers', 'containers']) {
    if (!spec[group]) continue;
    spec[group] = spec[group].map((c: any) => {
      for (const key of ['securityContext', 'resources', 'volumeMounts']) {
        if (c[key] !== undefined) c[key] = sortKeysDeep(c[key]);
      }
      return sortKeys(c);
    });
  }
  template.spec = sortKeys(spec);
}
