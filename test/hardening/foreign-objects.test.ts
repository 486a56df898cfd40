/**
 * Upstream objects (YAML brought in with Include or Helm) keep working when
 * hardened: their selectors and pod labels stay, and a pod whose ServiceAccount
 * is bound to a role is never silently cut off from the API.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Harden, HardeningProfile, Relaxation } from '../../src';
import { errorOf, find, IMAGE, podSpec, podTemplate } from '../util';

const labels = { 'app.kubernetes.io/name': 'argocd-server', 'app.kubernetes.io/part-of': 'argocd' };

function upstream(chart: Chart, extra: any = {}) {
  new ApiObject(chart, 'Deployment-argocd-server', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'argocd-server' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-server' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'argocd-server',
          containers: [{
            name: 'argocd-server',
            image: IMAGE,
            ports: [{ containerPort: 8080 }],
            livenessProbe: { httpGet: { path: '/healthz?full=true', port: 8080 } },
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
            securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false },
          }],
          ...extra,
        },
      },
    },
  });
  new ApiObject(chart, 'Service-argocd-server', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'argocd-server' },
    spec: { selector: { 'app.kubernetes.io/name': 'argocd-server' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
}

function binding(chart: Chart) {
  new ApiObject(chart, 'ClusterRoleBinding-argocd-server', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'argocd-server' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argocd-server' },
    subjects: [{ kind: 'ServiceAccount', name: 'argocd-server', namespace: 'argocd' }],
  });
}

/** Upstream argo-cd brings its own NetworkPolicies (not modelled here): the profile leaves the network to them. */
const NETWORK = Relaxation.noNetworkPolicy('argo-cd ships its own NetworkPolicies');
const upstreamProfile = () => HardeningProfile.restricted({ relaxations: [NETWORK] });
const tokenProfile = () => HardeningProfile.restricted({ relaxations: [NETWORK, Relaxation.serviceAccountToken('argo-cd controllers call the Kubernetes API')] });

const newChart = () => new Chart(Testing.app(), 'argocd', { namespace: 'argocd' });

test('an upstream Deployment keeps its selector and pod labels, so its Service still selects it', () => {
  const chart = newChart();
  upstream(chart);
  Harden.chart(chart, { profile: upstreamProfile() });
  const out = Testing.synth(chart);
  const d = find(out, 'Deployment', 'argocd-server');
  expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'argocd-server' });
  expect(podTemplate(d).metadata.labels).toMatchObject(labels);
  const service = find(out, 'Service', 'argocd-server');
  for (const [k, v] of Object.entries(service.spec.selector)) expect(podTemplate(d).metadata.labels[k]).toBe(v);
  // its own ServiceAccount is kept: no dedicated one is derived
  expect(podSpec(d).serviceAccountName).toBe('argocd-server');
  expect(out.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
});

test('an explicit name that contradicts the pod labels fails instead of breaking the selector', () => {
  const chart = newChart();
  upstream(chart);
  Harden.workload(ApiObject.of(chart.node.findChild('Deployment-argocd-server')), { name: 'server' });
  expect(errorOf(() => Testing.synth(chart))).toMatch(/\[argocd\/Deployment-argocd-server\] .*app\.kubernetes\.io\/name.*Fix: /);
});

test('a pod whose ServiceAccount is bound to a role fails synth with the binding and the fix, instead of losing its token', () => {
  const chart = newChart();
  upstream(chart);
  binding(chart);
  Harden.chart(chart, { profile: upstreamProfile() });
  expect(errorOf(() => Testing.synth(chart))).toContain(
    "[argocd/Deployment-argocd-server] spec.automountServiceAccountToken: the pod's ServiceAccount 'argocd-server' is bound by ClusterRoleBinding 'argocd-server' (ClusterRole 'argocd-server') in this app",
  );
});

test('the relaxation, given once for the chart, keeps the API access and the upstream securityContext', () => {
  const chart = newChart();
  upstream(chart);
  binding(chart);
  Harden.chart(chart, { profile: tokenProfile() });
  const d = find(Testing.synth(chart), 'Deployment', 'argocd-server');
  expect(podSpec(d).automountServiceAccountToken).toBe(true);
  const upstreamValues = { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false };
  expect(podSpec(d).containers[0].securityContext).toMatchObject(upstreamValues);
});

test('a pod that opts out of the token upstream is not asked for a relaxation, and keeps it off', () => {
  const chart = newChart();
  upstream(chart, { automountServiceAccountToken: false });
  binding(chart);
  Harden.chart(chart, { profile: tokenProfile() });
  const d = find(Testing.synth(chart), 'Deployment', 'argocd-server');
  expect(podSpec(d).automountServiceAccountToken).toBe(false);
  expect(d.metadata.annotations['superlatch.io/stricter-kept']).toBe('spec.template.spec.automountServiceAccountToken: false');
});
