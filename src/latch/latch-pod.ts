import { SuperlatchKeys } from '../contract';
import { FailurePolicy } from './failure-policy';
import { LatchCredentials } from './latch-credentials';
import type { PodInjection } from './modes/mode-strategy';
import { ResourceDefaults } from '../hardening/hardening-profile';
import { templatePath } from '../hardening/pod-hardening';
import { mebibytes } from '../internal/objects';
import { KubernetesVersion } from '../target/kubernetes-version';

/**
 * What the latch writes into pods, as pure functions over rendered manifests
 * (run as a post-render step before the hardening profile, so the agent and
 * gate containers are hardened like every other container).
 */

export const AGENT_CONTAINER = 'latch-agent';
export const GATE_CONTAINER = 'latch-gate';
export const STATUS_VOLUME = 'latch-status';
export const CREDENTIALS_VOLUME = 'latch-credentials';
export const API_ACCESS_VOLUME = 'kube-api-access';
export const CREDENTIALS_DIR = '/var/run/secrets/latch';
export const API_ACCESS_DIR = '/var/run/secrets/latch-kube-api';

/**
 * From this target on, the agent and the gate are native sidecars: init containers with
 * `restartPolicy: Always` (the SidecarContainers feature, on by default since Kubernetes 1.29).
 */
export const NATIVE_SIDECARS = KubernetesVersion.V1_29;

/** The agent's startup probe (native sidecar): `published` every 2 s, up to 60 s before the kubelet restarts it. */
const STARTUP_PERIOD_SECONDS = 2;
const STARTUP_FAILURE_THRESHOLD = 30;

/** The credentials Secret as files, mode 0400 (0440 with the pod's fsGroup), for the agent only. */
export function credentialsVolume(spec: LatchPodSpec): any {
  return { name: CREDENTIALS_VOLUME, secret: { secretName: spec.credentials.secretName, defaultMode: 0o400, items: spec.credentials._items() } };
}

export interface LatchPodSpec {
  readonly latchName: string;
  readonly image: string;
  readonly command: string[];
  readonly statusDirectory: string;
  readonly statusFile: string;
  readonly credentials: LatchCredentials;
  readonly resources: ResourceDefaults;
  /** Container-level seccomp profile of the agent and gate (the hardening keeps it). */
  readonly seccompProfile?: any;
  /** uid and gid of the agent and gate, distinct from the application's. */
  readonly agentUser: number;
  readonly failurePolicy: FailurePolicy;
  readonly env: Record<string, string>;
}

export interface GuardPodOptions {
  readonly where: string;
  readonly containers?: string[];
  readonly gate: boolean;
  /**
   * The target has native sidecars (`NATIVE_SIDECARS`): the agent and gate go to
   * `initContainers` with `restartPolicy: Always`, and Jobs and CronJobs can be guarded.
   */
  readonly nativeSidecar: boolean;
  /** The workload's target, for messages. */
  readonly target: KubernetesVersion;
}

function resources(r: ResourceDefaults): any {
  const mi = (s: { toMebibytes(): number } | undefined, d: number) => (s ? mebibytes(s) : `${d}Mi`);
  return {
    requests: { 'cpu': r.cpuRequest ?? '10m', 'memory': mi(r.memoryRequest, 64), 'ephemeral-storage': mi(r.ephemeralStorageRequest, 8) },
    limits: { 'cpu': r.cpuLimit ?? '100m', 'memory': mi(r.memoryLimit, 128), 'ephemeral-storage': mi(r.ephemeralStorageLimit, 32) },
  };
}

/** The latch's own uid (never the application's: a shared uid could read the agent's files through /proc). */
function securityContext(spec: LatchPodSpec): any {
  const sc: any = { runAsGroup: spec.agentUser, runAsUser: spec.agentUser };
  if (spec.seccompProfile) sc.seccompProfile = spec.seccompProfile;
  return { securityContext: sc };
}

function exec(spec: LatchPodSpec, args: string[], periodSeconds: number, failureThreshold = 3): any {
  return { exec: { command: [...spec.command, ...args] }, failureThreshold, periodSeconds, timeoutSeconds: 5 };
}

