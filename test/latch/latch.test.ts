import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart, Cron, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { FailurePolicy, Harden, HardeningProfile, Latch, LatchCredentials, LatchMode, LatchProps, SeccompProfile, SuperlatchKeys } from '../../src';
import { coverNetwork, errorOf, find, goodContainer, IMAGE, newChart, podSpec, podTemplate } from '../util';
import { agentWorkloads, LATCH_CONTAINER_SECURITY_CONTEXT, latchMode, MODES, mountsOf, secretReaders, synthGuarded } from './helpers';

const base = (overrides: Partial<LatchProps> = {}): LatchProps => ({
  credentials: LatchCredentials.fromSecret('latch-credentials'),
  api: { cidrs: ['203.0.113.0/24'] },
  image: IMAGE,
  ...overrides,
});

function guarded(props: Partial<LatchProps> = {}, gate = false) {
  const { chart } = newChart();
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
  coverNetwork(chart, web);
  const latch = new Latch(chart, 'latch', base(props));
  latch.guard(web, { gate });
  const out = Testing.synth(chart);
  return { out, web: find(out, 'Deployment', 'web'), latch };
}

const agentOf = (w: any) => podSpec(w).containers.find((c: any) => c.name === 'latch-agent');
const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));

describe('poll interval', () => {
  test('defaults to 10 s, with staleness the larger of 60 s and 3 intervals', () => {
    expect(env(agentOf(guarded().web))).toMatchObject({ LATCH_POLL_INTERVAL: '10', LATCH_MAX_STALENESS: '60' });
    expect(env(agentOf(guarded({ pollInterval: Duration.seconds(30) }).web))).toMatchObject({ LATCH_POLL_INTERVAL: '30', LATCH_MAX_STALENESS: '90' });
  });

  test('1 s is the floor: accepted at 1 s, refused below with the path, field and fix', () => {
    expect(env(agentOf(guarded({ pollInterval: Duration.seconds(1) }).web)).LATCH_POLL_INTERVAL).toBe('1');
    expect(errorOf(() => guarded({ pollInterval: Duration.millis(500) })))
      .toBe('[test/latch]: pollInterval is 0.5 s, below the 1 s floor (every poll is a Latch API call recorded in the user\'s history). Fix: use Duration.seconds(1) or more');
  });

  test('a staleness below two intervals is refused', () => {
    expect(errorOf(() => guarded({ pollInterval: Duration.seconds(10), maxStaleness: Duration.seconds(15) }))).toMatch(/maxStaleness 15 s is less than twice the poll interval/);
  });
});

describe('failure policy', () => {
  test('closed by default', () => {
    expect(env(agentOf(guarded().web)).LATCH_FAILURE_POLICY).toBe('closed');
  });

  test('open only when named explicitly', () => {
    const { web, latch } = guarded({ failurePolicy: FailurePolicy.OPEN });
    expect(env(agentOf(web)).LATCH_FAILURE_POLICY).toBe('open');
    expect(latch.failurePolicy).toBe(FailurePolicy.OPEN);
  });
});

describe('gate', () => {
  test('off by default: no gate container', () => {
    expect(podSpec(guarded().web).containers.map((c: any) => c.name)).toEqual(['app', 'latch-agent']);
  });

  test('on: a gate container whose readiness runs check on the status file, read-only mount, same hardening', () => {
    const { web } = guarded({}, true);
    const gate = podSpec(web).containers.find((c: any) => c.name === 'latch-gate');
    expect(gate.args).toEqual(['gate']);
    expect(gate.readinessProbe.exec.command).toEqual(['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js', 'check', '--file', '/usr/share/latch/latch-info.json']);
    expect(gate.volumeMounts).toContainEqual({ name: 'latch-status', mountPath: '/usr/share/latch', readOnly: true });
    expect(gate.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(podTemplate(web).metadata.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION]).toBe('latch-agent,latch-gate');
  });
});

describe('operation id', () => {
  test('without one, the agent gets appId, secretKey and accountId only', () => {
    const vol = podSpec(guarded().web).volumes.find((v: any) => v.name === 'latch-credentials');
    expect(vol.secret.items).toEqual([{ key: 'appId', path: 'appId' }, { key: 'secretKey', path: 'secretKey' }, { key: 'accountId', path: 'accountId' }]);
  });

  test('with one, its key is projected as the operationId file; custom key names map to the agent\'s file names', () => {
    const credentials = LatchCredentials.fromSecret('shop-latch', { appId: 'app', operationId: 'checkout-op' });
    const vol = podSpec(guarded({ credentials }).web).volumes.find((v: any) => v.name === 'latch-credentials');
    expect(vol.secret).toEqual({
      secretName: 'shop-latch',
      defaultMode: 0o400,
      items: [{ key: 'app', path: 'appId' }, { key: 'secretKey', path: 'secretKey' }, { key: 'accountId', path: 'accountId' }, { key: 'checkout-op', path: 'operationId' }],
    });
  });
});

