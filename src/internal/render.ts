import { ApiObject } from 'cdk8s';

/**
 * Post-render steps on an ApiObject: functions applied, in order, to the JSON
 * that `toJson()` produces (after cdk8s has resolved values and applied
 * escape-hatch patches). This is how the profile works on any object, including
 * raw ApiObjects, and always on the final manifest.
 */
const STEPS = Symbol.for('cdk8s-superlatch.render-steps');

export type RenderStep = (json: any) => any;

export function addRenderStep(obj: ApiObject, step: RenderStep): void {
  const host = obj as any;
  if (!host[STEPS]) {
    const steps: RenderStep[] = [];
    const render = obj.toJson.bind(obj);
    host[STEPS] = steps;
    host.toJson = () => steps.reduce((json, s) => s(json), render());
  }
  host[STEPS].push(step);
}

/** Kinds that live outside namespaces: they must never carry `metadata.namespace`. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'RuntimeClass', 'IngressClass',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'CSIDriver', 'CSINode',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ClusterPolicy', 'ClusterImagePolicy', 'SeccompProfile', 'VolumeAttachment', 'CertificateSigningRequest', 'FlowSchema',
  'PriorityLevelConfiguration', 'ClusterIssuer', 'ConstraintTemplate', 'PodSecurityPolicy',
]);

/** Removes `metadata.namespace` from a cluster-scoped object. */
export function clusterScoped(json: any): any {
  if (json?.metadata?.namespace === undefined) return json;
  const { namespace: _ignored, ...metadata } = json.metadata;
  return { ...json, metadata };
}
