import { bindingsOf, boundWorkloads, serviceAccountOf, tokenContainers } from './api-access';
import { deployment } from './builders';

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, subjects: any[], namespace = 'apps'): any {
  const metadata = kind === 'RoleBinding' ? { name, namespace } : { name };
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects };
}

function serviceAccount(name: string, automountServiceAccountToken?: boolean, namespace = 'apps'): any {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace }, automountServiceAccountToken };
}

const controller = deployment('controller', { app: 'controller' }, { spec: { serviceAccountName: 'controller' } });

describe('bindingsOf', () => {
  test('a RoleBinding subject without a namespace means the binding namespace', () => {
    const rb = binding('RoleBinding', 'rb', [{ kind: 'ServiceAccount', name: 'controller' }]);
    expect(bindingsOf('apps/controller', [rb])).toEqual(['RoleBinding/apps/rb']);
    expect(bindingsOf('other/controller', [rb])).toEqual([]);
  });

  test('a ClusterRoleBinding binds only the namespace its subject names', () => {
    const named = binding('ClusterRoleBinding', 'crb', [{ kind: 'ServiceAccount', name: 'controller', namespace: 'apps' }]);
    const unnamed = binding('ClusterRoleBinding', 'bad', [{ kind: 'ServiceAccount', name: 'controller' }]);
    expect(bindingsOf('apps/controller', [named, unnamed])).toEqual(['ClusterRoleBinding/crb']);
    expect(bindingsOf('other/controller', [named])).toEqual([]);
  });

  test('the ServiceAccount user name and the service-account groups bind too; other names do not', () => {
    const manifests = [
      binding('RoleBinding', 'user', [{ kind: 'User', name: 'system:serviceaccount:apps:controller' }]),
      binding('RoleBinding', 'group', [{ kind: 'Group', name: 'system:serviceaccounts:apps' }]),
      binding('RoleBinding', 'someone', [{ kind: 'User', name: 'controller' }, { kind: 'ServiceAccount', name: 'other' }]),
    ];
    expect(bindingsOf('apps/controller', manifests)).toEqual(['RoleBinding/apps/group', 'RoleBinding/apps/user']);
  });
});

describe('boundWorkloads', () => {
  test('lists the workloads whose ServiceAccount is bound, and only those', () => {
    // GIVEN a bound controller, an unbound web pod and a binding of the default ServiceAccount elsewhere
    const web = deployment('web', { app: 'web' });
    const crb = binding('ClusterRoleBinding', 'crb', [
      { kind: 'ServiceAccount', name: 'controller', namespace: 'apps' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'other' },
    ]);
    const manifests = [controller, web, binding('RoleBinding', 'rb', [{ kind: 'ServiceAccount', name: 'controller' }]), crb];
    // THEN only the controller is bound, by both bindings
    expect(boundWorkloads(manifests)).toEqual([
      { workload: 'Deployment/apps/controller', serviceAccount: 'apps/controller', bindings: ['ClusterRoleBinding/crb', 'RoleBinding/apps/rb'] },
    ]);
    expect(serviceAccountOf(web)).toBe('apps/default');
  });
});

describe('tokenContainers', () => {
  test('auto-mounted by default: every container gets the token', () => {
    expect(tokenContainers(controller, [])).toEqual(['app']);
  });

  test("the ServiceAccount's automountServiceAccountToken applies when the pod sets none, and the pod's wins", () => {
    expect(tokenContainers(controller, [serviceAccount('controller', false)])).toEqual([]);
    expect(tokenContainers(controller, [serviceAccount('controller', false, 'other')])).toEqual(['app']);
    const podTrue = deployment('controller', { app: 'controller' }, { spec: { serviceAccountName: 'controller', automountServiceAccountToken: true } });
    expect(tokenContainers(podTrue, [serviceAccount('controller', false)])).toEqual(['app']);
  });

  test('with automount off, only the containers that mount a projected token volume get one', () => {
    const spec = {
      serviceAccountName: 'controller',
      automountServiceAccountToken: false,
      containers: [
        { name: 'app', volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] },
        { name: 'sidecar', volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] },
      ],
      volumes: [
        { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } },
        { name: 'config', projected: { sources: [{ configMap: { name: 'config' } }] } },
      ],
    };
    expect(tokenContainers(deployment('controller', { app: 'controller' }, { spec }), [])).toEqual(['app']);
  });
});
