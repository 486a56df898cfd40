/**
 * Each relaxation switches exactly one hardened default and leaves its trace in
 * the `superlatch.io/relaxations` annotation.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardeningProfile, Relaxation, RelaxationName, SuperlatchKeys } from '../../src';
import { coverNetwork, errorOf, find, goodContainer, newChart, podSpec as podSpecOf } from '../util';

const TRACE = `metadata.annotations.${SuperlatchKeys.RELAXATIONS_ANNOTATION}`;

interface Extra {
  /** Emit the namespace default-deny and web's own policy (default true). */
  readonly network?: boolean;
  /** A change to the workload before synth. */
  readonly patch?: (web: kplus.Deployment) => void;
}

function synth(
  profile: HardeningProfile, container: Partial<kplus.ContainerProps> = {}, pod: Partial<kplus.DeploymentProps> = {}, extra: Extra = {},
): any[] {
  const { chart } = newChart();
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer(container)], ...pod });
  Harden.workload(web, { profile });
  if (extra.network !== false) coverNetwork(chart, web);
  extra.patch?.(web);
  return Testing.synth(chart);
}

/** Flattens a JSON value into `path -> leaf` pairs. */
function flatten(v: any, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) out[prefix] = Array.isArray(v) ? [] : {};
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = v;
  }
  return out;
}

