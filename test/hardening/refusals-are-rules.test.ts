/**
 * Issue 15, item 1: no profile check is defined outside the rule objects.
 *
 * The hardened profile only fixes; what it cannot fix is refused by the rules
 * of PROFILE_RULES, run on the fixed manifest. This file maps every refusal the
 * profile can produce to a rule id (each case below is one of the former
 * `fail()` checks of the hardening, and the manifest that triggered it), shows
 * that each such rule names the relaxation that lifts it (or why none does),
 * and lists the refusals that stay construction errors, with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Harden, HardeningProfile, HardeningProfileProps, KubernetesTarget, KubernetesVersion, Relaxation } from '../../src';
import { findRule, PROFILE_RULES } from '../../src/rules/registry';
import { coverNetwork, IMAGE } from '../util';

const REASON = 'documented reason for the test';
const C = 'spec.template.spec.containers[0]';
const P = 'spec.template.spec';

/** A Deployment `web` the restricted profile accepts as it is. */
function webDeployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          containers: [{
            name: 'app',
            image: IMAGE,
            ports: [{ containerPort: 8080 }],
            livenessProbe: { tcpSocket: { port: 8080 } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          }],
        },
      },
    },
  };
}

/** A container the latch would add (marked in `superlatch.io/latch-containers`), on a uid of its own. */
function withLatchAgent(m: any): void {
  const tpl = m.spec.template;
  tpl.metadata.annotations = { 'superlatch.io/latch-containers': 'agent' };
  tpl.spec.containers.push({
    name: 'agent',
    image: IMAGE,
    livenessProbe: { exec: { command: ['/agent', 'alive'] } },
    readinessProbe: { exec: { command: ['/agent', 'ready'] } },
    securityContext: { runAsUser: 10002, runAsGroup: 10002 },
  });
}

interface Setup {
  /** Changes the compliant Deployment into the one the check is about. */
  readonly patch?: (m: any) => void;
  readonly profile?: HardeningProfileProps;
  readonly target?: KubernetesVersion;
  /** Adds more objects to the chart (bindings, a second workload). */
  readonly extra?: (chart: Chart, web: ApiObject) => void;
  readonly name?: string;
}

/** The refusal lines of the synth of `web` hardened as `setup` says (empty when it synthesizes). */
function refusals(setup: Setup, relaxations: Relaxation[] = []): string[] {
  const app = Testing.app();
  if (setup.target) KubernetesTarget.set(app, setup.target);
  const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
  const manifest = webDeployment();
  setup.patch?.(manifest);
  const web = new ApiObject(chart, 'web', manifest);
  const profile = HardeningProfile.restricted({ ...setup.profile, relaxations: [...(setup.profile?.relaxations ?? []), ...relaxations] });
  Harden.workload(web, { name: setup.name, profile });
  coverNetwork(chart, web);
  setup.extra?.(chart, web);
  try {
    Testing.synth(chart);
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
  }
}

const RULE_TAG = /^\[[^\]]+\] (\S+): \[(SL-[A-Z]+-\d+)\] /;

/** The rules whose findings no relaxation lifts, and why. */
const NOT_RELAXABLE: Record<string, string> = {
  'SL-PSS-1': 'host namespaces give the pod the node itself: outside what a hardened workload may be',
  'SL-PSS-2': 'a privileged container is root on the node: no hardened workload runs one',
  'SL-PSS-4': 'a hostPath volume exposes the node\'s filesystem: outside what we harden',
  'SL-PSS-5': 'a host port bypasses Services and NetworkPolicies: expose the port through a Service',
  'SL-PSS-8': 'an unmasked /proc exposes kernel interfaces: nothing in an application needs it',
  'SL-PSS-19': 'the same as SL-PSS-8, from v1.35 and in user namespaces too',
  'SL-HARD-7': 'fsGroup 0 gives every volume to the root group; the id floor is SL-HARD-25, which lowIds lifts',
  'SL-HARD-8': 'sysctls change the node\'s kernel: tune them on the node',
  'SL-HARD-26': 'a request above its limit is rejected by the API server: there is nothing to relax',
  'SL-HARD-27': 'it protects the latch\'s own containers, which never take relaxations',
};

interface Check {
  /** The former `fail()` check of the hardening, in its words. */
  readonly check: string;
  readonly setup: Setup;
  /** The rule that refuses it now, and the field. */
  readonly rule: string;
  readonly path: string;
  /** The relaxation that lets it through, for the rules that name one. */
  readonly relaxation?: Relaxation;
}

