import { compliantSet, ctr, find, spec } from './support/fixtures';
import { RuleCatalog, RuleContext, RuleStatus } from '../../src/rules';
import { KubernetesVersion } from '../../src/target/kubernetes-version';

/** A set with objects but no pod template, NetworkPolicy, ServiceAccount, ConfigMap or selector. */
const noWorkloads = () => [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'external', namespace: 'shop' }, spec: { type: 'ExternalName', externalName: 'example.com' } }];

/** The compliant set without any superlatch.io label or annotation: latch rules do not apply. */
function withoutLatch(): any[] {
  const set = compliantSet();
  for (const o of set) {
    for (const meta of [o.metadata, o.spec?.template?.metadata]) {
      for (const field of ['labels', 'annotations']) {
        for (const key of Object.keys(meta?.[field] ?? {})) {
          if (key.startsWith('superlatch.io/')) delete meta[field][key];
        }
      }
    }
  }
  return set;
}

const APPARMOR_APP = "spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']";
const APP = 'spec.template.spec.containers[0]';

interface Case {
  /** Breaks exactly what the rule checks, on a fresh compliant set. */
  readonly breaks: (set: any[]) => void;
  /** Path of the finding the break must produce. */
  readonly path: string;
  /** Kind/name of the object the finding must be on (default Deployment/web). */
  readonly object?: string;
  /** A set the rule does not apply to. */
  readonly notApplicable?: () => any[];
  /** The Kubernetes version the cases are judged at, for a rule that applies only from a version (default 1.27). */
  readonly version?: KubernetesVersion;
}

const sc = (set: any[]) => ctr(set, 'web', 'app').securityContext;
const podSc = (set: any[]) => spec(set, 'web').securityContext;

