/**
 * The honest peers of the `hardened` variant: the same manifests, byte for byte,
 * written by hand without the library: once with cdk8s-plus-27 (Deployment and
 * Service with its own fields wherever it has one, `ApiObject.of(x).addJsonPatch(...)`
 * for the rest; explicit ServiceAccount, PodDisruptionBudget and NetworkPolicies)
 * and once as raw ApiObjects. test/bench/peers.test.ts holds both to the
 * library's bytes.
 */
import { ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IMAGE, webContainer } from './variants';

const NAME = 'app.kubernetes.io/name';
const INSTANCE = 'app.kubernetes.io/instance';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const OURS = 'cdk8s-superlatch';
const UID = 10001;
const SECCOMP = { type: 'RuntimeDefault' };

/** The labels the derived objects carry, in the library's order. */
const derivedLabels = (name: string) => ({ [NAME]: name, [INSTANCE]: name, [MANAGED_BY]: OURS });

/** cdk8s sorts metadata keys; the library writes a derived object's labels after its namespace. */
const labelsLast = (name: string) => [JsonPatch.remove('/metadata/labels'), JsonPatch.add('/metadata/labels', derivedLabels(name))];

const DNS_EGRESS = {
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
};

/** The namespace's default-deny and DNS policies (once, in the first chart). */
function baseline(chart: Chart) {
  const metadata = { labels: { [MANAGED_BY]: OURS } };
  new ApiObject(chart, 'default-deny', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...metadata, name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  new ApiObject(chart, 'allow-dns', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...metadata, name: 'allow-dns' },
    spec: { egress: [DNS_EGRESS], podSelector: {}, policyTypes: ['Egress'] },
  });
}

/** The namespace baseline, then workload `web<i>` for i < n in chart i mod the chart count, as the library variants do. */
type Labels = Record<string, string>;
function eachWorkload(charts: Chart[], n: number, build: (chart: Chart, name: string, podLabels: Labels, selector: Labels) => void) {
  baseline(charts[0]);
  for (let i = 0; i < n; i++) {
    const name = `web${i}`;
    build(charts[i % charts.length], name, { [INSTANCE]: name, [NAME]: name }, { [NAME]: name });
  }
}

function pdbSpec(name: string) {
  return { maxUnavailable: 1, selector: { matchLabels: { [NAME]: name } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
}

function policySpec(name: string) {
  return {
    egress: [DNS_EGRESS],
    ingress: [{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }],
    podSelector: { matchLabels: { [INSTANCE]: name } },
    policyTypes: ['Ingress', 'Egress'],
  };
}

/** The workload's ServiceAccount, PodDisruptionBudget and NetworkPolicy. */
function derivedObjects(chart: Chart, name: string) {
  const derived = (id: string, props: any) => new ApiObject(chart, `${name}-${id}`, { ...props, metadata: { name, labels: derivedLabels(name) } })
    .addJsonPatch(...labelsLast(name));
  derived('sa', { apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: false });
  derived('pdb', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: pdbSpec(name) });
  derived('policy', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: policySpec(name) });
}