/** An environment variable of a container. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: any;
}

/** Where the agent publishes the status (its mode's): its environment and mounts besides the credentials. */
export interface StatusPublication {
  readonly env: EnvVar[];
  readonly mounts: any[];
}

/**
 * The agent container: `run`, its own resources, `health` probes. As a native sidecar it
 * restarts on its own and has a startup probe that passes once the first status is
 * published: the containers after it start only then.
 */
export function agentContainer(spec: LatchPodSpec, opts: { publish: StatusPublication; nativeSidecar?: boolean }): any {
  const env: EnvVar[] = [...Object.entries(spec.env).map(([name, value]) => ({ name, value })), ...opts.publish.env];
  const mounts: any[] = [{ name: CREDENTIALS_VOLUME, mountPath: CREDENTIALS_DIR, readOnly: true }, ...opts.publish.mounts];
  return {
    name: AGENT_CONTAINER,
    image: spec.image,
    imagePullPolicy: 'Always',
    command: [...spec.command],
    args: ['run'],
    env,
    volumeMounts: mounts,
    resources: resources(spec.resources),
    ...securityContext(spec),
    // liveness: the run loop beats, whatever the API answers; readiness: it has published
    livenessProbe: exec(spec, ['health'], 30),
    readinessProbe: exec(spec, ['ready'], 10),
    ...(opts.nativeSidecar ? { restartPolicy: 'Always', startupProbe: exec(spec, ['published'], STARTUP_PERIOD_SECONDS, STARTUP_FAILURE_THRESHOLD) } : {}),
  };
}

/** What every reader of the status gets: where the file is, and what to do when it is unknown or stale. */
function readerEnv(spec: LatchPodSpec): any[] {
  return [{ name: 'LATCH_STATUS_FILE', value: spec.statusFile }, { name: 'LATCH_FAILURE_POLICY', value: spec.failurePolicy }];
}

/**
 * The gate container: idle; its readiness is the latch status, its liveness never is. As a
 * native sidecar (no startup probe: it never holds back the application) its readiness
 * still counts toward the pod's, and it stops with the Job.
 */
export function gateContainer(spec: LatchPodSpec, opts: { nativeSidecar?: boolean } = {}): any {
  return {
    name: GATE_CONTAINER,
    image: spec.image,
    imagePullPolicy: 'Always',
    command: [...spec.command],
    args: ['gate'],
    env: readerEnv(spec),
    volumeMounts: [{ name: STATUS_VOLUME, mountPath: spec.statusDirectory, readOnly: true }],
    resources: resources(spec.resources),
    ...securityContext(spec),
    livenessProbe: exec(spec, ['version'], 30),
    // one failed check takes the pod out of endpoints: locked (1), and with the
    // closed policy also unknown or stale (2); the open policy accepts unknown
    readinessProbe: exec(spec, ['check', '--file', spec.statusFile, ...(spec.failurePolicy === FailurePolicy.OPEN ? ['--allow-unknown'] : [])], 5, 1),
    ...(opts.nativeSidecar ? { restartPolicy: 'Always' } : {}),
  };
}