const unconfinedAppArmor = (m: any) => { m.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }; };
const sc = (m: any) => (m.spec.template.spec.containers[0].securityContext ??= {});
const psc = (m: any) => (m.spec.template.spec.securityContext ??= {});
const app = (m: any) => m.spec.template.spec.containers[0];

/** Every former `fail()` check of the manifest's security: the manifest that triggered it, and the rule that refuses it now. */
const CHECKS: Check[] = [
  { check: 'host namespaces are not allowed (hostNetwork)', setup: { patch: (m) => { m.spec.template.spec.hostNetwork = true; } }, rule: 'SL-PSS-1', path: `${P}.hostNetwork` },
  { check: 'host namespaces are not allowed (hostPID)', setup: { patch: (m) => { m.spec.template.spec.hostPID = true; } }, rule: 'SL-PSS-1', path: `${P}.hostPID` },
  { check: 'host namespaces are not allowed (hostIPC)', setup: { patch: (m) => { m.spec.template.spec.hostIPC = true; } }, rule: 'SL-PSS-1', path: `${P}.hostIPC` },
  { check: 'sysctls are not allowed by the hardened profile', setup: { patch: (m) => { psc(m).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }]; } }, rule: 'SL-HARD-8', path: `${P}.securityContext.sysctls` },
  { check: 'volume mounts a host path', setup: { patch: (m) => { m.spec.template.spec.volumes = [{ name: 'host', hostPath: { path: '/' } }]; } }, rule: 'SL-PSS-4', path: `${P}.volumes[0].hostPath` },
  { check: 'the pod may run as root', setup: { patch: (m) => { psc(m).runAsNonRoot = false; } }, rule: 'SL-HARD-1', path: `${P}.securityContext.runAsNonRoot`, relaxation: Relaxation.runAsRoot(REASON) },
  { check: 'the ServiceAccount token is mounted', setup: { patch: (m) => { m.spec.template.spec.automountServiceAccountToken = true; } }, rule: 'SL-HARD-10', path: `${P}.automountServiceAccountToken`, relaxation: Relaxation.serviceAccountToken(REASON) },
  { check: 'container runs unconfined by AppArmor (annotation, 1.27)', setup: { patch: unconfinedAppArmor }, rule: 'SL-PSS-6', path: "spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']", relaxation: Relaxation.noAppArmor(REASON) },
  { check: 'container runs unconfined by AppArmor (field, 1.30)', setup: { target: KubernetesVersion.V1_30, patch: (m) => { sc(m).appArmorProfile = { type: 'Unconfined' }; } }, rule: 'SL-PSS-6', path: `${C}.securityContext.appArmorProfile.type`, relaxation: Relaxation.noAppArmor(REASON) },
  { check: 'the pod runs unconfined by AppArmor (field, 1.30)', setup: { target: KubernetesVersion.V1_30, patch: (m) => { psc(m).appArmorProfile = { type: 'Unconfined' }; } }, rule: 'SL-PSS-6', path: `${P}.securityContext.appArmorProfile.type`, relaxation: Relaxation.noAppArmor(REASON) },
  { check: 'latch container runs as the uid of the application containers', setup: { patch: (m) => { withLatchAgent(m); m.spec.template.spec.containers[1].securityContext.runAsUser = 10001; } }, rule: 'SL-HARD-27', path: 'spec.template.spec.containers[1].securityContext.runAsUser' },
  { check: 'runAsUser is 0 (root)', setup: { patch: (m) => { psc(m).runAsUser = 0; } }, rule: 'SL-HARD-24', path: `${P}.securityContext.runAsUser`, relaxation: Relaxation.runAsRoot(REASON) },
  { check: 'runAsGroup is 0 (root), even with low ids', setup: { profile: { relaxations: [Relaxation.lowIds(REASON)] }, patch: (m) => { sc(m).runAsGroup = 0; } }, rule: 'SL-HARD-24', path: `${C}.securityContext.runAsGroup`, relaxation: Relaxation.runAsRoot(REASON) },
  { check: 'fsGroup is 0 (root)', setup: { patch: (m) => { psc(m).fsGroup = 0; } }, rule: 'SL-HARD-7', path: `${P}.securityContext.fsGroup` },
  { check: 'runAsUser is not above 10000', setup: { patch: (m) => { psc(m).runAsUser = 1000; } }, rule: 'SL-HARD-2', path: `${P}.securityContext.runAsUser`, relaxation: Relaxation.lowIds(REASON) },
  { check: 'runAsGroup is not above 10000 (container)', setup: { patch: (m) => { sc(m).runAsGroup = 5000; } }, rule: 'SL-HARD-2', path: `${C}.securityContext.runAsGroup`, relaxation: Relaxation.lowIds(REASON) },
  { check: 'fsGroup is not above 10000, even run as root', setup: { profile: { relaxations: [Relaxation.runAsRoot(REASON)] }, patch: (m) => { psc(m).fsGroup = 1000; } }, rule: 'SL-HARD-25', path: `${P}.securityContext.fsGroup`, relaxation: Relaxation.lowIds(REASON) },
  { check: 'seccomp is Unconfined (pod)', setup: { patch: (m) => { psc(m).seccompProfile = { type: 'Unconfined' }; } }, rule: 'SL-PSS-9', path: `${P}.securityContext.seccompProfile.type`, relaxation: Relaxation.noSeccomp(REASON) },
  { check: 'seccomp is Unconfined (container)', setup: { patch: (m) => { sc(m).seccompProfile = { type: 'Unconfined' }; } }, rule: 'SL-PSS-9', path: `${C}.securityContext.seccompProfile.type`, relaxation: Relaxation.noSeccomp(REASON) },
  { check: 'container is privileged', setup: { patch: (m) => { sc(m).privileged = true; } }, rule: 'SL-PSS-2', path: `${C}.securityContext.privileged` },
  { check: 'container unmasks /proc', setup: { patch: (m) => { sc(m).procMount = 'Unmasked'; } }, rule: 'SL-PSS-8', path: `${C}.securityContext.procMount` },
  { check: 'container unmasks /proc (v1.35, user namespaces)', setup: { target: KubernetesVersion.V1_35, profile: { userNamespaces: true }, patch: (m) => { sc(m).procMount = 'Unmasked'; } }, rule: 'SL-PSS-19', path: `${C}.securityContext.procMount` },
  { check: 'container may run as root', setup: { patch: (m) => { sc(m).runAsNonRoot = false; } }, rule: 'SL-HARD-1', path: `${C}.securityContext.runAsNonRoot`, relaxation: Relaxation.runAsRoot(REASON) },
  { check: 'container allows privilege escalation', setup: { patch: (m) => { sc(m).allowPrivilegeEscalation = true; } }, rule: 'SL-PSS-13', path: `${C}.securityContext.allowPrivilegeEscalation`, relaxation: Relaxation.privilegeEscalation(REASON) },
  { check: 'container has a writable root filesystem', setup: { patch: (m) => { sc(m).readOnlyRootFilesystem = false; } }, rule: 'SL-HARD-5', path: `${C}.securityContext.readOnlyRootFilesystem`, relaxation: Relaxation.writableRootFilesystem(REASON) },
  { check: 'container adds capabilities', setup: { patch: (m) => { sc(m).capabilities = { add: ['NET_ADMIN'] }; } }, rule: 'SL-HARD-6', path: `${C}.securityContext.capabilities.add`, relaxation: Relaxation.addCapabilities(['NET_ADMIN'], REASON) },
  { check: 'image is not pinned by digest', setup: { patch: (m) => { app(m).image = 'nginx:1.27'; } }, rule: 'SL-HARD-15', path: `${C}.image`, relaxation: Relaxation.tagOnlyImages(REASON) },
  { check: 'container binds a host port', setup: { patch: (m) => { app(m).ports[0].hostPort = 8080; } }, rule: 'SL-PSS-5', path: `${C}.ports[0].hostPort` },
  { check: 'container listens on a privileged port', setup: { patch: (m) => { app(m).ports[0].containerPort = 80; } }, rule: 'SL-HARD-9', path: `${C}.ports[0].containerPort`, relaxation: Relaxation.privilegedPorts(REASON) },
  { check: 'container reads a Secret into an env var', setup: { patch: (m) => { app(m).env = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }]; } }, rule: 'SL-HARD-21', path: `${C}.env[0].valueFrom.secretKeyRef`, relaxation: Relaxation.secretsInEnv(REASON) },
  { check: 'container loads every key of a Secret into its environment', setup: { patch: (m) => { app(m).envFrom = [{ secretRef: { name: 'db' } }]; } }, rule: 'SL-HARD-21', path: `${C}.envFrom[0].secretRef`, relaxation: Relaxation.secretsInEnv(REASON) },
  { check: 'container requests more than its limit', setup: { patch: (m) => { app(m).resources = { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } }; } }, rule: 'SL-HARD-26', path: `${C}.resources.requests.memory` },
  { check: 'container has no liveness probe', setup: { patch: (m) => { delete app(m).livenessProbe; } }, rule: 'SL-HARD-14', path: `${C}.livenessProbe`, relaxation: Relaxation.noProbes(REASON) },
  { check: 'container has no readiness probe', setup: { patch: (m) => { delete app(m).readinessProbe; } }, rule: 'SL-HARD-14', path: `${C}.readinessProbe`, relaxation: Relaxation.noProbes(REASON) },
  { check: 'identical liveness and readiness probes', setup: { patch: (m) => { app(m).readinessProbe = { tcpSocket: { port: 8080 } }; } }, rule: 'SL-HARD-14', path: `${C}.livenessProbe`, relaxation: Relaxation.noProbes(REASON) },
];