/** Hand-hardened with cdk8s-plus-27. */
export function peer(charts: Chart[], n: number) {
  eachWorkload(charts, n, (chart, name, podLabels, selector) => {
    const tmp = kplus.Volume.fromEmptyDir(chart, `${name}-tmp`, 'tmp', { sizeLimit: Size.mebibytes(32) });
    const web = new kplus.Deployment(chart, name, {
      metadata: { name, labels: podLabels, annotations: { 'superlatch.io/hardening-profile': 'restricted' } },
      podMetadata: { labels: podLabels, annotations: { 'container.apparmor.security.beta.kubernetes.io/web': 'runtime/default' } },
      select: false,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, `${name}-sa-ref`, name),
      automountServiceAccountToken: false,
      securityContext: { user: UID, group: UID, fsGroup: UID, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH, ensureNonRoot: true },
      volumes: [tmp],
      containers: [{
        ...webContainer(),
        securityContext: {
          user: UID,
          group: UID,
          ensureNonRoot: true,
          privileged: false,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL' as kplus.Capability] },
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        },
        volumeMounts: [{ path: '/tmp', volume: tmp }],
      }],
    });
    web.select(kplus.LabelSelector.of({ labels: selector }));
    const pods = kplus.Pods.select(chart, `${name}-pods`, { labels: selector });
    web.scheduling.separate(pods, { weight: 100 });
    new kplus.Service(chart, `${name}-service`, { metadata: { name }, selector: pods, ports: [{ port: 8080, targetPort: 8080 }] });
    const pod = '/spec/template/spec';
    const resources = `${pod}/containers/0/resources`;
    ApiObject.of(web).addJsonPatch(
      // cdk8s-plus writes ephemeral storage in whole gibibytes only; it sorts between cpu and memory
      // the typed rendering runs after the patches: quantities as Quantity
      JsonPatch.add(`${resources}/limits/ephemeral-storage`, kplus.k8s.Quantity.fromString('256Mi')),
      JsonPatch.move(`${resources}/limits/memory`, `${resources}/limits/memory`),
      JsonPatch.add(`${resources}/requests/ephemeral-storage`, kplus.k8s.Quantity.fromString('64Mi')),
      // cdk8s-plus labels every pod with its construct address
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.move(`${resources}/requests/memory`, `${resources}/requests/memory`),
      JsonPatch.add(`${pod}/containers/0/securityContext/seccompProfile`, SECCOMP),
      JsonPatch.add(`${pod}/securityContext/seccompProfile`, SECCOMP),
      // topologySpreadConstraints sorts before volumes: add it, then move volumes after it
      JsonPatch.add(`${pod}/topologySpreadConstraints`, [
        { labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ]),
      JsonPatch.move(`${pod}/volumes`, `${pod}/volumes`),
    );
    // cdk8s-plus's typed rendering puts metadata keys in a fixed order, but the
    // library writes a derived object's labels after its namespace: written as ApiObjects
    derivedObjects(chart, name);
  });
}

/** Hand-hardened as raw ApiObjects: every manifest written out. */
export function raw(charts: Chart[], n: number) {
  eachWorkload(charts, n, (chart, name, podLabels, selector) => {
    const probe = { failureThreshold: 3, tcpSocket: { port: 8080 } };
    const securityContext = { runAsGroup: UID, runAsNonRoot: true, runAsUser: UID, seccompProfile: SECCOMP };
    new ApiObject(chart, name, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: podLabels, annotations: { 'superlatch.io/hardening-profile': 'restricted' } },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 2,
        selector: { matchLabels: selector },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: {
          metadata: { labels: podLabels, annotations: { 'container.apparmor.security.beta.kubernetes.io/web': 'runtime/default' } },
          spec: {
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }, weight: 100 },
                ],
              },
            },
            automountServiceAccountToken: false,
            containers: [{
              image: IMAGE,
              imagePullPolicy: 'Always',
              livenessProbe: probe,
              name: 'web',
              ports: [{ containerPort: 8080 }],
              readinessProbe: { failureThreshold: 3, httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' } },
              resources: {
                limits: { 'cpu': '500m', 'ephemeral-storage': '256Mi', 'memory': '256Mi' },
                requests: { 'cpu': '100m', 'ephemeral-storage': '64Mi', 'memory': '64Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, ...securityContext,
              },
              startupProbe: probe,
              volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
            }],
            dnsPolicy: 'ClusterFirst',
            hostNetwork: false,
            restartPolicy: 'Always',
            securityContext: { fsGroup: UID, fsGroupChangePolicy: 'OnRootMismatch', ...securityContext },
            serviceAccountName: name,
            setHostnameAsFQDN: false,
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: [
              { labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
            ],
            volumes: [{ emptyDir: { sizeLimit: '32Mi' }, name: 'tmp' }],
          },
        },
      },
    });
    new ApiObject(chart, `${name}-service`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { externalIPs: [], ports: [{ port: 8080, targetPort: 8080 }], selector, type: 'ClusterIP' },
    });
    derivedObjects(chart, name);
  });
}