/** Paths whose value differs between two manifests of the same Deployment. */
function changedPaths(before: any, after: any): string[] {
  const a = flatten(before);
  const b = flatten(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

const REASON = 'documented reason for the test';
const deployment = (out: any[]) => find(out, 'Deployment', 'web');
const restricted = deployment(synth(HardeningProfile.restricted()));

const C = 'spec.template.spec.containers.0.securityContext';
const P = 'spec.template.spec.securityContext';

describe('relaxations that change the rendered profile', () => {
  test.each<[string, Relaxation, string[]]>([
    ['added capabilities', Relaxation.addCapabilities(['NET_BIND_SERVICE'], REASON), [`${C}.capabilities.add.0`]],
    ['no seccomp', Relaxation.noSeccomp(REASON), [`${C}.seccompProfile.type`, `${P}.seccompProfile.type`]],
    ['no AppArmor', Relaxation.noAppArmor(REASON), ['spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/app']],
  ])('%s', (_name, relaxation, expected) => {
    const relaxed = deployment(synth(HardeningProfile.restricted({ relaxations: [relaxation] })));
    expect(changedPaths(restricted, relaxed)).toEqual([TRACE, ...expected].sort());
    expect(relaxed.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION]).toBe(relaxation.toString());
    expect(relaxation.toString()).toContain(REASON);
  });
});

describe('relaxing stops enforcing; it never weakens what the workload already has', () => {
  const KEPT = `metadata.annotations.${SuperlatchKeys.STRICTER_KEPT_ANNOTATION}`;
  test.each<[string, Relaxation, string, Partial<kplus.ContainerProps>, Partial<kplus.DeploymentProps>, string]>([
    ['writable root filesystem', Relaxation.writableRootFilesystem(REASON), `${C}.readOnlyRootFilesystem`,
      { securityContext: { readOnlyRootFilesystem: false } }, {}, '[SL-HARD-5] container \'app\' has a writable root filesystem'],
    ['privilege escalation', Relaxation.privilegeEscalation(REASON), `${C}.allowPrivilegeEscalation`,
      { securityContext: { allowPrivilegeEscalation: true } }, {}, '[SL-PSS-13] container \'app\' allows privilege escalation'],
    ['run as root', Relaxation.runAsRoot(REASON), `${C}.runAsNonRoot`,
      { securityContext: { ensureNonRoot: false } }, {}, '[SL-HARD-1] container \'app\' sets runAsNonRoot: false, so it may run as root'],
    ['service account token', Relaxation.serviceAccountToken(REASON), 'spec.template.spec.automountServiceAccountToken',
      {}, { automountServiceAccountToken: true }, '[SL-HARD-10] the pod mounts a ServiceAccount token'],
  ])('%s: a stricter value is kept and traced; a weaker one is refused without it, kept with it', (_name, relaxation, path, container, pod, refusal) => {
    const profile = HardeningProfile.restricted({ relaxations: [relaxation] });
    // GIVEN cdk8s-plus's own strict value WHEN relaxed THEN the value stays and the trace says so
    const strict = flatten(deployment(synth(profile)));
    expect(strict[path]).toBe(flatten(restricted)[path]);
    const trace = `${path.replace('containers.0', 'containers[0]')}: ${strict[path]}`;
    expect(String(strict[KEPT]).split('\n')).toContain(trace);
    // GIVEN the workload's own weaker value THEN the profile refuses it, and the relaxation lets it through unchanged
    expect(errorOf(() => synth(HardeningProfile.restricted(), container, pod))).toContain(refusal);
    const weaker = flatten(deployment(synth(profile, container, pod)));
    expect(weaker[path]).toBe(!strict[path]);
    expect(String(weaker[KEPT] ?? '').split('\n')).not.toContain(trace);
  });

  test('the baseline preset keeps upstream read-only root, non-root and no-escalation values', () => {
    const out = flatten(deployment(synth(HardeningProfile.baseline())));
    expect([out[`${C}.readOnlyRootFilesystem`], out[`${C}.runAsNonRoot`], out[`${C}.allowPrivilegeEscalation`]]).toEqual([true, true, false]);
  });
});

describe('relaxations that accept input the profile would refuse', () => {
  test.each<[string, Relaxation, Partial<kplus.ContainerProps>, string]>([
    ['tag-only image', Relaxation.tagOnlyImages(REASON), { image: 'nginx:1.27' }, '[SL-HARD-15] container \'app\' image \'nginx:1.27\' is not pinned'],
    ['privileged port', Relaxation.privilegedPorts(REASON), { portNumber: 80 }, '[SL-HARD-9] container \'app\' listens on privileged port 80'],
    ['no probes', Relaxation.noProbes(REASON), { liveness: undefined, readiness: undefined }, '[SL-HARD-14] container \'app\' has no livenessProbe'],
  ])('%s: refused without it, accepted with it, and otherwise only traced', (_name, relaxation, container, refusal) => {
    const profile = HardeningProfile.restricted({ relaxations: [relaxation] });
    expect(errorOf(() => synth(HardeningProfile.restricted(), container))).toContain(refusal);
    expect(() => synth(profile, container)).not.toThrow();
    // on compliant input the relaxation changes nothing but the trace
    const relaxed = deployment(synth(profile));
    expect(changedPaths(restricted, relaxed)).toEqual([TRACE]);
    expect(relaxed.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION]).toBe(relaxation.toString());
  });

  test('low ids: refused without it, accepted with it and traced', () => {
    expect(() => HardeningProfile.restricted({ user: 1000 })).toThrow(/user 1000 is not above 10000.*Relaxation.lowIds/);
    const relaxed = deployment(synth(HardeningProfile.restricted({ user: 1000, group: 1000, relaxations: [Relaxation.lowIds(REASON)] })));
    expect(relaxed.spec.template.spec.securityContext.runAsUser).toBe(1000);
    expect(relaxed.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION]).toBe(`low-ids: ${REASON}`);
  });

  const secretInEnv = (web: kplus.Deployment) => web.containers[0].env.addVariable('DB_PASSWORD',
    kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(web, 'db', 'db'), key: 'password' }));

  test('secrets in env: refused without it, accepted with it, and otherwise only traced', () => {
    const relaxation = Relaxation.secretsInEnv(REASON);
    const profile = HardeningProfile.restricted({ relaxations: [relaxation] });
    expect(errorOf(() => synth(HardeningProfile.restricted(), {}, {}, { patch: secretInEnv })))
      .toContain("[test/web] spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef: [SL-HARD-21] container 'app' reads Secret 'db' key 'password' into env var 'DB_PASSWORD'. Fix: Replace `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` with a `secret` volume (`defaultMode: 0400`) mounted read-only, and read the file, or add Relaxation.secretsInEnv(reason)");
    const env = podSpecOf(deployment(synth(profile, {}, {}, { patch: secretInEnv }))).containers[0].env;
    expect(env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }]);
    expect(changedPaths(restricted, deployment(synth(profile)))).toEqual([TRACE]);
  });

  test('no network policy: refused without it, accepted with it, and otherwise only traced', () => {
    const relaxation = Relaxation.noNetworkPolicy(REASON);
    const profile = HardeningProfile.restricted({ relaxations: [relaxation] });
    expect(errorOf(() => synth(HardeningProfile.restricted(), {}, {}, { network: false })))
      .toContain("[test/web] spec.template.metadata.labels: namespace 'apps' has no default-deny NetworkPolicy (SL-NET-1), and no NetworkPolicy selects its pods by matchLabels (SL-NET-2)");
    const out = synth(profile, {}, {}, { network: false });
    expect(out.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
    expect(changedPaths(restricted, deployment(out))).toEqual([TRACE]);
  });

  test('every relaxation name is covered by a test above', () => {
    const covered = ['writable-root-filesystem', 'privilege-escalation', 'add-capabilities', 'no-seccomp', 'no-apparmor',
      'service-account-token', 'run-as-root', 'tag-only-images', 'privileged-ports', 'no-probes', 'low-ids', 'secrets-in-env', 'no-network-policy'];
    expect(Object.values(RelaxationName).sort()).toEqual(covered.sort());
  });
});

