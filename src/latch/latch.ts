import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { FailurePolicy } from './failure-policy';
import { LatchCredentials } from './latch-credentials';
import { LatchMode } from './latch-mode';
import { AGENT_CONTAINER, guardPod, LatchPodSpec, NATIVE_SIDECARS } from './latch-pod';
import type { LatchModeBinding, StatusVolumeCel } from './modes/mode-strategy';
import { ResourceDefaults, SeccompProfile } from '../hardening/hardening-profile';
import { HardeningState } from '../hardening/hardening-state';
import { DIGEST_PINNED, digestForms } from '../internal/digest';
import { ID_FLOOR } from '../internal/ids';
import { Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkCidr, checkDnsLabel } from '../internal/validation';
import { NetworkPeer, NetworkPeerPort } from '../network/network-peer';
import { ManifestSet } from '../rules/internal/manifests';
import { agentIntegrity } from '../rules/latch/agent-integrity';
import { hubMasterSingle } from '../rules/latch/hub-master-single';
import { sidecarEgressBounded } from '../rules/latch/sidecar-egress-bounded';
import { statusConfigMapWriters } from '../rules/latch/status-configmap-writers';
import { RuleStatus } from '../rules/rule';
import { KubernetesTarget } from '../target/kubernetes-version';

/** The Latch API the agent talks to. */
export interface LatchApiProps {
  /**
   * Base URL of the Latch API: scheme, host and optional port, no path.
   * @default "https://latch.tu.com"
   */
  readonly url?: string;

  /**
   * Latch API version (`<major>.<minor>`).
   * @default "1.0"
   */
  readonly version?: string;

  /**
   * The address blocks the API host resolves to: the agent's egress allows
   * exactly these on the API port (plain NetworkPolicy cannot name hosts).
   */
  readonly cidrs: string[];

  /**
   * Port of the API: the agent connects to it (it is written into the agent's
   * `LATCH_API_URL`) and its egress allows it. Give it here or in `url`, not
   * differently in both.
   * @default - the port in `url`, else 443
   */
  readonly port?: number;
}

/** Options of a latch. */
export interface LatchProps {
  /** Where the agent finds the Latch credentials (a Secret reference). */
  readonly credentials: LatchCredentials;

  /** The Latch API and the addresses the agent may reach. */
  readonly api: LatchApiProps;

  /**
   * The agent image (`agent/Dockerfile`), pinned by digest
   * (`registry/superlatch-agent:tag@sha256:...`, or `@sha512:...`).
   */
  readonly image: string;

  /**
   * Where the agent runs: in every guarded pod (`LatchMode.sidecar()`) or in one
   * latch master (`LatchMode.hub({ apiServerCidrs })`), with the mode's own options.
   * @default LatchMode.sidecar()
   */
  readonly mode?: LatchMode;

  /**
   * Name of the latch: the `superlatch.io/latch` label and the prefix of the
   * objects it emits. A DNS label of at most 40 characters.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * How often the agent polls the Latch API. At least 1 second, at most 1 day.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;

  /**
   * After how long without a successful poll readers must treat the status as
   * stale (and apply the failure policy). At least twice the poll interval, at
   * most 7 days.
   * @default - the larger of 60 seconds and 3 poll intervals
   */
  readonly maxStaleness?: Duration;

  /**
   * What readers do with a missing, unreadable or stale status.
   * @default FailurePolicy.CLOSED
   */
  readonly failurePolicy?: FailurePolicy;

  /**
   * Directory of the status file in every container that sees it; the file is
   * `latch-info.json` in it.
   * @default "/usr/share/latch"
   */
  readonly statusDirectory?: string;

  /**
   * Command that starts the agent in the image: the entrypoint of
   * `agent/Dockerfile` (Node without a JIT compiler, see docs/agent.md). Probes
   * run it with `health`, `ready`, `check` and `version`.
   * @default ["/nodejs/bin/node", "--jitless", "--no-expose-wasm", "/opt/superlatch-agent/main.js"]
   */
  readonly agentCommand?: string[];