describe('several latches in one chart', () => {
  test('one per application, in both modes, without name or label clashes', () => {
    const { chart } = newChart();
    const shop = new kplus.Deployment(chart, 'shop', { metadata: { name: 'shop' }, containers: [goodContainer()] });
    const blog = new kplus.Deployment(chart, 'blog', { metadata: { name: 'blog' }, containers: [goodContainer()] });
    const admin = new kplus.Deployment(chart, 'admin', { metadata: { name: 'admin' }, containers: [goodContainer()] });
    coverNetwork(chart, shop, blog, admin);
    new Latch(chart, 'shop-latch', base()).guard(shop);
    new Latch(chart, 'blog-latch', base({ mode: latchMode('hub') })).guard(blog);
    new Latch(chart, 'admin-latch', base({ mode: latchMode('hub') })).guard(admin);
    const out = Testing.synth(chart);
    const keys = out.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(podTemplate(find(out, 'Deployment', 'shop')).metadata.labels[SuperlatchKeys.LATCH_LABEL]).toBe('shop-latch');
    expect(podSpec(find(out, 'Deployment', 'blog')).volumes.find((v: any) => v.name === 'latch-status').configMap.name).toBe('blog-latch-latch-status');
    expect(podSpec(find(out, 'Deployment', 'admin')).volumes.find((v: any) => v.name === 'latch-status').configMap.name).toBe('admin-latch-latch-status');
    const masters = out.filter((m) => m.kind === 'Deployment' && m.metadata.labels?.[SuperlatchKeys.ROLE_LABEL] === 'agent');
    expect(masters.map((m) => m.spec.selector.matchLabels['app.kubernetes.io/name']).sort()).toEqual(['admin-latch-latch', 'blog-latch-latch']);
  });
});

describe('guarding', () => {
  test('only the named containers read the status; the others see nothing of the latch', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', {
      metadata: { name: 'web' },
      containers: [goodContainer(), goodContainer({ name: 'metrics', portNumber: 9090, readiness: kplus.Probe.fromHttpGet('/m', { port: 9090 }), liveness: kplus.Probe.fromTcpSocket({ port: 9090 }) })],
    });
    coverNetwork(chart, web);
    new Latch(chart, 'latch', base()).guard(web, { containers: ['app'] });
    const w = find(Testing.synth(chart), 'Deployment', 'web');
    expect(mountsOf(w, 'latch-status')).toEqual([{ container: 'app', readOnly: true }, { container: 'latch-agent', readOnly: false }]);
    expect(podSpec(w).containers.find((c: any) => c.name === 'metrics').env).toBeUndefined();
  });

  test('the agent keeps the full restricted settings when the workload relaxes its own', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', {
      metadata: { name: 'web' },
      containers: [goodContainer({ image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: false } })],
    });
    coverNetwork(chart, web);
    Harden.workload(web, { profile: HardeningProfile.baseline() });
    new Latch(chart, 'latch', base()).guard(web);
    const w = find(Testing.synth(chart), 'Deployment', 'web');
    const [app, agent] = podSpec(w).containers;
    expect(app.securityContext.readOnlyRootFilesystem).toBe(false);
    expect(agent.securityContext).toEqual(LATCH_CONTAINER_SECURITY_CONTEXT);
  });

  test('an unhardened workload is hardened when guarded', () => {
    const w = guarded().web;
    expect(w.metadata.annotations[SuperlatchKeys.PROFILE_ANNOTATION]).toBe('restricted');
    expect(secretReaders(w, 'latch-credentials')).toEqual(['latch-agent']);
  });
});

