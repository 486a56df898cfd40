/**
 * Version-dependent parts of the Pod Security Standards checks shared by
 * several rules (pod-security-admission's policy versions).
 */
import { PodRef } from './manifests';
import { KubernetesVersion } from '../../target/kubernetes-version';

/**
 * The policy version from which runAsNonRoot, runAsUser and the baseline
 * procMount check allow any value in a pod with its own user namespace
 * (`spec.hostUsers: false`): upstream's `relaxPolicyForUserNamespacePod`.
 */
export const USER_NAMESPACE_RELAXATION = KubernetesVersion.V1_35;

/** Whether a check relaxed for user-namespaced pods lets this pod through at `version`. */
export function userNamespaceRelaxed(pod: PodRef, version: KubernetesVersion): boolean {
  return version.isAtLeast(USER_NAMESPACE_RELAXATION) && pod.spec.hostUsers === false;
}

/** The sentence the docs give for that relaxation. */
export const USER_NAMESPACE_CHANGE = 'pods with `spec.hostUsers: false` (their own user namespace) pass whatever they set';