  /**
   * Requests and limits of the agent (and gate) containers.
   * @default - cpu 10m/100m, memory 64Mi/128Mi, ephemeral-storage 8Mi/32Mi
   */
  readonly agentResources?: ResourceDefaults;

  /**
   * uid and gid of the latch's own containers (agent and gate). It must differ
   * from the application containers' uid: processes of one uid can read each
   * other's files through /proc.
   * @default 10002
   */
  readonly agentUser?: number;

  /**
   * Seccomp profile of the latch's own containers (agent and gate), in both
   * modes, set on the containers themselves: e.g. the Security Profiles
   * Operator profile of `OperatorSeccompProfile` (`SeccompProfile.localhost('operator/latch-agent.json')`).
   * Application containers keep their pod's profile.
   * @default - the pod's profile (RuntimeDefault)
   */
  readonly agentSeccompProfile?: SeccompProfile;
}

/** Options of one guarded workload. */
export interface GuardOptions {
  /**
   * Names of the containers that read the status (they mount it read-only and
   * get `LATCH_STATUS_FILE`).
   * @default - every application container of the pod
   */
  readonly containers?: string[];

  /**
   * Add the gate container: a readiness probe runs `check` on the status file,
   * so a locked or stale latch takes the pod out of Service endpoints without
   * any change to the application. Liveness never depends on the latch.
   * @default false
   */
  readonly gate?: boolean;
}

const GUARDED = Symbol.for('cdk8s-superlatch.guarded-by');
const LATCH = Symbol.for('cdk8s-superlatch.latch');
const SYNTH_CHECKS = new WeakSet<object>();

/** The latch-pack rules that also refuse synthesis: what a change to the latch's own objects, or objects around them, can break. */
const SYNTH_RULES = [hubMasterSingle, sidecarEgressBounded, statusConfigMapWriters, agentIntegrity];

/**
 * Runs SYNTH_RULES over the app's final manifests (once per app, in the CHECKS
 * stage) and records each error finding on the object it is about; the agent
 * containers must also run exactly the command the latch wrote.
 */
/** The poll interval and the staleness limit, in seconds, within the agent's bounds. */
function pollTiming(where: string, props: LatchProps): { interval: number; staleness: number } {
  const interval = (props.pollInterval ?? Duration.seconds(10)).toMilliseconds() / 1000;
  if (interval < 1) {
    throw new Error(`${where}: pollInterval is ${interval} s, below the 1 s floor (every poll is a Latch API call recorded in the user's history). Fix: use Duration.seconds(1) or more`);
  }
  if (interval > 86400) {
    throw new Error(`${where}: pollInterval is ${interval} s, above the agent's ceiling of 86400 s (one day). Fix: use Duration.days(1) or less`);
  }
  const staleness = props.maxStaleness ? props.maxStaleness.toMilliseconds() / 1000 : Math.max(60, 3 * interval);
  if (staleness > 7 * 86400) {
    throw new Error(`${where}: maxStaleness is ${staleness} s, above the agent's ceiling of ${7 * 86400} s (seven days). Fix: use Duration.days(7) or less`);
  }
  if (staleness < 2 * interval) {
    throw new Error(`${where}: maxStaleness ${staleness} s is less than twice the poll interval (${interval} s): one slow poll would make the status stale. Fix: raise maxStaleness to at least ${2 * interval} s`);
  }
  return { interval, staleness };
}

