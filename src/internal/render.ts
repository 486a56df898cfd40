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
