import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardeningProfile } from '../../src';
import { OperatorSeccompProfile, SeccompAction, SeccompArchitecture } from '../../src/guardrails';
import { Harness } from '../agent/harness';
import { ACCOUNT, AGENT_MAIN, tempDir, waitFor } from '../agent/helpers';
import { expectNoFindings } from '../judges';
import { coverNetwork, errorOf, find, goodContainer, newChart, podSpec } from '../util';

jest.setTimeout(120_000);

describe('OperatorSeccompProfile', () => {
  // GIVEN the default profile, in a chart with a namespace
  const { chart } = newChart('apps');
  const profile = new OperatorSeccompProfile(chart, 'seccomp');
  const manifests = Testing.synth(chart);
  const sp = find(manifests, 'SeccompProfile', 'latch-agent');

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is a cluster-scoped SPO v1beta1 SeccompProfile: no namespace, kubelet path operator/<name>.json', () => {
    expect(sp.apiVersion).toBe('security-profiles-operator.x-k8s.io/v1beta1');
    expect(sp.metadata.namespace).toBeUndefined();
    expect(profile.localhostProfile).toBe('operator/latch-agent.json');
    expect(profile.seccompProfile._toKube()).toEqual({ type: 'Localhost', localhostProfile: 'operator/latch-agent.json' });
  });

  test('refuses every call not on the list (errno), for x86-64 and aarch64', () => {
    expect(sp.spec.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(sp.spec.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_X86_64']);
    expect(sp.spec.syscalls).toEqual([{ action: 'SCMP_ACT_ALLOW', names: OperatorSeccompProfile.LATCH_AGENT_SYSCALLS }]);
  });

  test('the agent list covers file writes (temp + fsync + rename), HTTPS, timers, signals and DNS, and nothing for mounts, ptrace or new privileges', () => {
    const list = OperatorSeccompProfile.LATCH_AGENT_SYSCALLS;
    for (const call of ['openat', 'write', 'fsync', 'rename', 'renameat2', 'fchmod', 'socket', 'connect', 'sendmmsg', 'recvfrom', 'epoll_pwait',
      'futex', 'clock_gettime', 'rt_sigaction', 'rt_sigreturn', 'execve', 'exit_group', 'shutdown', 'getcwd']) {
      expect(list).toContain(call);
    }
    for (const call of ['mount', 'umount2', 'ptrace', 'setuid', 'setgid', 'capset', 'unshare', 'setns', 'bpf', 'keyctl', 'init_module', 'personality', 'chroot']) {
      expect(list).not.toContain(call);
    }
    expect(list).toEqual([...new Set(list)].sort());
  });

  test('a custom list, name, learning mode and one architecture', () => {
    const { chart: c } = newChart('apps');
    const p = new OperatorSeccompProfile(c, 'sp', { name: 'web', syscalls: ['write', 'read', 'read'], defaultAction: SeccompAction.LOG, architectures: [SeccompArchitecture.X86_64] });
    const out = find(Testing.synth(c), 'SeccompProfile', 'web');
    expect(out.spec).toEqual({ defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ action: 'SCMP_ACT_ALLOW', names: ['read', 'write'] }] });
    expect(p.localhostProfile).toBe('operator/web.json');
  });

  test('a workload hardened with the profile runs it as Localhost on the pod and every container', () => {
    const { chart: c } = newChart('apps');
    const p = new OperatorSeccompProfile(c, 'sp');
    const d = new kplus.Deployment(c, 'agent', { metadata: { name: 'agent' }, containers: [goodContainer()] });
    Harden.workload(d, { profile: HardeningProfile.restricted({ seccompProfile: p.seccompProfile }) });
    coverNetwork(c, d);
    const spec = podSpec(find(Testing.synth(c), 'Deployment', 'agent'));
    const localhost = { type: 'Localhost', localhostProfile: 'operator/latch-agent.json' };
    expect(spec.securityContext.seccompProfile).toEqual(localhost);
    for (const container of spec.containers) expect(container.securityContext.seccompProfile).toEqual(localhost);
  });

  test('the schema judge has no schema for the SPO CRD: exempted explicitly', async () => {
    await expectNoFindings(manifests, {
      exemptions: [{ judge: 'schema', id: 'not-validated', objectName: 'latch-agent', reason: 'SeccompProfile is a Security Profiles Operator custom resource (v1beta1 API types)' }],
    });
  });

  test.each<[object, string]>([
    [{ syscalls: [] }, '[test/sp]: syscalls is empty, so every system call would be refused. Fix:'],
    [{ syscalls: ['open at'] }, "[test/sp]: syscalls 'open at' is not a system call name. Fix:"],
    [{ name: 'Latch_Agent' }, "[test/sp]: name 'Latch_Agent' is not a valid DNS label"],
    [{ architectures: [] }, '[test/sp]: architectures is empty.'],
  ])('bad input %j fails with the path, the field and the fix', (props, message) => {
    const { chart: c } = newChart('apps');
    expect(errorOf(() => new OperatorSeccompProfile(c, 'sp', props))).toContain(message);
  });
});

