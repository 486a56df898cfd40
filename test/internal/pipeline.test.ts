/**
 * The synthesis pipeline: the output never depends on the order of the user's
 * calls, whichever entry point reads it first (Testing.synth, SecurityTesting,
 * FalcoRules, app.synth), and an app is processed once per synthesis.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { FalcoRules, Harden, HardeningProfile, Latch, LatchCredentials, LatchMode, Relaxation, RulePack, SecurityTesting, WorkloadNetworkPolicy } from '../../src';
import { coverNetwork, errorOf, find, goodContainer, IMAGE, podSpec } from '../util';

type Mode = 'sidecar' | 'hub';

interface Scenario {
  readonly app: App;
  readonly chart: Chart;
  readonly web: kplus.Deployment;
  readonly latch: Latch;
  readonly falco: FalcoRules;
}

function scenario(mode: Mode, withFalco = true): Scenario {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, replicas: 2, containers: [goodContainer()] });
  web.exposeViaService({ name: 'web' });
  // created before every mutation: the policy follows the identity Harden.workload() gives later
  coverNetwork(chart, web);
  const latch = new Latch(chart, 'latch', {
    credentials: LatchCredentials.fromSecret('latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    image: IMAGE,
    ...(mode === 'hub' ? { mode: LatchMode.hub({ apiServerCidrs: ['192.0.2.10/32'] }) } : {}),
  });
  const falco = withFalco ? new FalcoRules(chart, 'falco') : (undefined as unknown as FalcoRules);
  return { app, chart, web, latch, falco };
}

/** The calls that change what is emitted. */
const MUTATIONS: Record<string, (s: Scenario) => void> = {
  guard: (s) => s.latch.guard(s.web, { gate: true }),
  hardenWorkload: (s) => Harden.workload(s.web, { component: 'frontend' }),
  hardenChart: (s) => Harden.chart(s.chart, { profile: HardeningProfile.restricted() }),
};

/**
 * The calls that read the output (and, before the pipeline, changed it). Before
 * `guard`, a sidecar app has no latch pod for FalcoRules, so reads may fail then.
 */
const READS: Record<string, (s: Scenario) => void> = {
  testingSynth: (s) => ignoreErrors(() => Testing.synth(s.chart)),
  securityObjects: (s) => ignoreErrors(() => SecurityTesting.securityObjects(s.chart)),
  falcoYaml: (s) => ignoreErrors(() => s.falco.toYaml()),
  appSynth: (s) => ignoreErrors(() => s.app.synthYaml()),
};

