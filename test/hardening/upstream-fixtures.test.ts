import { boundWorkloads, tokenContainers } from './support/api-access';
import { containersOf, inNamespace, loadYaml, pairWorkloads, podTemplateOf, UPSTREAM, workloadId, workloadsOf } from './support/manifests';
import { selections, selectorMismatches } from './support/selection';
import { securityContextWeakenings } from './support/weakening';

/**
 * Facts about the vendored upstream manifests themselves (test/fixtures/upstream/):
 * they prove the fixtures load and give the helpers' figures on real input.
 */
const argoCd = inNamespace(loadYaml(UPSTREAM.argoCd), 'argocd');
const podinfo = inNamespace(loadYaml(UPSTREAM.podinfo), 'podinfo');
const rollout = inNamespace(loadYaml(UPSTREAM.argoRollout), 'rollouts');

/** The template with no security setting at all: what every strict upstream value is measured against. */
function stripped(m: any): any {
  const t = podTemplateOf(m);
  const bare = (c: any) => ({ ...c, securityContext: undefined });
  const { securityContext: _s, automountServiceAccountToken: _a, ...spec } = t.spec;
  return {
    metadata: { ...t.metadata, annotations: undefined },
    spec: { ...spec, initContainers: spec.initContainers?.map(bare), containers: spec.containers.map(bare) },
  };
}

describe('argo-cd install.yaml (v3.5.1)', () => {
  test('holds 7 workloads, 8 Services and 7 NetworkPolicies', () => {
    expect(workloadsOf(argoCd).map(workloadId).sort()).toEqual([
      'Deployment/argocd/argocd-applicationset-controller',
      'Deployment/argocd/argocd-dex-server',
      'Deployment/argocd/argocd-notifications-controller',
      'Deployment/argocd/argocd-redis',
      'Deployment/argocd/argocd-repo-server',
      'Deployment/argocd/argocd-server',
      'StatefulSet/argocd/argocd-application-controller',
    ]);
    expect(argoCd.filter((m) => m.kind === 'Service')).toHaveLength(8);
    expect(argoCd.filter((m) => m.kind === 'NetworkPolicy')).toHaveLength(7);
  });

  test('every selector matches its template', () => {
    expect(selectorMismatches(argoCd)).toEqual([]);
  });

  test('every Service and every NetworkPolicy selects exactly one workload; every pod peer selects at least one', () => {
    const all = selections(argoCd);
    const own = all.filter((s) => / spec\.(selector|podSelector)$/.test(s.by));
    expect(own).toHaveLength(15);
    expect(own.filter((s) => s.pods.length !== 1)).toEqual([]);
    expect(all.filter((s) => s.pods.length === 0)).toEqual([]);
    expect(all.find((s) => s.by === 'NetworkPolicy/argocd/argocd-redis-network-policy spec.ingress[0].from[2]')?.pods)
      .toEqual(['StatefulSet/argocd/argocd-application-controller']);
  });

  test('6 workloads run as bound ServiceAccounts; the repo server is not bound and mounts no token', () => {
    const bound = boundWorkloads(argoCd);
    expect(bound).toHaveLength(6);
    expect(new Set(bound.map((b) => b.serviceAccount)).size).toBe(6);
    expect(bound.find((b) => b.workload === 'StatefulSet/argocd/argocd-application-controller')?.bindings)
      .toEqual(['ClusterRoleBinding/argocd-application-controller', 'RoleBinding/argocd/argocd-application-controller']);
    expect(bound.map((b) => b.workload)).not.toContain('Deployment/argocd/argocd-repo-server');
    const repoServer = workloadsOf(argoCd).find((m) => m.metadata.name === 'argocd-repo-server');
    expect(tokenContainers(repoServer, argoCd)).toEqual([]);
    // every bound pod gets its token by auto-mount, in every container
    for (const b of bound) {
      const m = workloadsOf(argoCd).find((w) => workloadId(w) === b.workload);
      expect(tokenContainers(m, argoCd)).toEqual(containersOf(podTemplateOf(m)).map((c) => c.name));
    }
  });

  test('upstream sets 59 strict security values that a template without any would weaken', () => {
    const lost = pairWorkloads(argoCd, argoCd).flatMap((p) => securityContextWeakenings(podTemplateOf(p.upstream), stripped(p.upstream)));
    expect(lost).toHaveLength(59);
    expect(pairWorkloads(argoCd, argoCd).flatMap((p) => securityContextWeakenings(podTemplateOf(p.upstream), podTemplateOf(p.hardened)))).toEqual([]);
  });
});

describe('podinfo kustomize (6.14.1)', () => {
  test('one Deployment that its Service selects, no bound ServiceAccount, no security settings', () => {
    expect(selectorMismatches(podinfo)).toEqual([]);
    expect(selections(podinfo)).toEqual([{ by: 'Service/podinfo/podinfo spec.selector', pods: ['Deployment/podinfo/podinfo'] }]);
    expect(boundWorkloads(podinfo)).toEqual([]);
    const [deployment] = workloadsOf(podinfo);
    expect(securityContextWeakenings(podTemplateOf(deployment), stripped(deployment))).toEqual([]);
    expect(podinfo.map((m) => m.kind)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
  });
});

describe('the hand-written Argo Rollout', () => {
  test('is a workload of a custom kind, selected by its Service, privileged with the host PID namespace', () => {
    const [m] = workloadsOf(rollout);
    expect(workloadId(m)).toBe('Rollout/rollouts/canary-demo');
    expect(selectorMismatches(rollout)).toEqual([]);
    expect(selections(rollout)).toEqual([{ by: 'Service/rollouts/canary-demo spec.selector', pods: ['Rollout/rollouts/canary-demo'] }]);
    expect(podTemplateOf(m).spec).toMatchObject({ hostPID: true, containers: [{ securityContext: { privileged: true } }] });
  });
});
