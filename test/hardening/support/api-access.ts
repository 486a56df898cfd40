import { containersOf, namespaceOf, podTemplateOf, workloadId, workloadsOf } from './manifests';

/** A workload whose pods run as a ServiceAccount that RoleBindings or ClusterRoleBindings of the manifests bind. */
export interface BoundWorkload {
  /** `kind/namespace/name` of the workload. */
  readonly workload: string;
  /** `namespace/name` of the pods' ServiceAccount. */
  readonly serviceAccount: string;
  /** `RoleBinding/namespace/name` or `ClusterRoleBinding/name`, sorted. */
  readonly bindings: string[];
}

/** The ServiceAccount a pod template runs as: `namespace/name` (`default` when it names none). */
export function serviceAccountOf(workload: any): string {
  const spec = podTemplateOf(workload).spec ?? {};
  return `${namespaceOf(workload)}/${spec.serviceAccountName ?? spec.serviceAccount ?? 'default'}`;
}

/**
 * The bindings in `manifests` that give `serviceAccount` (`namespace/name`) a
 * role: a subject of kind ServiceAccount with that name and namespace (a
 * RoleBinding's subject without a namespace means the binding's own; a
 * ClusterRoleBinding's subject must name one), the user
 * `system:serviceaccount:<ns>:<name>`, or the groups `system:serviceaccounts`,
 * `system:serviceaccounts:<ns>` and `system:authenticated`.
 */
export function bindingsOf(serviceAccount: string, manifests: any[]): string[] {
  const [ns, name] = serviceAccount.split('/');
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];
  return manifests
    .filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')
    .filter((b) => (b.subjects ?? []).some((s: any) => {
      switch (s.kind) {
        case 'ServiceAccount': return s.name === name && (s.namespace ?? (b.kind === 'RoleBinding' ? namespaceOf(b) : undefined)) === ns;
        case 'User': return s.name === `system:serviceaccount:${ns}:${name}`;
        case 'Group': return groups.includes(s.name);
        default: return false;
      }
    }))
    .map((b) => b.kind === 'RoleBinding' ? `RoleBinding/${namespaceOf(b)}/${b.metadata.name}` : `ClusterRoleBinding/${b.metadata.name}`)
    .sort();
}

/** Every workload of `manifests` whose ServiceAccount is bound by a binding of `manifests`. */
export function boundWorkloads(manifests: any[]): BoundWorkload[] {
  return workloadsOf(manifests)
    .map((m) => ({ workload: workloadId(m), serviceAccount: serviceAccountOf(m), bindings: bindingsOf(serviceAccountOf(m), manifests) }))
    .filter((w) => w.bindings.length > 0);
}

/**
 * The containers (and init containers) of a workload that get a ServiceAccount
 * token: all of them when the token is auto-mounted (the pod's
 * `automountServiceAccountToken`, else its ServiceAccount's in `manifests`,
 * else true), otherwise those that mount a projected volume with a
 * `serviceAccountToken` source.
 */
export function tokenContainers(workload: any, manifests: any[]): string[] {
  const spec = podTemplateOf(workload).spec ?? {};
  const account = manifests.find((m) => m.kind === 'ServiceAccount' && `${namespaceOf(m)}/${m.metadata?.name}` === serviceAccountOf(workload));
  const automount = spec.automountServiceAccountToken ?? account?.automountServiceAccountToken ?? true;
  const tokenVolumes = new Set((spec.volumes ?? [])
    .filter((v: any) => (v.projected?.sources ?? []).some((s: any) => s.serviceAccountToken))
    .map((v: any) => v.name));
  return containersOf({ spec })
    .filter((c) => automount || (c.volumeMounts ?? []).some((vm: any) => tokenVolumes.has(vm.name)))
    .map((c) => c.name);
}