/**
 * Empirical check of the allow-list: strace the compiled agent doing `run` (HTTPS to the
 * simulator, status flips; the server answering `Connection: close`, closing idle
 * connections, then gone) and `check`, and compare. Runs where strace and the compiled
 * agent exist (the CI machine has both); skipped elsewhere, never silently passing.
 */
const canTrace = spawnSync('strace', ['-V']).status === 0 && fs.existsSync(AGENT_MAIN);
(canTrace ? test : test.skip)('every system call the agent makes under strace is on the allow-list', async () => {
  const h = await Harness.start({ https: true });
  const out = tempDir('superlatch-strace-');
  const env = h.env(); // before the simulator goes down
  const traced = async (name: string, args: string[], runMs: number) => {
    const file = path.join(out, name);
    const child = spawn('strace', ['-f', '-qq', '-o', file, process.execPath, AGENT_MAIN, ...args], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    if (runMs > 0) {
      await waitFor('a status file', () => h.status(), 30_000);
      await new Promise((r) => setTimeout(r, runMs));
      // SIGTERM to the agent itself (strace's child), so it exits through its signal handler
      const agentPid = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
      process.kill(agentPid, 'SIGTERM');
    }
    await exited;
    return fs.readFileSync(file, 'utf8');
  };
  try {
    const flips = setInterval(() => h.sim.setStatus(ACCOUNT, h.sim.statusRequests().length % 2 === 0 ? 'on' : 'off'), 200);
    // the connection-close paths: `Connection: close`, an idle peer closing, then the API down
    const phases = (async () => {
      await waitFor('a status file', () => h.status(), 30_000);
      await new Promise((r) => setTimeout(r, 700));
      h.sim.closeConnections({ afterEachAnswer: true });
      await new Promise((r) => setTimeout(r, 700));
      h.sim.closeConnections({ idleMs: 50 });
      await new Promise((r) => setTimeout(r, 700));
      await h.sim.close();
    })();
    const run = await traced('run', ['run'], 3000);
    await phases;
    clearInterval(flips);
    const check = await traced('check', ['check', '--file', h.file], 0);
    const calls = new Set<string>();
    for (const line of `${run}\n${check}`.split('\n')) {
      const m = /^\d+\s+(?:<\.\.\. ([a-z0-9_]+) resumed>|([a-z0-9_]+)\()/.exec(line);
      if (m) calls.add(m[1] ?? m[2]);
    }
    expect(calls.size).toBeGreaterThan(30);
    // the close paths were exercised: Node half-closes a connection the peer ended
    expect(calls).toContain('shutdown');
    expect([...calls].filter((c) => !OperatorSeccompProfile.LATCH_AGENT_SYSCALLS.includes(c)).sort()).toEqual([]);
  } finally {
    await h.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