describe('bad input fails with the construct path, the field and the fix', () => {
  test('literal credentials', () => {
    const { chart } = newChart();
    const literal = { appId: 'abc', secretKey: 'very-secret' } as any;
    expect(() => new Latch(chart, 'latch', base({ credentials: literal })))
      .toThrow('[test/latch]: credentials must come from LatchCredentials.fromSecret(...); literal credentials never go into a manifest');
  });

  test('guarding a workload twice, even by another latch', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
    new Latch(chart, 'a', base()).guard(web);
    expect(() => new Latch(chart, 'b', base()).guard(web)).toThrow("[test/web] is already guarded by latch 'a' ([test/a]); a pod reads one latch. Fix: guard it once");
  });

  test('a non-digest agent image (whatever the agent profile relaxes)', () => {
    const { chart } = newChart();
    expect(() => new Latch(chart, 'latch', base({ image: 'ghcr.io/x/agent:1.0', mode: latchMode('hub', { masterProfile: HardeningProfile.baseline() }) })))
      .toThrow("[test/latch]: image 'ghcr.io/x/agent:1.0' is not pinned by digest; the latch's containers always run with the restricted container settings. Fix: pin it as 'ghcr.io/x/agent:1.0@sha256:<64 hex digits>' or 'ghcr.io/x/agent:1.0@sha512:<128 hex digits>'");
  });

  test('hub mode without an API server CIDR', () => {
    const { chart } = newChart();
    expect(() => new Latch(chart, 'latch', base({ mode: LatchMode.hub({ apiServerCidrs: [] }) })))
      .toThrow(/\[test\/latch\]: LatchMode.hub\(\) needs apiServerCidrs.*Fix: pass LatchMode.hub\(\{ apiServerCidrs/);
    expect(() => new Latch(chart, 'latch1', base({ mode: LatchMode.hub(undefined as any) }))).toThrow(/LatchMode.hub\(\) needs apiServerCidrs/);
    expect(() => new Latch(chart, 'latch2', base({ mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1'] }) }))).toThrow(/LatchMode.hub\(\).apiServerCidrs '10.0.0.1' is not a CIDR/);
  });

  test('an invalid Latch API CIDR', () => {
    const { chart } = newChart();
    expect(() => new Latch(chart, 'latch', base({ api: { cidrs: ['203.0.113.0/33'] } }))).toThrow("[test/latch]: api.cidrs '203.0.113.0/33' has prefix /33");
  });

  test('a status directory clashing with a mount of the guarded container', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    web.containers[0].mount('/usr/share', kplus.Volume.fromEmptyDir(chart, 'share', 'share'));
    new Latch(chart, 'latch', base()).guard(web);
    expect(errorOf(() => Testing.synth(chart))).toContain("latch 'latch': container 'app' already mounts 'share' at /usr/share, which clashes with the status directory /usr/share/latch. Fix: move that mount, or set statusDirectory on the latch");
  });

  test('a name too long for the objects derived from it', () => {
    const { chart } = newChart();
    expect(() => new Latch(chart, 'latch', base({ name: 'l'.repeat(41) }))).toThrow(/name 'l{41}' is 41 characters; at most 40/);
  });
});

describe('API port: the agent\'s URL and its egress agree', () => {
  const egressPorts = (out: any[]) => find(out, 'NetworkPolicy', 'latch-latch-egress').spec.egress
    .filter((r: any) => r.to?.[0]?.ipBlock?.cidr === '203.0.113.0/24').flatMap((r: any) => r.ports.map((p: any) => p.port));
  const masterPorts = (out: any[]) => find(out, 'NetworkPolicy', 'latch-latch-agent').spec.egress
    .filter((r: any) => r.to?.[0]?.ipBlock?.cidr === '203.0.113.0/24').flatMap((r: any) => r.ports.map((p: any) => p.port));

  test.each([
    ['no port anywhere: 443, implicit in the URL', { cidrs: ['203.0.113.0/24'] }, 'https://latch.tu.com', 443],
    ['api.port only: written into the URL', { cidrs: ['203.0.113.0/24'], port: 8443 }, 'https://latch.tu.com:8443', 8443],
    ['the port in api.url only', { cidrs: ['203.0.113.0/24'], url: 'https://latch.example.net:9443' }, 'https://latch.example.net:9443', 9443],
    ['both, equal', { cidrs: ['203.0.113.0/24'], url: 'https://latch.example.net:9443', port: 9443 }, 'https://latch.example.net:9443', 9443],
    ['api.port 443', { cidrs: ['203.0.113.0/24'], port: 443 }, 'https://latch.tu.com', 443],
  ])('%s', (_what, api, url, port) => {
    const { out, web } = guarded({ api });
    expect(env(agentOf(web)).LATCH_API_URL).toBe(url);
    expect(egressPorts(out)).toEqual([port]);
  });

  test('hub mode: the master\'s URL and egress agree too', () => {
    const { chart } = newChart();
    coverNetwork(chart);
    new Latch(chart, 'latch', base({ mode: latchMode('hub'), api: { cidrs: ['203.0.113.0/24'], port: 8443 } }));
    const out = Testing.synth(chart);
    expect(env(podSpec(find(out, 'Deployment', 'latch-latch-agent')).containers[0]).LATCH_API_URL).toBe('https://latch.tu.com:8443');
    expect(masterPorts(out)).toEqual([8443]);
  });

  test.each([
    ['https://latch.example.net:9443', 8443, 9443],
    ['https://latch.example.net:443', 8443, 443],
  ])('a port in api.url (%s) and a different api.port (%s) are refused with path, field and fix', (url, port, urlPort) => {
    const { chart } = newChart();
    expect(errorOf(() => new Latch(chart, 'latch', base({ api: { cidrs: ['203.0.113.0/24'], url, port } }))))
      .toBe(`[test/latch]: api.url '${url}' names port ${urlPort} but api.port is ${port}; the agent would connect on one and its egress allow the other. Fix: give the port once, in api.url or in api.port`);
  });

  test('a port outside 1-65535 is refused', () => {
    const { chart } = newChart();
    expect(errorOf(() => new Latch(chart, 'latch', base({ api: { cidrs: ['203.0.113.0/24'], port: 70000 } }))))
      .toBe('[test/latch]: api.port 70000 is not a TCP port. Fix: give a whole number from 1 to 65535, or leave it out for 443');
  });
});

describe('contract with the agent', () => {
  test("the default agent command is the image's ENTRYPOINT (agent/Dockerfile)", () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, '..', '..', 'agent', 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]);
    expect(agentOf(guarded().web).command).toEqual(entrypoint);
  });

  test("the image's USER is the agent's uid/gid in the manifests, and the docs say the same", () => {
    const repo = path.join(__dirname, '..', '..');
    const dockerfile = fs.readFileSync(path.join(repo, 'agent', 'Dockerfile'), 'utf8');
    const users = [...dockerfile.matchAll(/^USER (\d+):(\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    const { runAsUser, runAsGroup } = agentOf(guarded().web).securityContext;
    expect(users).toEqual([[runAsUser, runAsGroup]]);
    expect(runAsUser).toBe(10002);
    // never the applications' uid (the hardening profile's default)
    expect(runAsUser).not.toBe(HardeningProfile.restricted()._resolve().user);
    // every uid the docs give the agent or its image
    const agentMd = fs.readFileSync(path.join(repo, 'docs', 'agent.md'), 'utf8');
    expect([...agentMd.matchAll(/USER (\d+):(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])])).toEqual([[runAsUser, runAsGroup]]);
    const latchMd = fs.readFileSync(path.join(repo, 'docs', 'latch.md'), 'utf8');
    const stated = [...latchMd.matchAll(/\buid(?:\/gid)?\b[^\d\n]{0,40}?(\d{4,})/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stated)).toEqual(new Set([runAsUser]));
  });
});

describe('probes run commands the agent has', () => {
  // The library never imports the agent: this pins the command-line contract instead.
  const agentMain = path.join(__dirname, '..', '..', 'agent', 'lib', 'main.js');
  const probeArgs = (c: any) => ['livenessProbe', 'readinessProbe'].map((p) => c[p].exec.command.slice(4));

  test.each(['latch-agent', 'latch-gate'])('%s', (name) => {
    const w = guarded({}, true).web;
    const container = podSpec(w).containers.find((c: any) => c.name === name);
    for (const args of [container.args, ...probeArgs(container)]) {
      const r = spawnSync(process.execPath, [agentMain, args[0], '--help'], { encoding: 'utf8' });
      expect({ args, status: r.status }).toEqual({ args, status: 0 });
    }
  });
});

describe('agent seccomp profile', () => {
  test.each(MODES)('%s: set on the agent and gate containers only', (mode) => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    coverNetwork(chart, web);
    const latch = new Latch(chart, 'latch', base({
      mode: latchMode(mode),
      agentSeccompProfile: SeccompProfile.localhost('operator/latch-agent.json'),
    }));
    latch.guard(web, { gate: true });
    const out = Testing.synth(chart);
    const localhost = { type: 'Localhost', localhostProfile: 'operator/latch-agent.json' };
    const profiles = (w: any) => Object.fromEntries(podSpec(w).containers.map((c: any) => [c.name, c.securityContext.seccompProfile]));
    const guardedPod = find(out, 'Deployment', 'web');
    expect(podSpec(guardedPod).securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(profiles(guardedPod)).toEqual({
      'app': { type: 'RuntimeDefault' },
      'latch-gate': localhost,
      ...(mode === 'sidecar' ? { 'latch-agent': localhost } : {}),
    });
    if (mode === 'hub') expect(profiles(find(out, 'Deployment', 'latch-latch-agent'))).toEqual({ 'latch-agent': localhost });
  });
});

describe('review findings', () => {
  test('failure policy open: every reader learns it, and the gate stays ready on an unknown status (check --allow-unknown)', () => {
    const { web } = guarded({ failurePolicy: FailurePolicy.OPEN }, true);
    const [app, , gate] = podSpec(web).containers;
    expect(env(app).LATCH_FAILURE_POLICY).toBe('open');
    expect(env(gate).LATCH_FAILURE_POLICY).toBe('open');
    expect(gate.readinessProbe.exec.command.slice(4)).toEqual(['check', '--file', '/usr/share/latch/latch-info.json', '--allow-unknown']);
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'agent', 'lib', 'main.js'), ...gate.readinessProbe.exec.command.slice(4, 6), '/nonexistent/latch-info.json', '--allow-unknown'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
  });

  test.each(['Job', 'CronJob'])('a %s cannot take the sidecar agent or the gate', (kind) => {
    const { chart } = newChart();
    const batch = { ...goodContainer(), liveness: undefined, readiness: undefined };
    const w = kind === 'Job'
      ? new kplus.Job(chart, 'w', { metadata: { name: 'w' }, containers: [batch] })
      : new kplus.CronJob(chart, 'w', { metadata: { name: 'w' }, containers: [batch], schedule: Cron.daily() });
    new Latch(chart, 'latch', base()).guard(w);
    expect(errorOf(() => Testing.synth(chart))).toContain(`a ${kind} cannot run the agent sidecar`);
  });

  test('a Job can be guarded by a hub latch without the gate', () => {
    const { chart } = newChart();
    const job = new kplus.Job(chart, 'w', { metadata: { name: 'w' }, containers: [{ ...goodContainer(), liveness: undefined, readiness: undefined }] });
    coverNetwork(chart, job);
    new Latch(chart, 'latch', base({ mode: latchMode('hub') })).guard(job);
    expect(podSpec(find(Testing.synth(chart), 'Job', 'w')).containers.map((c: any) => c.name)).toEqual(['app']);
  });

  test('a pod sharing its process namespace is refused', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()], shareProcessNamespace: true } as any);
    ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/shareProcessNamespace', true));
    new Latch(chart, 'latch', base()).guard(web);
    expect(errorOf(() => Testing.synth(chart))).toContain('the pod shares its process namespace');
  });

  test('an agent uid equal to the application uid is refused', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    new Latch(chart, 'latch', base({ agentUser: 10001 })).guard(web);
    expect(errorOf(() => Testing.synth(chart))).toContain("latch container 'latch-agent' runs as uid 10001, like the application containers");
  });

  test('hub mode refuses a workload in another namespace than its ConfigMap', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    const latch = new Latch(a, 'latch', base({ mode: latchMode('hub') }));
    const web = new kplus.Deployment(b, 'web', { containers: [goodContainer()] });
    expect(() => latch.guard(web)).toThrow(/is in namespace 'two' but latch 'latch' publishes its ConfigMap in 'one'.*Fix: create one hub latch per namespace/);
  });

  test("sidecar mode puts the egress policy in the guarded pods' chart and namespace", () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    const latch = new Latch(a, 'latch', base());
    const web = new kplus.Deployment(b, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    coverNetwork(b, web);
    latch.guard(web);
    const policy = find(Testing.synth(b), 'NetworkPolicy', 'latch-latch-egress');
    expect(policy.metadata.namespace).toBe('two');
    expect(Testing.synth(a).filter((m: any) => m.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('/tmp of the latch containers', () => {
  test('the agent and gate never mount the application\'s shared tmp; the hub master keeps its own', () => {
    for (const mode of MODES) {
      const { out, web } = synthGuarded(mode, {}, { gate: true });
      const spec = podSpec(web);
      const latchContainers = String(podTemplate(web).metadata.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION]).split(',');
      expect(latchContainers.length).toBeGreaterThan(0);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const tmp = (c.volumeMounts ?? []).filter((m: any) => m.name === 'tmp' || m.mountPath === '/tmp');
        expect([mode, c.name, tmp.length]).toEqual([mode, c.name, latchContainers.includes(c.name) ? 0 : 1]);
      }
      if (mode === 'hub') {
        const master = agentWorkloads(out)[0];
        expect(podSpec(master).containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });
});