/** Refusals that are not checks of the manifest's security: the manifest cannot be built as asked. */
const CONSTRUCTION_ERRORS: Array<{ error: RegExp; reason: string; setup: Setup }> = [
  {
    error: /metadata\.labels\.app\.kubernetes\.io\/name: the workload's identity says app\.kubernetes\.io\/name=other but its pods are labelled/,
    reason: 'the identity asked for (Harden.workload options) contradicts the labels of the pods: an error of the construct, not of its security',
    setup: { name: 'other', patch: (m) => { m.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'web' }; } },
  },
  {
    error: /spec\.selector\.matchLabels\.tier: the selector wants tier=web but the pod template has no such label, so the workload would not select its own pods/,
    reason: 'a workload whose selector does not select its pods is broken, whatever its security',
    setup: { patch: (m) => { m.spec.selector.matchLabels.tier = 'web'; } },
  },
  {
    error: /spec\.volumes: a volume named 'tmp' exists but is not an emptyDir/,
    reason: 'the profile needs the name for its /tmp emptyDir: a naming conflict with the profile, not a check',
    setup: { patch: (m) => { m.spec.template.spec.volumes = [{ name: 'tmp', configMap: { name: 'tmp' } }]; } },
  },
  {
    error: /spec\.containers: the pod has no containers/,
    reason: 'an invalid pod (the API server rejects it), not a security check',
    setup: { patch: (m) => { m.spec.template.spec.containers = []; } },
  },
  {
    error: /containers\[0\]\.image: container 'app' has no image/,
    reason: 'an invalid container (the API server rejects it); SL-HARD-15, which tagOnlyImages lifts, must not let it through',
    setup: { patch: (m) => { delete app(m).image; } },
  },
  {
    error: /spec\.hostUsers: user namespaces are on by default only from Kubernetes v1\.33 \(the target is v1\.27\)/,
    reason: 'a profile option (userNamespaces) the target cannot meet',
    setup: { profile: { userNamespaces: true } },
  },
  {
    error: /spec\.hostUsers: the pod asks for the host user namespace but the profile runs it in its own/,
    reason: 'the manifest contradicts a profile option (userNamespaces): no rule knows the option',
    setup: { target: KubernetesVersion.V1_33, profile: { userNamespaces: true }, patch: (m) => { m.spec.template.spec.hostUsers = true; } },
  },
  {
    error: /spec\.automountServiceAccountToken: the pod's ServiceAccount 'web' is bound by RoleBinding 'reader' .* but the profile would unmount its token/,
    reason: 'app-wide (the bindings of other objects): the profile\'s fix would break the app, so it asks for the relaxation instead',
    setup: {
      extra: (chart) => new ApiObject(chart, 'reader', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'apps' }],
      }),
    },
  },
  {
    error: /\[test\/web\] and \[test\/twin\] have the same identity in namespace 'apps'|\[test\/twin\] and \[test\/web\] have the same identity in namespace 'apps'/,
    reason: 'two workloads of one identity select each other\'s pods: an error of the app, not of a manifest',
    setup: {
      extra: (chart) => {
        const twin = new ApiObject(chart, 'twin', { ...webDeployment(), metadata: { name: 'twin' } });
        Harden.workload(twin, { name: 'web' });
        coverNetwork(chart, twin);
      },
    },
  },
];

