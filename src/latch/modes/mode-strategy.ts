import type { ApiObject } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { NetworkPeer, NetworkPeerPort } from '../../network/network-peer';
import type { LatchPodSpec } from '../latch-pod';

/**
 * What differs between latch modes, behind the public `LatchMode` (whose factories pick one).
 * Internal: not exported from the package, so jsii does not model it.
 *
 * Everything that depends on the mode lives in the mode's own file of this directory
 * (`sidecar.ts`, `hub.ts`): what it writes into guarded pods, the objects and egress it
 * emits, what the admission policy requires of its pods and what readers of manifests
 * (the Falco rules) know of them. A new mode is one such file, listed in `./index.ts`,
 * plus a factory on `LatchMode`; nothing else in src/ branches on the mode
 * (test/architecture/structure.test.ts).
 */
export interface LatchModeStrategy {
  /** How the mode's pods look to readers of the final manifests. */
  readonly contract: LatchModeContract;

  /** Validates the mode's options for one latch and emits the latch's own objects of this mode. */
  bind(latch: LatchModeContext): LatchModeBinding;
}

/**
 * What readers of manifests (also foreign ones) know of a mode from the
 * `superlatch.io/mode` annotation of a pod template.
 */
export interface LatchModeContract {
  /** The `superlatch.io/mode` annotation value of the mode's pod templates (a `SuperlatchKeys.MODE_*`). */
  readonly name: string;

  /** The container a pod template of this mode names as the writer of its status volume, if the mode has one in the pod. */
  statusWriter(annotations: Readonly<Record<string, string>>): string | undefined;

  /** The mode's pods of role `role` (the `superlatch.io/role` label) never connect outside the cluster. */
  withoutEgress(role: string | undefined): boolean;
}

/** One egress destination of the agent: a peer and its ports. */
export interface EgressRule {
  readonly peer: NetworkPeer;
  readonly ports: NetworkPeerPort[];
}

/** What a latch hands its mode. */
export interface LatchModeContext {
  /** The Latch construct: the scope of the objects the mode emits. */
  readonly latch: Construct;
  /** `[<construct path>]`, for messages. */
  readonly where: string;
  /** The latch's agent settings (its name is `spec.latchName`). */
  readonly spec: LatchPodSpec;
  /** Where the agent connects: the Latch API. */
  readonly apiEgress: EgressRule[];
}

/** What a mode adds to every pod its latch guards, besides the readers' mounts and the gate. */
export interface PodInjection {
  /** The `superlatch.io/mode` annotation value. */
  readonly mode: string;
  /** Volumes added to the pod: the status volume first. */
  readonly volumes: any[];
  /** The latch's containers that run in the pod (before the gate, if any). */
  readonly containers: any[];
  /** Pod-template annotations after the mode and status-volume ones. */
  readonly annotations: Record<string, string>;
  /** What `containers` are, in messages (e.g. 'agent sidecar'); undefined when there are none. */
  readonly sidecarName?: string;
}

/** A mode bound to one latch: its per-latch state and objects. */
export interface LatchModeBinding {
  /** The ConfigMap the latch publishes the status into, if it does. */
  readonly configMapName?: string;

  /** Refuses a workload the latch cannot guard in this mode, before anything is changed. */
  checkGuard(workload: IConstruct, namespace: string | undefined): void;

  /** What goes into a guarded pod (fresh objects at every call). */
  inject(nativeSidecar: boolean): PodInjection;

  /** After a workload is guarded: what the mode adds around it (e.g. its egress). */
  guarded(workload: IConstruct, namespace: string | undefined, where: string): void;

  /** The objects whose pods run this latch's agent, given the guarded ones. */
  agentObjects(guarded: readonly ApiObject[]): ApiObject[];

  /** The CEL condition that pod template `t` carries this latch's status volume (admission policy). */
  admitsStatusVolume(t: string, cel: StatusVolumeCel): string;
}

/** CEL pieces the admission policy lends a mode for `admitsStatusVolume`. */
export interface StatusVolumeCel {
  /** A CEL string literal. */
  string(value: string): string;
  /** Object `t` has annotation `key` with value `value`. */
  hasAnnotationValue(t: string, key: string, value: string): string;
  /** The status volume of pod spec `s` is an emptyDir that the agent container mounts read-write. */
  agentWritesEmptyDir(s: string): string;
  /** Volume `v` is the ConfigMap of this latch (in its namespace). */
  isLatchConfigMap(v: string): string;
}
