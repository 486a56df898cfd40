import { arr, ContainerRef, jsonPath, ManifestSet, obj, PodRef } from './manifests';
import { SuperlatchKeys } from '../../contract';
import { RuleFinding } from '../rule';

/** A pod template that runs or is guarded by a latch, with its contract annotations. */
export interface LatchPod {
  readonly pod: PodRef;
  readonly mode?: string;
  readonly role?: string;
  readonly statusVolume?: string;
  readonly writer?: string;
  readonly credentialsVolume?: string;
}

/** Pod templates that carry the latch label or any latch annotation. */
export function latchPods(set: ManifestSet): LatchPod[] {
  return set.pods
    .filter((pod) => SuperlatchKeys.LATCH_LABEL in pod.labels
      || SuperlatchKeys.MODE_ANNOTATION in pod.annotations
      || SuperlatchKeys.STATUS_VOLUME_ANNOTATION in pod.annotations)
    .map((pod) => ({
      pod,
      mode: pod.annotations[SuperlatchKeys.MODE_ANNOTATION],
      role: pod.labels[SuperlatchKeys.ROLE_LABEL],
      statusVolume: pod.annotations[SuperlatchKeys.STATUS_VOLUME_ANNOTATION],
      writer: pod.annotations[SuperlatchKeys.WRITER_ANNOTATION],
      credentialsVolume: pod.annotations[SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION],
    }));
}

/** The latch's own containers (agent, gate), which always keep the full restricted settings. */
export function latchContainerNames(pod: PodRef): Set<string> {
  return new Set((pod.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION] ?? '').split(',').map((x) => x.trim()).filter((x) => x));
}

/** Guarded pods in hub mode: no writer, no credentials, no egress, no token. */
export function isGuardedHub(lp: LatchPod): boolean {
  return lp.mode === SuperlatchKeys.MODE_HUB && lp.role === SuperlatchKeys.ROLE_GUARDED;
}

/** The findings of `fn` on every hub-mode guarded pod; not applicable when there is none. */
export function perGuardedHubPod(set: ManifestSet, fn: (pod: PodRef) => RuleFinding[]): RuleFinding[] | undefined {
  const pods = latchPods(set).filter(isGuardedHub);
  if (pods.length === 0) return undefined;
  return pods.flatMap(({ pod }) => fn(pod));
}

/** One volumeMount of a named volume. */
export interface Mount {
  readonly c: ContainerRef;
  readonly m: any;
  readonly path: string;
  readonly readOnly: boolean;
}

/** Every mount of the named volume, across all containers of the pod. */
export function mountsOf(pod: PodRef, volume: string): Mount[] {
  return pod.containers.flatMap((c) => arr(c.c.volumeMounts)
    .map((m, i) => ({ c, m: obj(m), path: jsonPath(c.path, 'volumeMounts', i), readOnly: obj(m).readOnly === true }))
    .filter((x) => x.m.name === volume));
}

/** Index and object of the named volume, if the pod declares it. */
export function volumeOf(pod: PodRef, name: string): { index: number; volume: any } | undefined {
  const index = arr(pod.spec.volumes).findIndex((v) => obj(v).name === name);
  return index < 0 ? undefined : { index, volume: obj(arr(pod.spec.volumes)[index]) };
}

/** The hub master: the agent's own pod, which publishes the status ConfigMap. */
export function isHubMaster(lp: LatchPod): boolean {
  return lp.mode === SuperlatchKeys.MODE_HUB && lp.role === SuperlatchKeys.ROLE_AGENT;
}