const CASES: { [id: string]: Case } = {
  'SL-PSS-1': { breaks: (s) => { spec(s, 'web').hostNetwork = true; }, path: 'spec.template.spec.hostNetwork' },
  'SL-PSS-2': { breaks: (s) => { sc(s).privileged = true; }, path: `${APP}.securityContext.privileged` },
  'SL-PSS-3': { breaks: (s) => { sc(s).capabilities.add = ['NET_RAW']; }, path: `${APP}.securityContext.capabilities.add[0]` },
  'SL-PSS-4': { breaks: (s) => { spec(s, 'web').volumes.push({ name: 'host', hostPath: { path: '/' } }); }, path: 'spec.template.spec.volumes[3].hostPath' },
  'SL-PSS-5': { breaks: (s) => { ctr(s, 'web', 'app').ports[0].hostPort = 8080; }, path: `${APP}.ports[0].hostPort` },
  'SL-PSS-6': { breaks: (s) => { find(s, 'Deployment', 'web').spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'; }, path: APPARMOR_APP },
  'SL-PSS-7': { breaks: (s) => { podSc(s).seLinuxOptions = { user: 'system_u' }; }, path: 'spec.template.spec.securityContext.seLinuxOptions.user' },
  'SL-PSS-8': { breaks: (s) => { sc(s).procMount = 'Unmasked'; }, path: `${APP}.securityContext.procMount` },
  'SL-PSS-9': { breaks: (s) => { sc(s).seccompProfile = { type: 'Unconfined' }; }, path: `${APP}.securityContext.seccompProfile.type` },
  'SL-PSS-10': { breaks: (s) => { podSc(s).sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, path: 'spec.template.spec.securityContext.sysctls[0].name' },
  'SL-PSS-11': { breaks: (s) => { podSc(s).windowsOptions = { hostProcess: true }; }, path: 'spec.template.spec.securityContext.windowsOptions.hostProcess' },
  'SL-PSS-12': { breaks: (s) => { spec(s, 'web').volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }); }, path: 'spec.template.spec.volumes[3].nfs' },
  'SL-PSS-13': { breaks: (s) => { delete sc(s).allowPrivilegeEscalation; }, path: `${APP}.securityContext.allowPrivilegeEscalation` },
  'SL-PSS-14': { breaks: (s) => { sc(s).runAsNonRoot = false; }, path: `${APP}.securityContext.runAsNonRoot` },
  'SL-PSS-15': { breaks: (s) => { sc(s).runAsUser = 0; }, path: `${APP}.securityContext.runAsUser` },
  'SL-PSS-16': { breaks: (s) => { delete podSc(s).seccompProfile; delete sc(s).seccompProfile; }, path: `${APP}.securityContext.seccompProfile` },
  'SL-PSS-17': { breaks: (s) => { sc(s).capabilities.drop = []; }, path: `${APP}.securityContext.capabilities.drop` },
  'SL-PSS-18': { breaks: (s) => { ctr(s, 'web', 'app').livenessProbe.httpGet.host = 'bad.host'; }, path: `${APP}.livenessProbe.httpGet.host`, version: KubernetesVersion.V1_34 },
  'SL-PSS-19': { breaks: (s) => { sc(s).procMount = 'Unmasked'; spec(s, 'web').hostUsers = false; }, path: `${APP}.securityContext.procMount`, version: KubernetesVersion.V1_35 },
  'SL-HARD-1': { breaks: (s) => { delete sc(s).runAsNonRoot; }, path: `${APP}.securityContext.runAsNonRoot` },
  'SL-HARD-2': { breaks: (s) => { sc(s).runAsUser = 1000; }, path: `${APP}.securityContext.runAsUser` },
  'SL-HARD-3': { breaks: (s) => { delete sc(s).seccompProfile; }, path: `${APP}.securityContext.seccompProfile` },
  'SL-HARD-4': { breaks: (s) => { delete sc(s).privileged; }, path: `${APP}.securityContext.privileged` },
  'SL-HARD-5': { breaks: (s) => { sc(s).readOnlyRootFilesystem = false; }, path: `${APP}.securityContext.readOnlyRootFilesystem` },
  'SL-HARD-6': { breaks: (s) => { sc(s).capabilities.add = ['NET_BIND_SERVICE']; }, path: `${APP}.securityContext.capabilities.add` },
  'SL-HARD-7': { breaks: (s) => { podSc(s).fsGroup = 0; }, path: 'spec.template.spec.securityContext.fsGroup' },
  'SL-HARD-8': { breaks: (s) => { podSc(s).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }]; }, path: 'spec.template.spec.securityContext.sysctls' },
  'SL-HARD-9': { breaks: (s) => { ctr(s, 'web', 'app').ports[0].containerPort = 80; }, path: `${APP}.ports[0].containerPort` },
  'SL-HARD-10': { breaks: (s) => { spec(s, 'web').automountServiceAccountToken = true; }, path: 'spec.template.spec.automountServiceAccountToken' },
  'SL-HARD-11': { breaks: (s) => { delete spec(s, 'web').serviceAccountName; }, path: 'spec.template.spec.serviceAccountName' },
  'SL-HARD-12': { breaks: (s) => { delete find(s, 'ServiceAccount', 'web').automountServiceAccountToken; }, path: 'automountServiceAccountToken', object: 'ServiceAccount/web' },
  'SL-HARD-13': { breaks: (s) => { delete ctr(s, 'web', 'app').resources.limits.memory; }, path: `${APP}.resources` },
  'SL-HARD-14': { breaks: (s) => { delete ctr(s, 'web', 'app').readinessProbe; }, path: `${APP}.readinessProbe` },
  'SL-HARD-15': { breaks: (s) => { ctr(s, 'web', 'app').image = 'nginx:1.25'; }, path: `${APP}.image` },
  'SL-HARD-16': { breaks: (s) => { delete find(s, 'Deployment', 'web').spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']; }, path: APPARMOR_APP },
  'SL-HARD-17': { breaks: (s) => { find(s, 'Deployment', 'web').spec.selector.matchLabels['cdk8s.io/metadata.addr'] = 'c8abc'; }, path: "spec.selector.matchLabels['cdk8s.io/metadata.addr']" },
  'SL-HARD-18': { breaks: (s) => { find(s, 'Service', 'web').metadata.namespace = 'default'; }, path: 'metadata.namespace', object: 'Service/web', notApplicable: () => [] },
  'SL-HARD-19': { breaks: (s) => { s.splice(s.indexOf(find(s, 'PodDisruptionBudget', 'web')), 1); }, path: 'spec.replicas' },
  'SL-HARD-20': { breaks: (s) => { delete spec(s, 'web').affinity; }, path: 'spec.template.spec.affinity.podAntiAffinity' },
  'SL-HARD-21': { breaks: (s) => { ctr(s, 'web', 'app').env = [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }]; }, path: `${APP}.env[0].valueFrom.secretKeyRef` },
  'SL-HARD-22': { breaks: (s) => { spec(s, 'web').volumes[2].secret.defaultMode = 0o644; }, path: 'spec.template.spec.volumes[2].secret.defaultMode' },
  'SL-HARD-23': { breaks: (s) => { ctr(s, 'web', 'app').env = [{ name: 'DB_PASSWORD', value: 'correct-horse-battery' }]; }, path: `${APP}.env[0].value` },
  'SL-HARD-24': { breaks: (s) => { podSc(s).runAsGroup = 0; }, path: 'spec.template.spec.securityContext.runAsGroup' },
  'SL-HARD-25': { breaks: (s) => { podSc(s).fsGroup = 1000; }, path: 'spec.template.spec.securityContext.fsGroup' },
  'SL-HARD-26': { breaks: (s) => { ctr(s, 'web', 'app').resources.requests.memory = '1Gi'; }, path: `${APP}.resources.requests.memory` },
  'SL-HARD-27': { breaks: (s) => { ctr(s, 'web', 'latch-agent').securityContext.runAsUser = 10001; }, path: 'spec.template.spec.containers[1].securityContext.runAsUser' },
  'SL-NET-1': { breaks: (s) => { s.splice(s.indexOf(find(s, 'NetworkPolicy', 'default-deny')), 1); }, path: 'metadata.namespace' },
  'SL-NET-2': { breaks: (s) => { s.splice(s.indexOf(find(s, 'NetworkPolicy', 'web')), 1); }, path: 'spec.template.metadata.labels' },
  'SL-NET-3': { breaks: (s) => { delete find(s, 'NetworkPolicy', 'web').spec.policyTypes; }, path: 'spec.policyTypes', object: 'NetworkPolicy/web' },
  'SL-NET-4': { breaks: (s) => { find(s, 'NetworkPolicy', 'web').spec.ingress = [{}]; }, path: 'spec.ingress[0]', object: 'NetworkPolicy/web' },
  'SL-NET-5': { breaks: (s) => { find(s, 'NetworkPolicy', 'web').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'gone'; }, path: 'spec.podSelector', object: 'NetworkPolicy/web' },
  'SL-LATCH-1': { breaks: (s) => { delete find(s, 'Deployment', 'web').spec.template.metadata.annotations['superlatch.io/status-writer']; }, path: "spec.template.metadata.annotations['superlatch.io/status-writer']" },
  'SL-LATCH-2': { breaks: (s) => { ctr(s, 'web', 'app').volumeMounts[1].readOnly = false; }, path: `${APP}.volumeMounts[1].readOnly` },
  'SL-LATCH-3': { breaks: (s) => { ctr(s, 'web', 'app').volumeMounts.push({ name: 'latch-credentials', mountPath: '/creds', readOnly: true }); }, path: `${APP}.volumeMounts[2]` },
  'SL-LATCH-4': { breaks: (s) => { ctr(s, 'web', 'latch-agent').env = [{ name: 'APP_ID', valueFrom: { secretKeyRef: { name: 'door', key: 'id' } } }]; }, path: 'spec.template.spec.containers[1].env[0].valueFrom.secretKeyRef' },
  'SL-LATCH-5': { breaks: (s) => { find(s, 'Role', 'door-hub').rules[0].verbs.push('list'); }, path: 'rules[0].verbs', object: 'Role/door-hub' },
  'SL-LATCH-6': { breaks: (s) => { find(s, 'NetworkPolicy', 'api').spec.egress.push({ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }); }, path: 'spec.egress[0]', object: 'NetworkPolicy/api' },
  'SL-LATCH-7': { breaks: (s) => { spec(s, 'api').automountServiceAccountToken = true; }, path: 'spec.template.spec.automountServiceAccountToken', object: 'Deployment/api' },
  'SL-LATCH-8': { breaks: (s) => { spec(s, 'web').volumes[1].emptyDir = {}; }, path: 'spec.template.spec.volumes[1].emptyDir' },
  'SL-LATCH-9': { breaks: (s) => { find(s, 'Deployment', 'door-hub').spec.replicas = 3; }, path: 'spec.replicas', object: 'Deployment/door-hub' },
  'SL-LATCH-10': {
    breaks: (s) => { s.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } }); },
    path: 'spec.egress[0]',
    object: 'NetworkPolicy/allow-all',
  },
  'SL-LATCH-11': {
    breaks: (s) => {
      s.push(
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'app-config', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'app-config', namespace: 'shop' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app-config' }, subjects: [{ kind: 'ServiceAccount', name: 'api' }] },
      );
    },
    path: 'subjects[0]',
    object: 'RoleBinding/app-config',
  },
  'SL-LATCH-12': { breaks: (s) => { ctr(s, 'web', 'latch-agent').env = [{ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }]; }, path: 'spec.template.spec.containers[1].env[0]' },
};

