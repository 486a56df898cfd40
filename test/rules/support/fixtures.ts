/**
 * A complete, hardened set of manifests (namespace `shop`) that every built-in
 * rule finds compliant: a sidecar-mode latched Deployment, a hub-mode latch
 * agent with its Role, a hub-mode guarded Deployment, policies, budgets.
 * Rule tests break one field of a fresh copy at a time.
 */
const NS = 'shop';
export const DIGEST = 'sha256:' + 'a'.repeat(64);

function securityContext() {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 10001,
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function container(name: string, extra: any = {}) {
  return {
    name,
    image: `registry.example.com/${name}:1.0.0@${DIGEST}`,
    ports: [{ containerPort: 8080 }],
    resources: {
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '32Mi' },
    },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    securityContext: securityContext(),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    ...extra,
  };
}

function podSpec(sa: string, containers: any[], volumes: any[], extra: any = {}) {
  return {
    automountServiceAccountToken: false,
    serviceAccountName: sa,
    securityContext: {
      fsGroup: 10001,
      fsGroupChangePolicy: 'OnRootMismatch',
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers,
    volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }, ...volumes],
    ...extra,
  };
}

/** The latch's own containers run as their own uid and gid (the Latch's default agentUser). */
function latchAgentSecurityContext() {
  return { ...securityContext(), runAsGroup: 10002, runAsUser: 10002 };
}

function appArmor(...names: string[]) {
  return Object.fromEntries(names.map((n) => [`container.apparmor.security.beta.kubernetes.io/${n}`, 'runtime/default']));
}

function deployment(name: string, replicas: number, labels: any, annotations: any, podTemplateSpec: any) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels: { 'app.kubernetes.io/name': name, ...labels }, annotations }, spec: podTemplateSpec },
    },
  };
}

function serviceAccount(name: string) {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS }, automountServiceAccountToken: false };
}

function workloadPolicy(name: string, ingress: any[], egress: any[]) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: NS },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': name } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

const fromFrontend = [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }];
const toLatchApi = [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] }];

/** A fresh copy of the compliant set. */
export function compliantSet(): any[] {
  const web = deployment('web', 2,
    { 'superlatch.io/latch': 'door', 'superlatch.io/role': 'guarded' },
    {
      ...appArmor('app', 'latch-agent'),
      'superlatch.io/latch-containers': 'latch-agent',
      'superlatch.io/mode': 'sidecar',
      'superlatch.io/status-volume': 'latch-status',
      'superlatch.io/status-writer': 'latch-agent',
      'superlatch.io/credentials-volume': 'latch-credentials',
    },
    podSpec('web', [
      container('app', { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true }] }),
      container('latch-agent', {
        ports: [],
        securityContext: latchAgentSecurityContext(),
        livenessProbe: { exec: { command: ['/agent', 'alive'] } },
        readinessProbe: { exec: { command: ['/agent', 'check'] } },
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'latch-status', mountPath: '/usr/share/latch' },
          { name: 'latch-credentials', mountPath: '/var/run/latch', readOnly: true },
        ],
      }),
    ], [
      { name: 'latch-status', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'latch-credentials', secret: { secretName: 'door-credentials', defaultMode: 0o400 } },
    ], {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
          }],
        },
      },
    }));
  const hub = deployment('door-hub', 1,
    { 'superlatch.io/latch': 'door', 'superlatch.io/role': 'agent' },
    { ...appArmor('latch-agent'), 'superlatch.io/latch-containers': 'latch-agent', 'superlatch.io/mode': 'hub', 'superlatch.io/credentials-volume': 'latch-credentials' },
    podSpec('door-hub', [
      container('latch-agent', {
        ports: [],
        securityContext: latchAgentSecurityContext(),
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'latch-credentials', mountPath: '/var/run/latch', readOnly: true },
          { name: 'api-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
        ],
      }),
    ], [
      { name: 'latch-credentials', secret: { secretName: 'door-credentials', defaultMode: 0o400 } },
      { name: 'api-token', projected: { defaultMode: 0o400, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ]));
  const api = deployment('api', 1,
    { 'superlatch.io/latch': 'door', 'superlatch.io/role': 'guarded' },
    { ...appArmor('api'), 'superlatch.io/mode': 'hub', 'superlatch.io/status-volume': 'latch-status' },
    podSpec('api', [
      container('api', { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true }] }),
    ], [{ name: 'latch-status', configMap: { name: 'door-status' } }]));
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    serviceAccount('web'), serviceAccount('door-hub'), serviceAccount('api'),
    web, hub, api,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: NS },
      spec: { selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ port: 443, targetPort: 8080 }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: NS },
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: NS },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
      },
    },
    workloadPolicy('web', fromFrontend, toLatchApi),
    workloadPolicy('door-hub', [], [...toLatchApi, { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] }]),
    workloadPolicy('api', fromFrontend, []),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'door-hub', namespace: NS, labels: { 'superlatch.io/latch': 'door', 'superlatch.io/role': 'agent' } },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['door-status'], verbs: ['get', 'update', 'patch'] }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'door-status', namespace: NS, labels: { 'superlatch.io/latch': 'door' } },
      data: { 'latch-info.json': '{"version":1,"latched":true,"status":"off"}' },
    },
  ];
}

/** Finds an object of the set by kind and name. */
export function find(set: any[], kind: string, name: string): any {
  const o = set.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`fixture has no ${kind} ${name}`);
  return o;
}

/** Pod spec of a Deployment of the set. */
export function spec(set: any[], name: string): any {
  return find(set, 'Deployment', name).spec.template.spec;
}

/** Container of a Deployment of the set. */
export function ctr(set: any[], deploymentName: string, containerName: string): any {
  return spec(set, deploymentName).containers.find((c: any) => c.name === containerName);
}