function ignoreErrors(fn: () => unknown) {
  try {
    fn();
  } catch {
    // reading before the app is complete may fail; only the final output counts
  }
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Runs the mutations in `order`, with each read placed before mutation `at[read]` (or after all). */
function outputOf(mode: Mode, order: string[], at: Record<string, number>): string {
  const s = scenario(mode);
  for (let i = 0; i <= order.length; i++) {
    for (const [read, position] of Object.entries(at)) if (position === i) READS[read](s);
    if (i < order.length) MUTATIONS[order[i]](s);
  }
  return s.app.synthYaml();
}

describe.each<Mode>(['sidecar', 'hub'])('%s mode: every order of calls gives byte-identical output', (mode) => {
  const reference = outputOf(mode, Object.keys(MUTATIONS), {});
  const orders = permutations(Object.keys(MUTATIONS));

  test('the reference output is hardened and guarded (so the comparison means something)', () => {
    expect(reference).toContain('latch-gate');
    expect(reference).toContain('readOnlyRootFilesystem: true');
    expect(reference).toContain('app.kubernetes.io/component: frontend');
  });

  test.each(orders.map((o) => [o.join(' → ')]))('mutations %s, each read at every position', (label) => {
    const order = label.split(' → ');
    for (const read of Object.keys(READS)) {
      for (let position = 0; position <= order.length; position++) {
        expect(outputOf(mode, order, { [read]: position })).toBe(reference);
      }
    }
    // and every read before, between and after each mutation at once
    for (let position = 0; position <= order.length; position++) {
      const all = Object.fromEntries(Object.keys(READS).map((r) => [r, position]));
      expect(outputOf(mode, order, all)).toBe(reference);
    }
  });
});

test('the agent container keeps its full securityContext when Testing.synth ran before guard (the reported case)', () => {
  const s = scenario('sidecar', false);
  Testing.synth(s.chart);
  SecurityTesting.securityObjects(s.chart);
  s.latch.guard(s.web);
  const agent = podSpec(find(Testing.synth(s.chart), 'Deployment', 'web')).containers.find((c: any) => c.name === 'latch-agent');
  expect(agent.securityContext).toMatchObject({ capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
});

test('a direct ApiObject.toJson() returns the final manifest, and sees a call made after a synthesis', () => {
  const s = scenario('sidecar', false);
  const obj = ApiObject.of(s.web);
  Testing.synth(s.chart);
  s.latch.guard(s.web);
  expect(podSpec(obj.toJson()).containers.map((c: any) => c.name)).toEqual(['app', 'latch-agent']);
});

test('an error is reported once, with the construct path and the fix', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'batch', { namespace: 'batch' });
  const job = new kplus.Job(chart, 'job', { containers: [{ ...goodContainer(), liveness: undefined, readiness: undefined }] });
  new Latch(chart, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE }).guard(job);
  const message = errorOf(() => app.synth());
  expect(message.match(/cannot run the agent sidecar/g)).toHaveLength(1);
  expect(message).toMatch(/\[batch\/job\] latch 'latch': a Job cannot run the agent sidecar.*Fix: /);
  expect(message).not.toContain('[]');
});

describe('every synth error names its construct path once, never an empty one', () => {
  /** The error lines of a failed synthesis, without cdk8s's heading. */
  const lines = (fn: () => unknown) => errorOf(fn).split('\n').slice(1).map((l) => l.trim());

  test('a Job refused by a sidecar latch: one line, the Job\'s path once, the fix', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'batch', { namespace: 'batch' });
    const job = new kplus.Job(chart, 'job', { containers: [{ ...goodContainer(), liveness: undefined, readiness: undefined }] });
    coverNetwork(chart, job);
    new Latch(chart, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE }).guard(job);
    for (const synth of [() => app.synthYaml(), () => Testing.synth(chart)]) {
      expect(lines(synth)).toEqual([
        "[batch/job] latch 'latch': a Job cannot run the agent sidecar on Kubernetes v1.27: the extra long-running container would keep the Job from completing "
        + "(native sidecars, which stop when the Job's containers finish, come with Kubernetes v1.29). "
        + 'Fix: target Kubernetes v1.29 or newer (KubernetesTarget.set(app, KubernetesVersion.V1_29) right after creating the App or Chart), or guard Jobs with a hub-mode latch, without the gate',
      ]);
    }
  });

  test('a hardening error is reported by the workload, not by a helper construct of the chart', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const web = new kplus.Deployment(chart, 'web', { containers: [goodContainer({ image: 'nginx:1.27' })] });
    Harden.workload(web);
    coverNetwork(chart, web);
    expect(lines(() => app.synthYaml())).toEqual([
      "[shop/web] spec.template.spec.containers[0].image: [SL-HARD-15] container 'app' image 'nginx:1.27' is not pinned by a sha256 or sha512 digest; pin it as 'nginx:1.27@sha256:<64 hex digits>' or 'nginx:1.27@sha512:<128 hex digits>'. "
      + 'Fix: Reference every image as `registry/repo:tag@sha256:<64 hex digits>` or `registry/repo:tag@sha512:<128 hex digits>`, the digest algorithms the OCI image spec registers (e.g. from `crane digest` or your registry), or add Relaxation.tagOnlyImages(reason)',
    ]);
  });

  test.each(['app', 'chart'])('a rule pack attached to the %s reports each finding at its object, path once', (where) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer({ securityContext: { privileged: true, ensureNonRoot: false } })] });
    RulePack.baseline().attachTo(where === 'app' ? app : chart);
    const found = lines(() => app.synthYaml());
    expect(found).toEqual(["[shop/web/Resource] [SL-PSS-2] (Deployment/shop/web) spec.template.spec.containers[0].securityContext.privileged: container 'app' is privileged. Fix: Remove `securityContext.privileged` from every container or set it to `false`."]);
    expect(found.join('\n')).not.toMatch(/\[\]/);
  });
});