const LATCH_NA = withoutLatch;
const CONDITIONAL_NA: { [id: string]: () => any[] } = {
  'SL-HARD-19': () => { const s = compliantSet(); find(s, 'Deployment', 'web').spec.replicas = 1; return s; },
  'SL-HARD-20': () => { const s = compliantSet(); find(s, 'Deployment', 'web').spec.replicas = 1; return s; },
};

describe('every built-in rule has compliant, non-compliant and not-applicable cases', () => {
  test('a case is written for each rule and for no unknown id', () => {
    expect(Object.keys(CASES).sort()).toEqual(RuleCatalog.all().map((r) => r.id).sort());
  });

  describe.each(RuleCatalog.all().map((r) => [r.id, r] as const))('%s', (id, rule) => {
    const c = CASES[id];
    const context = RuleContext.at(c.version ?? KubernetesVersion.DEFAULT);

    test('compliant: the hardened set satisfies it', () => {
      // GIVEN the fully hardened set  WHEN the rule runs  THEN it is compliant
      expect(rule.check(compliantSet(), context)).toEqual({ status: RuleStatus.COMPLIANT, findings: [] });
    });

    test('non-compliant: breaking the field it checks yields a finding at that path', () => {
      // GIVEN the hardened set with one field broken
      const set = compliantSet();
      c.breaks(set);
      // WHEN the rule runs
      const result = rule.check(set, context);
      // THEN it reports the broken path on the right object
      expect(result.status).toBe(RuleStatus.NON_COMPLIANT);
      const hits = result.findings.filter((f) => f.path === c.path);
      expect(hits.map((f) => f.path)).toContain(c.path);
      const o = set[hits[0].objectIndex];
      expect(`${o.kind}/${o.metadata.name}`).toBe(c.object ?? 'Deployment/web');
      for (const f of result.findings) expect(f.message.length).toBeGreaterThan(10);
    });

    test('not applicable: nothing in the set is what it checks', () => {
      const set = (c.notApplicable ?? CONDITIONAL_NA[id] ?? (id.startsWith('SL-LATCH') && id !== 'SL-LATCH-8' ? LATCH_NA : noWorkloads))();
      expect(rule.check(set, context).status).toBe(RuleStatus.NOT_APPLICABLE);
    });
  });
});