/** The Latch API origin (with its one port), version and port: what the agent's URL and its egress share. */
function apiEndpoint(where: string, api: LatchApiProps): { origin: string; version: string; port: number } {
  const url = api.url ?? 'https://latch.tu.com';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: api.url '${url}' is not a URL. Fix: give scheme and host, e.g. 'https://latch.tu.com'`);
  }
  if (parsed.protocol !== 'https:') {
    throw new Error(`${where}: api.url '${url}' must use https (the agent refuses plain http outside loopback)`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash || parsed.pathname !== '/') {
    throw new Error(`${where}: api.url '${url}' has a path, query or credentials, which the agent refuses. Fix: give scheme, host and optional port only, e.g. '${parsed.origin}'`);
  }
  const version = api.version ?? '1.0';
  if (!/^\d+\.\d+$/.test(version)) {
    throw new Error(`${where}: api.version '${version}' is not a version like '1.0' or '3.0'. Fix: give the API version number, without a 'v'`);
  }
  if (api.cidrs.length === 0) {
    throw new Error(`${where}: api.cidrs is empty: the agent could not reach the Latch API. Fix: list the address blocks ${parsed.hostname} resolves to`);
  }
  api.cidrs.forEach((c) => checkCidr(where, 'api.cidrs', c));
  // One port for the agent's URL and its egress: the URL's own port (an explicit
  // ':443' too, which URL parsing drops), else `port`, else 443.
  const urlPort = parsed.port !== '' ? Number(parsed.port) : /^https:\/\/[^/]*:\d+\/?$/i.test(url) ? 443 : undefined;
  if (api.port !== undefined && (!Number.isInteger(api.port) || api.port < 1 || api.port > 65535)) {
    throw new Error(`${where}: api.port ${api.port} is not a TCP port. Fix: give a whole number from 1 to 65535, or leave it out for 443`);
  }
  if (api.port !== undefined && urlPort !== undefined && api.port !== urlPort) {
    throw new Error(`${where}: api.url '${url}' names port ${urlPort} but api.port is ${api.port}; the agent would connect on one and its egress allow the other. Fix: give the port once, in api.url or in api.port`);
  }
  const apiPort = api.port ?? urlPort ?? 443;
  parsed.port = String(apiPort); // 443 is the https default and stays implicit
  return { origin: parsed.origin, version, port: apiPort };
}

/** The agent's image (digest-pinned), uid and status directory. */
function agentSettings(where: string, props: LatchProps): { agentUser: number; statusDirectory: string } {
  if (!DIGEST_PINNED.test(props.image)) {
    throw new Error(`${where}: image '${props.image}' is not pinned by digest; the latch's containers always run with the restricted container settings. Fix: pin it as ${digestForms(props.image.split('@')[0], "'")}`);
  }
  const agentUser = props.agentUser ?? 10002;
  if (!Number.isInteger(agentUser) || agentUser <= ID_FLOOR) {
    throw new Error(`${where}: agentUser ${agentUser} must be an integer above ${ID_FLOOR}. Fix: use e.g. 10002`);
  }

  const statusDirectory = props.statusDirectory ?? '/usr/share/latch';
  if (!statusDirectory.startsWith('/') || statusDirectory === '/' || statusDirectory.endsWith('/')) {
    throw new Error(`${where}: statusDirectory '${statusDirectory}' must be an absolute directory path without a trailing slash, e.g. '/usr/share/latch'`);
  }
  return { agentUser, statusDirectory };
}

function installSynthChecks(root: IConstruct, latchCommands: () => Map<ApiObject, string[]>) {
  if (SYNTH_CHECKS.has(root)) return;
  SYNTH_CHECKS.add(root);
  SynthesisPipeline.of(root).addStep(Stage.CHECKS, (run) => {
    const { objects, manifests } = run.snapshot();
    for (const rule of SYNTH_RULES) {
      const result = rule.check(manifests);
      if (result.status !== RuleStatus.NON_COMPLIANT) continue;
      for (const f of result.findings) {
        const m = manifests[f.objectIndex];
        run.error(objects[f.objectIndex], `[${objects[f.objectIndex].node.path}] [${rule.id}] (${m.kind} ${m.metadata?.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata?.name}) ${f.path}: ${f.message}. Fix: ${rule.remediation}`);
      }
    }
    // exact: the command of every agent container is the latch's own (over the snapshot's one index)
    const commands = latchCommands();
    for (const pod of ManifestSet.of(manifests).pods) {
      const obj = objects[pod.ref.index];
      const command = commands.get(obj);
      if (!command) continue;
      for (const c of pod.containers) {
        if (c.name !== AGENT_CONTAINER) continue;
        if (JSON.stringify(c.c.command) !== JSON.stringify(command) || JSON.stringify(c.c.args) !== JSON.stringify(['run'])) {
          run.error(obj, `[${obj.node.path}] ${c.path}: the latch agent's command or args were replaced (${JSON.stringify([...(c.c.command ?? []), ...(c.c.args ?? [])])}); the latch runs ${JSON.stringify([...command, 'run'])}. Fix: remove the override (an escape hatch or patch) of the agent's command and args`);
        }
      }
    }
  });
}

