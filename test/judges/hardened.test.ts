/**
 * Zero findings is reachable: a hand-written hardened set passes all three judges. The ablation table
 * then removes one hardened field at a time and records exactly which judge rules fire, i.e. what the
 * hardened profile must render (and what no judge demands, which our own rules must cover).
 */
import { hardenedWebSet } from './fixtures/hardened';
import { expectNoFindings, judge } from './index';
import { Manifest } from './types';

// A judge() call runs Monokle in a child process (about 0.5 s, more on a busy CI machine).
jest.setTimeout(60_000);

test('the hardened Deployment + Service + NetworkPolicy + PDB + ServiceAccount set has zero findings', async () => {
  const report = await expectNoFindings(hardenedWebSet());
  expect(report.exempted).toEqual([]);
  expect(report.notValidated).toEqual([]);
});

type Mutation = (set: Manifest[]) => void;
const deployment = (set: Manifest[]) => set[1];
const podSpec = (set: Manifest[]) => set[1].spec.template.spec;
const podSc = (set: Manifest[]) => podSpec(set).securityContext;
const container = (set: Manifest[]) => podSpec(set).containers[0];
const containerSc = (set: Manifest[]) => container(set).securityContext;

/** Variant => the `judge:id` findings it must produce (exactly those). */
const ABLATIONS: ReadonlyArray<[string, Mutation, string[]]> = [
  // Fields some judge demands.
  ['container allowPrivilegeEscalation unset', (s) => delete containerSc(s).allowPrivilegeEscalation,
    ['monokle:PSS202', 'polaris:privilegeEscalationAllowed']],
  ['container readOnlyRootFilesystem unset', (s) => delete containerSc(s).readOnlyRootFilesystem,
    ['monokle:KBP102', 'polaris:notReadOnlyRootFilesystem']],
  ['container runAsNonRoot unset (pod still sets it)', (s) => delete containerSc(s).runAsNonRoot, ['monokle:PSS203']],
  ['container capabilities unset', (s) => delete containerSc(s).capabilities,
    ['monokle:KBP103', 'monokle:PSS206', 'polaris:insecureCapabilities']],
  ['seccomp unset at pod and container', (s) => {
    delete containerSc(s).seccompProfile;
    delete podSc(s).seccompProfile;
  }, ['monokle:PSS205']],
  ['runAsUser 10000 at pod and container', (s) => {
    containerSc(s).runAsUser = 10000;
    podSc(s).runAsUser = 10000;
  }, ['monokle:KBP104']],
  ['runAsGroup 10000 at pod and container', (s) => {
    containerSc(s).runAsGroup = 10000;
    podSc(s).runAsGroup = 10000;
  }, ['monokle:KBP105']],
  ['runAsUser and runAsNonRoot unset at pod and container', (s) => {
    for (const sc of [containerSc(s), podSc(s)]) {
      delete sc.runAsUser;
      delete sc.runAsNonRoot;
    }
  }, ['monokle:KBP104', 'monokle:PSS203', 'polaris:runAsRootAllowed']],
  ['cpu request unset', (s) => delete container(s).resources.requests.cpu, ['monokle:KBP002', 'polaris:cpuRequestsMissing']],
  ['memory request unset', (s) => delete container(s).resources.requests.memory, ['monokle:KBP004', 'polaris:memoryRequestsMissing']],
  ['cpu limit unset', (s) => delete container(s).resources.limits.cpu, ['monokle:KBP003', 'polaris:cpuLimitsMissing']],
  ['memory limit unset', (s) => delete container(s).resources.limits.memory, ['monokle:KBP005', 'polaris:memoryLimitsMissing']],
  ['livenessProbe unset', (s) => delete container(s).livenessProbe, ['polaris:livenessProbeMissing']],
  ['readinessProbe unset', (s) => delete container(s).readinessProbe, ['polaris:readinessProbeMissing']],
  ['image without tag', (s) => {
    container(s).image = 'registry.example.com/shop/web';
  }, ['monokle:KBP116', 'polaris:tagNotSpecified']],
  ['image :latest', (s) => {
    container(s).image = 'registry.example.com/shop/web:latest';
  }, ['monokle:KBP001', 'polaris:tagNotSpecified']],
  ['imagePullPolicy unset', (s) => delete container(s).imagePullPolicy, ['polaris:pullPolicyNotAlways']],
  ['token automount unset on the pod and the ServiceAccount', (s) => {
    delete podSpec(s).automountServiceAccountToken;
    delete s[0].automountServiceAccountToken;
  }, ['monokle:KBP106', 'polaris:automountServiceAccountToken']],
  ['topologySpreadConstraints unset', (s) => delete podSpec(s).topologySpreadConstraints, ['polaris:topologySpreadConstraint']],
  ['replicas 1', (s) => {
    deployment(s).spec.replicas = 1;
  }, ['polaris:deploymentMissingReplicas']],
  ['priorityClassName unset', (s) => delete podSpec(s).priorityClassName, ['polaris:priorityClassNotSet']],
  ['no PodDisruptionBudget', (s) => s.splice(4, 1), ['polaris:missingPodDisruptionBudget']],
  ['no NetworkPolicy', (s) => s.splice(3, 1), ['polaris:missingNetworkPolicy']],
  ['NetworkPolicy without egress', (s) => {
    s[3].spec.policyTypes = ['Ingress'];
    delete s[3].spec.egress;
  }, ['polaris:missingNetworkPolicy']],
  ['NetworkPolicy matchLabels with both selector labels', (s) => {
    s[3].spec.podSelector = { matchLabels: { ...deployment(s).spec.selector.matchLabels } };
  }, ['polaris:missingNetworkPolicy']],
  ['containerPort 80', (s) => {
    container(s).ports[0].containerPort = 80;
  }, ['monokle:KBP113']],
  ['Service type NodePort', (s) => {
    s[2].spec.type = 'NodePort';
  }, ['monokle:KBP114']],
  ['secret as env value', (s) => {
    container(s).env = [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web', key: 'token' } } }];
  }, ['monokle:KBP112']],
  ['literal password in env', (s) => {
    container(s).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }];
  }, ['polaris:sensitiveContainerEnvVar']],

  // Hardened defaults that no judge demands (covered by our own rules, or accepted at either level).
  ['pod securityContext unset (the container sets everything)', (s) => delete podSpec(s).securityContext, []],
  ['container runAsUser/runAsGroup/seccomp unset (the pod sets them)', (s) => {
    delete containerSc(s).runAsUser;
    delete containerSc(s).runAsGroup;
    delete containerSc(s).seccompProfile;
  }, []],
  ['container privileged unset', (s) => delete containerSc(s).privileged, []],
  ['ephemeral-storage request and limit unset', (s) => {
    delete container(s).resources.requests['ephemeral-storage'];
    delete container(s).resources.limits['ephemeral-storage'];
  }, []],
  ['tag-only image (no digest)', (s) => {
    container(s).image = 'registry.example.com/shop/web:1.4.2';
  }, []],
  ['identical liveness and readiness probes', (s) => {
    container(s).readinessProbe = container(s).livenessProbe;
  }, []],
  ['token automount unset on the pod only', (s) => delete podSpec(s).automountServiceAccountToken, []],
  ['AppArmor annotation unset', (s) => delete deployment(s).spec.template.metadata.annotations, []],
  ['pod anti-affinity unset', (s) => delete podSpec(s).affinity, []],
  ['fsGroup unset', (s) => {
    delete podSc(s).fsGroup;
    delete podSc(s).fsGroupChangePolicy;
  }, []],
  ['/tmp emptyDir unset', (s) => {
    delete podSpec(s).volumes;
    delete container(s).volumeMounts;
  }, []],
];