describe('app-wide work runs once per synthesis, not once per chart', () => {
  test('50 charts are rendered in one pipeline run per synthesis', () => {
    const app = Testing.app();
    const renders = { count: 0 };
    for (let i = 0; i < 50; i++) {
      const chart = new Chart(app, `c${i}`, { namespace: `ns${i}` });
      const web = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
      coverNetwork(chart, web);
      Harden.chart(chart);
      const obj = ApiObject.of(web);
      const raw = (obj as any).toJson;
      // counts cdk8s renders of this workload: wrap before the pipeline takes it over
      (obj as any).toJson = () => {
        renders.count++;
        return raw.call(obj);
      };
    }
    RulePack.pssRestricted().attachTo(app);
    app.synthYaml();
    expect(renders.count).toBe(50);
  });
});

describe('identity across charts', () => {
  test('the same workload identity in two charts of one namespace fails with both paths and the fix', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'shared' });
    const b = new Chart(app, 'b', { namespace: 'shared' });
    Harden.workload(new kplus.Deployment(a, 'web', { containers: [goodContainer()] }));
    Harden.workload(new kplus.Deployment(b, 'web', { containers: [goodContainer()] }));
    expect(errorOf(() => app.synthYaml())).toMatch(/\[b\/web\] and \[a\/web\] have the same identity in namespace 'shared'.*Fix: give one of them a distinct 'name' or 'component'/);
  });

  test('a sidecar latch guarding pods in two charts of one namespace emits its egress policy once', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'shared' });
    const b = new Chart(app, 'b', { namespace: 'shared' });
    const latch = new Latch(a, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE });
    const one = new kplus.Deployment(a, 'one', { containers: [goodContainer()] });
    const two = new kplus.Deployment(b, 'two', { containers: [goodContainer()] });
    coverNetwork(a, one);
    new WorkloadNetworkPolicy(b, 'two-policy', { workload: two });
    latch.guard(one);
    latch.guard(two);
    const policies = [...Testing.synth(a), ...Testing.synth(b)].filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'latch-latch-egress');
    expect(policies).toHaveLength(1);
  });

  test('a construct id over 63 characters fails with the fix instead of being truncated', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'n' });
    const id = `w${'x'.repeat(63)}`;
    const w = new kplus.Deployment(chart, id, { containers: [goodContainer()] });
    expect(errorOf(() => Harden.workload(w))).toContain(`the construct id '${id}' is 64 characters; label values are limited to 63 and are never truncated. Fix: pass a shorter 'name'`);
    expect(() => Harden.workload(w, { name: 'short' })).not.toThrow();
  });
});

describe('a relaxed ServiceAccount token never reaches the latch containers', () => {
  test('sidecar with gate: only the application container mounts the projected token', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'n' });
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()], automountServiceAccountToken: true });
    Harden.workload(web, { profile: HardeningProfile.restricted({ relaxations: [Relaxation.serviceAccountToken('the app reads its own ConfigMaps')] }) });
    coverNetwork(chart, web);
    new Latch(chart, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE }).guard(web, { gate: true });
    const spec = podSpec(find(Testing.synth(chart), 'Deployment', 'web'));
    expect(spec.automountServiceAccountToken).toBe(false);
    const tokenMounts = (c: any) => (c.volumeMounts ?? []).filter((m: any) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount').map((m: any) => m.name);
    expect(Object.fromEntries(spec.containers.map((c: any) => [c.name, tokenMounts(c)]))).toEqual({
      'app': ['kube-api-access-app'], 'latch-agent': [], 'latch-gate': [],
    });
    const volume = spec.volumes.find((v: any) => v.name === 'kube-api-access-app');
    expect(volume.projected.sources.map((x: any) => Object.keys(x)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
  });
});