/** The network part of the profile is refused with the ids of the rules it runs (network-coverage.ts). */
const NETWORK_TAG = /\((SL-NET-\d+)\)/g;

/** Every refusal line is a rule's (with an id of PROFILE_RULES) or a listed construction error. */
function expectAccountedFor(lines: string[]): void {
  for (const line of lines) {
    const tag = RULE_TAG.exec(line);
    if (tag) {
      expect(PROFILE_RULES.map((r) => r.id)).toContain(tag[2]);
      continue;
    }
    const network = [...line.matchAll(NETWORK_TAG)].map((m) => m[1]);
    if (network.length > 0) {
      for (const id of network) expect(findRule(id)).toBeDefined();
      continue;
    }
    expect(CONSTRUCTION_ERRORS.filter((c) => c.error.test(line)).map((c) => c.reason)).toHaveLength(1);
  }
}

describe('every former check of the hardening is refused by a rule of the registry, with its id', () => {
  test.each(CHECKS.map((c) => [c.check, c] as const))('%s', (_name, c) => {
    const lines = refusals(c.setup);
    const at = lines.map((l) => RULE_TAG.exec(l)).filter((m) => m !== null && m[1] === c.path).map((m) => m![2]);
    expect(at).toEqual([c.rule]);
    expectAccountedFor(lines);
    const rule = findRule(c.rule)!;
    expect(PROFILE_RULES).toContain(rule);
    if (c.relaxation) {
      // the rule names the relaxation, the refusal offers it, and with it the manifest goes through
      expect(rule.relaxedBy).toContain(c.relaxation.name);
      expect(lines.find((l) => l.includes(`${c.path}: [${c.rule}]`))).toMatch(/, or add Relaxation\.\w+\(/);
      expect(refusals(c.setup, [c.relaxation])).toEqual([]);
    } else {
      expect(rule.relaxedBy).toEqual([]);
      expect(NOT_RELAXABLE[c.rule]).toBeDefined();
    }
  });
});

test('every rule the profile enforces is exercised above, and names its relaxation or says why it has none', () => {
  const exercised = new Set(CHECKS.map((c) => c.rule));
  for (const rule of PROFILE_RULES) {
    expect([rule.id, exercised.has(rule.id)]).toEqual([rule.id, true]);
    expect([rule.id, rule.relaxedBy.length > 0 || NOT_RELAXABLE[rule.id] !== undefined]).toEqual([rule.id, true]);
    if (rule.relaxedBy.length > 0) expect([rule.id, NOT_RELAXABLE[rule.id]]).toEqual([rule.id, undefined]);
  }
  for (const id of Object.keys(NOT_RELAXABLE)) expect(PROFILE_RULES.map((r) => r.id)).toContain(id);
});

test('a relaxation never lifts a finding on the latch\'s own containers, and the refusal says so', () => {
  const setup: Setup = { patch: (m) => { withLatchAgent(m); m.spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem = false; } };
  const lines = refusals(setup, [Relaxation.writableRootFilesystem(REASON)]);
  expect(lines).toEqual([
    "[test/web] spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem: [SL-HARD-5] container 'agent' has a writable root filesystem. "
    + "Fix: Set `securityContext.readOnlyRootFilesystem: true` on every container and mount small `emptyDir` volumes for the paths it must write (e.g. /tmp) (the latch's own containers take no relaxation)",
  ]);
});

test('one refusal per field: the first rule of PROFILE_RULES that finds it', () => {
  // runAsUser 0 is found by SL-HARD-24, SL-HARD-2 and (in the packs) SL-PSS-15: the profile reports the first
  const lines = refusals({ patch: (m) => { sc(m).runAsUser = 0; } });
  expect(lines.filter((l) => l.includes(`${C}.securityContext.runAsUser:`))).toEqual([
    `[test/web] ${C}.securityContext.runAsUser: [SL-HARD-24] container 'app' sets runAsUser 0 (root). Fix: Remove \`runAsUser: 0\` and \`runAsGroup: 0\` from the pod and its containers (the profile then sets its own non-root ids), or add Relaxation.runAsRoot(reason)`,
  ]);
});

describe('the refusals that stay construction errors, with the reason', () => {
  test.each(CONSTRUCTION_ERRORS.map((c) => [c.reason, c] as const))('%s', (_reason, c) => {
    const lines = refusals(c.setup);
    expect(lines.filter((l) => c.error.test(l))).toHaveLength(1);
    expect(lines.filter((l) => c.error.test(l) && RULE_TAG.test(l))).toEqual([]);
    expectAccountedFor(lines);
  });

  test('the hardening refuses nothing else by itself: its refuse() calls are the construction errors above', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'hardening');
    const calls = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').match(/\.refuse\(/g) ?? []);
    // one call each for the pod-level construction errors (the binding and identity clash are app-wide, in hardening-state.ts)
    expect(calls).toHaveLength(CONSTRUCTION_ERRORS.length - 2);
    expect(fs.readFileSync(path.join(dir, 'pod-hardening.ts'), 'utf8')).not.toMatch(/\bfail\(/);
  });
});