test('ablation: which judge rules each hardened field satisfies', async () => {
  // One judge() call for every variant: each variant lives in its own namespace, with its own
  // ServiceAccount name (Monokle links a pod to any ServiceAccount of that name, whatever the namespace).
  const objects: Manifest[] = [];
  ABLATIONS.forEach(([, mutate], i) => {
    const set = hardenedWebSet();
    mutate(set);
    for (const obj of set) {
      obj.metadata.namespace = `variant-${i}`;
      if (obj.kind === 'ServiceAccount') obj.metadata.name = `web-${i}`;
      if (obj.kind === 'Deployment') obj.spec.template.spec.serviceAccountName = `web-${i}`;
    }
    objects.push(...JSON.parse(JSON.stringify(set)) as Manifest[]);
  });
  const report = await judge(objects);
  expect(report.schema).toEqual([]);
  expect(report.notValidated).toEqual([]);
  const fired = ABLATIONS.map(([name], i) => {
    const ids = [...report.monokle, ...report.polaris]
      .filter((f) => f.object.namespace === `variant-${i}`)
      .map((f) => `${f.judge}:${f.id}`);
    return [name, [...new Set(ids)].sort()];
  });
  expect(fired).toEqual(ABLATIONS.map(([name, , expected]) => [name, [...expected].sort()]));
});