describe('baseline preset', () => {
  const out = deployment(synth(HardeningProfile.baseline(), { image: 'nginx:1.27', portNumber: 80 }));

  test('records each of its relaxations with the preset as the reason', () => {
    const lines = out.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION].split('\n');
    expect(lines).toEqual([
      'run-as-root: preset baseline (Pod Security Standards baseline)',
      'writable-root-filesystem: preset baseline (Pod Security Standards baseline)',
      'privilege-escalation: preset baseline (Pod Security Standards baseline)',
      'tag-only-images: preset baseline (Pod Security Standards baseline)',
      'privileged-ports: preset baseline (Pod Security Standards baseline)',
    ]);
    expect(out.metadata.annotations[SuperlatchKeys.PROFILE_ANNOTATION]).toBe('baseline');
  });

  test('keeps what baseline still demands: no privileged containers, seccomp, dropped capabilities', () => {
    const sc = out.spec.template.spec.containers[0].securityContext;
    expect(sc.privileged).toBe(false);
    expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sc.capabilities).toEqual({ drop: ['ALL'] });
  });
});

describe('relaxation input', () => {
  test('a reason shorter than 10 characters is refused', () => {
    expect(() => Relaxation.writableRootFilesystem('because')).toThrow(/at least 10 are needed/);
  });

  test('the same relaxation twice is refused', () => {
    expect(() => HardeningProfile.baseline({ relaxations: [Relaxation.runAsRoot(REASON)] })).toThrow(/'run-as-root' is given twice \(the baseline preset already includes it\)/);
  });

  test('capability names are normalized without CAP_', () => {
    expect(Relaxation.addCapabilities(['cap_net_bind_service'], REASON).capabilities).toEqual(['NET_BIND_SERVICE']);
  });

  test('a container adding a capability the profile does not allow fails with the fix', () => {
    const msg = errorOf(() => synth(HardeningProfile.restricted(), {
      securityContext: { capabilities: { add: [kplus.Capability.NET_ADMIN] } },
    }));
    expect(msg).toContain("spec.template.spec.containers[0].securityContext.capabilities.add: [SL-HARD-6] container 'app' adds capabilities: NET_ADMIN");
    expect(msg).toContain("Relaxation.addCapabilities(['NET_ADMIN'], reason)");
  });
});

describe('a relaxation without a proper reason is refused where it is written, with field and fix', () => {
  test.each([
    ['noProbes', () => Relaxation.noProbes('because'), "Relaxation.noProbes(reason): reason 'because' is 7 characters; at least 10 are needed to say why the exception is acceptable (reviewers read it in the superlatch.io/relaxations annotation). Fix: write the reason, e.g. Relaxation.noProbes('vendor image, reviewed in SEC-123')"],
    ['noAppArmor', () => Relaxation.noAppArmor('  '), "Relaxation.noAppArmor(reason): reason '' is 0 characters; at least 10 are needed to say why the exception is acceptable (reviewers read it in the superlatch.io/relaxations annotation). Fix: write the reason, e.g. Relaxation.noAppArmor('vendor image, reviewed in SEC-123')"],
    ['two lines', () => Relaxation.tagOnlyImages('mirrored image\nsee ticket'), 'Relaxation.tagOnlyImages(reason): reason is several lines; the annotation holds one line per relaxation. Fix: write the reason on one line'],
    ['no capability', () => Relaxation.addCapabilities([], 'needs a raw socket for ping'), 'Relaxation.addCapabilities(capabilities, reason): capabilities is empty. Fix: list at least one capability, e.g. NET_BIND_SERVICE'],
    ['a bad capability', () => Relaxation.addCapabilities(['net admin'], 'needs a raw socket for ping'), "Relaxation.addCapabilities(capabilities, reason): capabilities 'NET ADMIN' is not a capability name. Fix: use names like NET_BIND_SERVICE"],
  ])('%s', (_what, make, message) => {
    expect(errorOf(make)).toBe(message);
  });
});