/** Adds the latch to a rendered workload manifest (modified in place and returned): the readers, the gate and what the mode injects. */
export function guardPod(json: any, spec: LatchPodSpec, injection: PodInjection, opts: GuardPodOptions): any {
  const fail = (problem: string, fix: string): never => {
    throw new Error(`${opts.where} latch '${spec.latchName}': ${problem}. Fix: ${fix}`);
  };
  const template = templatePath(json).reduce((o: any, k) => o[k] ??= {}, json);
  const pod = template.spec ??= {};
  const containers: any[] = pod.containers ?? [];
  const volumes: any[] = pod.volumes ??= [];
  refuseUnguardable(json, pod, injection, opts, fail);

  const names = containers.map((c) => c.name);
  for (const n of opts.containers ?? []) {
    if (!names.includes(n)) fail(`container '${n}' (in containers) is not in the pod (it has ${names.join(', ') || 'none'})`, 'name existing containers');
  }
  const readers = containers.filter((c) => (opts.containers ?? names).includes(c.name));
  if (readers.length === 0) fail('the pod has no application container to guard', 'add a container before synthesis');
  for (const c of readers) addReader(c, spec, fail);

  const annotations: Record<string, string> = {
    [SuperlatchKeys.MODE_ANNOTATION]: injection.mode,
    [SuperlatchKeys.STATUS_VOLUME_ANNOTATION]: STATUS_VOLUME,
    ...injection.annotations,
  };
  const nativeSidecar = opts.nativeSidecar;
  volumes.push(...injection.volumes);
  const latch: any[] = [...injection.containers];
  if (opts.gate) latch.push(gateContainer(spec, { nativeSidecar }));
  if (latch.length > 0) annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION] = latch.map((c) => c.name).join(',');
  if (nativeSidecar && latch.length > 0) {
    // first of all: the user's init containers, like the application, start after the latch has spoken
    pod.initContainers = [...latch, ...(pod.initContainers ?? [])];
  } else {
    containers.push(...latch);
  }
  pod.containers = containers;

  const meta = template.metadata ??= {};
  meta.annotations = { ...(meta.annotations ?? {}), ...annotations };
  meta.labels = { ...(meta.labels ?? {}), [SuperlatchKeys.LATCH_LABEL]: spec.latchName, [SuperlatchKeys.ROLE_LABEL]: SuperlatchKeys.ROLE_GUARDED };
  return json;
}

type Fail = (problem: string, fix: string) => never;

/** Pods the latch cannot guard: reserved names taken, a shared process namespace, a Job that would need a sidecar. */
function refuseUnguardable(json: any, pod: any, injection: PodInjection, opts: GuardPodOptions, fail: Fail): void {
  for (const name of [AGENT_CONTAINER, GATE_CONTAINER]) {
    if ([...(pod.containers ?? []), ...(pod.initContainers ?? [])].some((c: any) => c.name === name)) {
      fail(`the pod already has a container named '${name}'`, 'rename that container; the latch reserves the name');
    }
  }
  for (const name of [STATUS_VOLUME, CREDENTIALS_VOLUME]) {
    if ((pod.volumes ?? []).some((v: any) => v.name === name)) fail(`the pod already has a volume named '${name}'`, 'rename that volume; the latch reserves the name');
  }
  if (pod.shareProcessNamespace === true) {
    fail('the pod shares its process namespace, so application containers could reach the agent\'s files through /proc', 'remove shareProcessNamespace');
  }
  const sidecar = injection.sidecarName ?? (opts.gate ? 'gate' : undefined);
  if (sidecar !== undefined && !opts.nativeSidecar && (json.kind === 'Job' || json.kind === 'CronJob')) {
    fail(`a ${json.kind} cannot run the ${sidecar} on Kubernetes ${opts.target.name}: the extra long-running container would keep the Job from completing (native sidecars, which stop when the Job's containers finish, come with Kubernetes ${NATIVE_SIDECARS.name})`,
      `target Kubernetes ${NATIVE_SIDECARS.name} or newer (KubernetesTarget.set(app, KubernetesVersion.V1_29) right after creating the App or Chart), or guard Jobs with a hub-mode latch, without the gate`);
  }
}

/** An application container reads the status: the read-only mount and the reader's environment. */
function addReader(c: any, spec: LatchPodSpec, fail: Fail): void {
  const mounts: any[] = c.volumeMounts ?? [];
  const clash = mounts.find((m) => m.mountPath === spec.statusDirectory || spec.statusDirectory.startsWith(`${m.mountPath}/`) || m.mountPath.startsWith(`${spec.statusDirectory}/`));
  if (clash) {
    fail(`container '${c.name}' already mounts '${clash.name}' at ${clash.mountPath}, which clashes with the status directory ${spec.statusDirectory}`, 'move that mount, or set statusDirectory on the latch');
  }
  c.volumeMounts = [...mounts, { name: STATUS_VOLUME, mountPath: spec.statusDirectory, readOnly: true }];
  const env: any[] = c.env ?? [];
  for (const wanted of readerEnv(spec)) {
    const existing = env.find((e) => e.name === wanted.name);
    if (existing && existing.value !== wanted.value) {
      fail(`container '${c.name}' sets ${wanted.name} to '${existing.value}'`, `remove it; the latch sets it to ${wanted.value}`);
    }
    if (!existing) env.push(wanted);
  }
  c.env = env;
}