/**
 * What a latch fixes at synth time, for the guardrails that check it from
 * outside the guarded objects (the admission policy): never read from the
 * labels or annotations of the object under review.
 * @internal
 */
export interface LatchFacts {
  readonly name: string;
  /** Namespace of the latch's chart (its ConfigMap and master in hub mode). */
  readonly namespace?: string;
  /** The `superlatch.io/mode` annotation value of its pods. */
  readonly mode: string;
  readonly statusDirectory: string;
  readonly configMapName?: string;
  /** CEL: pod template `t` carries this latch's status volume (the mode's). */
  readonly admitsStatusVolume: (t: string, cel: StatusVolumeCel) => string;
  readonly image: string;
  /** The agent's command (its `args` is always `["run"]`). */
  readonly command: string[];
  /** The workloads it guards, as their final manifests name them. */
  readonly guarded: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly namespace?: string }>;
  /**
   * Some guarded workload targets Kubernetes 1.29+, so the latch's containers (the agent,
   * the gate) may be init containers with `restartPolicy: Always` (native sidecars).
   */
  readonly nativeSidecars: boolean;
}

/**
 * A latch: a Latch API lock, polled by the latch agent and published as a
 * read-only status file (`latch-info.json`) to the workloads it guards.
 *
 * @example
 * const latch = new Latch(chart, 'latch', {
 *   credentials: LatchCredentials.fromSecret('latch-credentials'),
 *   api: { cidrs: ['203.0.113.0/24'] },
 *   image: 'ghcr.io/example/superlatch-agent:1.0.0@sha256:...',
 * });
 * latch.guard(web);
 */
export class Latch extends Construct {
  /** Every latch under `scope` (the whole app for its root). @internal */
  public static _allUnder(scope: IConstruct): Latch[] {
    return scope.node.findAll().filter((c): c is Latch => (c as any)[LATCH] === true);
  }

  /** The latch's name (label value and object-name prefix). */
  public readonly name: string;
  /** Where the agent runs. */
  public readonly mode: LatchMode;
  /** Path of the status file inside every container that sees it. */
  public readonly statusFile: string;
  /** What readers do with a missing or stale status. */
  public readonly failurePolicy: FailurePolicy;
  /** The ConfigMap the latch publishes the status into (hub mode); undefined in sidecar mode. */
  public readonly configMapName?: string;

  private readonly spec: LatchPodSpec;
  /** The mode, bound to this latch: everything that differs between modes. */
  private readonly binding: LatchModeBinding;
  private readonly guardedObjects: ApiObject[] = [];
  /** Guarded objects whose target puts the agent and gate in initContainers (native sidecars). */
  private readonly nativeSidecarObjects = new Set<ApiObject>();

