/**
 * The two latch examples: snapshots, zero judge findings, and the latch
 * invariants asserted on the final manifests.
 */
import { Testing } from 'cdk8s';
import { buildApp as buildHub } from '../../examples/superlatch-hub/main';
import { buildApp as buildSidecar } from '../../examples/superlatch-sidecar/main';
import { SuperlatchKeys } from '../../src';
import { expectNoFindings } from '../judges';
import { find, podSpec, podTemplate } from '../util';
import { agentWorkloads, DNS, egressOf, guardedWorkloads, mountsOf, secretReaders } from './helpers';

const synth = (build: (outdir: string) => any) => build(Testing.app().outdir).charts.flatMap((c: any) => c.toJson());

describe('superlatch-sidecar example', () => {
  const manifests = synth(buildSidecar);
  const [demo] = guardedWorkloads(manifests);

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('zero findings from every judge', async () => {
    await expectNoFindings(manifests);
  });

  test('exactly one writer of the status volume: the agent', () => {
    const mounts = mountsOf(demo, podTemplate(demo).metadata.annotations[SuperlatchKeys.STATUS_VOLUME_ANNOTATION]);
    expect(mounts.filter((m) => !m.readOnly)).toEqual([{ container: 'latch-agent', readOnly: false }]);
  });

  test('every guarded container mounts the status volume read-only', () => {
    const readers = mountsOf(demo, 'latch-status').filter((m) => m.readOnly).map((m) => m.container);
    expect(readers).toEqual(['app-go', 'app-java']);
    expect(podSpec(demo).volumes.find((v: any) => v.name === 'latch-status')).toEqual({ name: 'latch-status', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  test('only the agent sees the credentials, as files with mode 0400', () => {
    expect(secretReaders(demo, 'latch-credentials')).toEqual(['latch-agent']);
    expect(podSpec(demo).volumes.find((v: any) => v.name === 'latch-credentials').secret.defaultMode).toBe(0o400);
  });

  test("the pod's egress reaches only DNS and the Latch API CIDRs on 443", () => {
    expect(egressOf(manifests, demo)).toEqual(['203.0.113.0/24 TCP/443', ...DNS].sort());
  });

  test('no ServiceAccount token anywhere', () => {
    expect(podSpec(demo).automountServiceAccountToken).toBe(false);
  });
});

describe('superlatch-hub example', () => {
  const manifests = synth(buildHub);
  const guarded = guardedWorkloads(manifests);
  const [master] = agentWorkloads(manifests);

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('zero findings from every judge, but two reliability checks the hub design contradicts', async () => {
    await expectNoFindings(manifests, {
      exemptions: [
        {
          judge: 'polaris',
          id: 'deploymentMissingReplicas',
          objectName: 'latch-latch-agent',
          reason: 'one poller per latch by design: every poll is recorded in the Latch user history, and two masters would race on the ConfigMap',
        },
        {
          judge: 'polaris',
          id: 'missingNetworkPolicy',
          objectName: 'latch-latch-agent',
          reason: 'the master accepts no connections; Polaris wants a non-empty ingress list, and any rule would only widen a deny-all ingress',
        },
      ],
    });
  });

  test('two guarded apps as separate Deployments, one master with one replica', () => {
    expect(guarded.map((w) => w.metadata.name)).toEqual(['app-go', 'app-java']);
    expect(master.spec.replicas).toBe(1);
    expect(master.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('the status volume has no writer at all: guarded pods mount the ConfigMap read-only', () => {
    for (const w of guarded) {
      expect(podSpec(w).volumes.find((v: any) => v.name === 'latch-status')).toEqual({ name: 'latch-status', configMap: { name: 'latch-latch-status', defaultMode: 0o444 } });
      const mounts = mountsOf(w, 'latch-status');
      expect(mounts.length).toBeGreaterThan(0);
      expect(mounts.every((m) => m.readOnly)).toBe(true);
    }
  });

  test('only the agent sees the credentials', () => {
    expect(secretReaders(master, 'latch-credentials')).toEqual(['latch-agent']);
    for (const w of guarded) expect(secretReaders(w, 'latch-credentials')).toEqual([]);
  });

  test('the Role names exactly one ConfigMap, with get/patch/update only, bound to the master only', () => {
    const role = find(manifests, 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['latch-latch-status'], verbs: ['get', 'patch', 'update'] }]);
    const binding = find(manifests, 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec(master).serviceAccountName }]);
  });

  test('guarded pods have no egress rule for the latch: DNS only', () => {
    for (const w of guarded) {
      expect(egressOf(manifests, w)).toEqual(DNS);
      expect(podSpec(w).automountServiceAccountToken).toBe(false);
    }
  });

  test("the master's egress reaches only DNS, the Latch API CIDRs and the API server", () => {
    expect(egressOf(manifests, master)).toEqual(['10.0.0.1/32 TCP/443', '203.0.113.0/24 TCP/443', ...DNS].sort());
  });

  test('the master is the only pod with API access: a short-lived projected token, no automount', () => {
    expect(podSpec(master).automountServiceAccountToken).toBe(false);
    const projected = podSpec(master).volumes.find((v: any) => v.projected);
    expect(projected.projected.sources[0]).toEqual({ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } });
    for (const w of guarded) expect(podSpec(w).volumes.some((v: any) => v.projected)).toBe(false);
  });

  test('the gate is on for app-java only, and liveness never depends on the latch', () => {
    const names = (w: any) => podSpec(w).containers.map((c: any) => c.name);
    expect(names(find(manifests, 'Deployment', 'app-go'))).toEqual(['app-go']);
    const java = find(manifests, 'Deployment', 'app-java');
    expect(names(java)).toEqual(['app-java', 'latch-gate']);
    const gate = podSpec(java).containers[1];
    expect(gate.readinessProbe.exec.command.slice(-3)).toEqual(['check', '--file', '/usr/share/latch/latch-info.json']);
    expect(gate.livenessProbe.exec.command.join(' ')).not.toMatch(/check|health/);
  });
});