  constructor(scope: Construct, id: string, props: LatchProps) {
    super(scope, id);
    (this as any)[LATCH] = true;
    installSynthChecks(this.node.root, () => new Map(Latch._allUnder(this.node.root)
      .flatMap((l) => l.agentObjects().map((o) => [o, l.spec.command] as [ApiObject, string[]]))));
    const where = `[${this.node.path}]`;
    this.name = props.name ?? id.toLowerCase();
    checkDnsLabel(where, 'name', this.name);
    if (this.name.length > 40) {
      throw new Error(`${where}: name '${this.name}' is ${this.name.length} characters; at most 40, so that '<name>-latch-agent' and friends stay valid label values. Fix: shorten the name`);
    }
    this.mode = props.mode ?? LatchMode.sidecar();
    if (!this.mode._strategy) {
      throw new Error(`${where}: mode ${JSON.stringify(props.mode)} is not a LatchMode. Fix: use LatchMode.sidecar() or LatchMode.hub({ apiServerCidrs: [...] }) (LatchMode is no longer an enum)`);
    }
    this.failurePolicy = props.failurePolicy ?? FailurePolicy.CLOSED;

    if (!(props.credentials instanceof LatchCredentials)) {
      throw new Error(`${where}: credentials must come from LatchCredentials.fromSecret(...); literal credentials never go into a manifest`);
    }

    const { interval, staleness } = pollTiming(where, props);
    const api = apiEndpoint(where, props.api);
    const { agentUser, statusDirectory } = agentSettings(where, props);
    this.statusFile = `${statusDirectory}/latch-info.json`;

    const env: Record<string, string> = {
      LATCH_CREDENTIALS_DIR: '/var/run/secrets/latch',
      LATCH_API_URL: api.origin,
      LATCH_API_VERSION: api.version,
      LATCH_POLL_INTERVAL: String(interval),
      LATCH_MAX_STALENESS: String(staleness),
      LATCH_FAILURE_POLICY: this.failurePolicy,
    };

    this.spec = {
      latchName: this.name,
      image: props.image,
      command: props.agentCommand ?? ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js'],
      statusDirectory,
      statusFile: this.statusFile,
      credentials: props.credentials,
      resources: props.agentResources ?? {},
      seccompProfile: props.agentSeccompProfile?._toKube(),
      agentUser,
      failurePolicy: this.failurePolicy,
      env,
    };

    const apiEgress = props.api.cidrs.map((c) => ({ peer: NetworkPeer.cidr(c), ports: [NetworkPeerPort.tcp(api.port)] }));
    this.binding = this.mode._strategy.bind({ latch: this, where, spec: this.spec, apiEgress });
    this.configMapName = this.binding.configMapName;
  }

  /**
   * Guards a workload (a cdk8s-plus workload or a workload ApiObject): its
   * application containers read the latch status from a read-only mount at
   * `statusFile`, and get `LATCH_STATUS_FILE` pointing at it. The workload is
   * hardened (with its own `Harden.workload()` options if any).
   */
  public guard(workload: IConstruct, options: GuardOptions = {}): void {
    const obj = ApiObject.of(workload);
    const previous = (obj as any)[GUARDED] as Latch | undefined;
    if (previous) {
      throw new Error(`[${workload.node.path}] is already guarded by latch '${previous.name}' ([${previous.node.path}]); a pod reads one latch. Fix: guard it once`);
    }
    const workloadNamespace = obj.metadata.namespace;
    this.binding.checkGuard(workload, workloadNamespace);
    (obj as any)[GUARDED] = this;
    this.guardedObjects.push(obj);
    HardeningState.of(obj).ensure(obj);
    const spec = this.spec;
    const where = `[${workload.node.path}]`;
    const target = KubernetesTarget.of(obj);
    const nativeSidecar = target.isAtLeast(NATIVE_SIDECARS);
    if (nativeSidecar) this.nativeSidecarObjects.add(obj);
    SynthesisPipeline.of(obj).addTransform(obj, Stage.LATCH, (json) => guardPod(json, spec, this.binding.inject(nativeSidecar), {
      where,
      containers: options.containers,
      gate: options.gate ?? false,
      nativeSidecar,
      target,
    }));
    this.binding.guarded(workload, workloadNamespace, where);
  }

  /**
   * The latch's synth-time facts; `manifestOf` gives the final manifest of a guarded object.
   * @internal
   */
  public _facts(manifestOf: (obj: ApiObject) => any): LatchFacts {
    return {
      name: this.name,
      namespace: Chart.of(this).namespace,
      mode: this.mode.name,
      statusDirectory: this.spec.statusDirectory,
      configMapName: this.configMapName,
      image: this.spec.image,
      command: this.spec.command,
      guarded: this.guardedObjects.map((o) => manifestOf(o)).filter((m) => m)
        .map((m) => ({ kind: String(m.kind), name: String(m.metadata?.name), namespace: m.metadata?.namespace })),
      nativeSidecars: this.guardedObjects.some((o) => this.nativeSidecarObjects.has(o) && manifestOf(o)),
      admitsStatusVolume: (t, cel) => this.binding.admitsStatusVolume(t, cel),
    };
  }

  /** The objects whose pods run this latch's agent: the master (hub) or the guarded workloads (sidecar). */
  private agentObjects(): ApiObject[] {
    return this.binding.agentObjects(this.guardedObjects);
  }
}
