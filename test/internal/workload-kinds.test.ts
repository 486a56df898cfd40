/**
 * One table of workload kinds: for every kind in it (and a custom kind with a
 * pod template), the hardening and the restricted pack agree — no finding on
 * the hardened output, findings on the same object unhardened.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Harden, HardenedNamespace, RulePack, WorkloadNetworkPolicy } from '../../src';
import { WORKLOAD_KINDS, workloadKindOf } from '../../src/internal/workload-kinds';
import { coverNetwork, errorOf, IMAGE } from '../util';

const probe = { httpGet: { path: '/healthz', port: 8080 } };
const readiness = { httpGet: { path: '/ready', port: 8080 } };

function podSpec(batch: boolean): any {
  const container: any = { name: 'app', image: IMAGE, ports: [{ containerPort: 8080 }] };
  if (!batch) Object.assign(container, { livenessProbe: probe, readinessProbe: readiness });
  return { containers: [container], ...(batch ? { restartPolicy: 'Never' } : {}) };
}

/** A plain manifest of `kind`, as upstream YAML would write it (nothing hardened). */
function manifestOf(kind: string, apiVersion: string): any {
  const entry = WORKLOAD_KINDS[kind];
  const labels = { 'app.kubernetes.io/name': 'w' };
  const template = { metadata: { labels }, spec: podSpec(entry?.batch ?? false) };
  const selector = entry?.plainSelector ? labels : { matchLabels: labels };
  switch (kind) {
    case 'Pod': return { apiVersion, kind, metadata: { name: 'w', labels }, spec: podSpec(false) };
    case 'PodTemplate': return { apiVersion, kind, metadata: { name: 'w' }, template };
    case 'Job': return { apiVersion, kind, metadata: { name: 'w' }, spec: { template } };
    case 'CronJob': return { apiVersion, kind, metadata: { name: 'w' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } };
    default: return { apiVersion, kind, metadata: { name: 'w' }, spec: { replicas: 2, selector, template } };
  }
}

const KINDS: Array<[string, string]> = [
  ['Pod', 'v1'], ['PodTemplate', 'v1'], ['Deployment', 'apps/v1'], ['StatefulSet', 'apps/v1'], ['DaemonSet', 'apps/v1'],
  ['ReplicaSet', 'apps/v1'], ['ReplicationController', 'v1'], ['Job', 'batch/v1'], ['CronJob', 'batch/v1'],
  ['Rollout', 'argoproj.io/v1alpha1'], // a custom kind with spec.template
];

test('the table lists exactly the built-in kinds tested here', () => {
  expect(Object.keys(WORKLOAD_KINDS).sort()).toEqual(KINDS.map(([k]) => k).filter((k) => k !== 'Rollout').sort());
  expect(workloadKindOf(manifestOf('Rollout', 'argoproj.io/v1alpha1'))?.templatePath).toEqual(['spec', 'template']);
  expect(workloadKindOf({ kind: 'ConfigMap', data: {} })).toBeUndefined();
});

/** Findings of the restricted pack on the objects of one chart (the namespace baseline and the workload's policy make the network rules hold). */
function findings(harden: boolean, kind: string, apiVersion: string): string[] {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'apps' });
  new HardenedNamespace(chart, 'ns', { name: 'apps' });
  const w = new ApiObject(chart, 'w', manifestOf(kind, apiVersion));
  new WorkloadNetworkPolicy(chart, 'policy', { workload: w });
  if (harden) Harden.chart(chart);
  const report = RulePack.restricted().evaluate(Testing.synth(chart));
  return report.findings.filter((f) => !f.acknowledged).map((f) => `${f.ruleId} ${f.path}`);
}

describe.each(KINDS)('%s', (kind, apiVersion) => {
  test('unhardened, the restricted pack finds the missing hardening', () => {
    expect(findings(false, kind, apiVersion).length).toBeGreaterThan(3);
  });

  test('hardened by Harden.chart, the restricted pack finds nothing', () => {
    expect(findings(true, kind, apiVersion)).toEqual([]);
  });

  test('replicated kinds with 2 replicas get a budget and anti-affinity; others do not', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'apps' });
    coverNetwork(chart, new ApiObject(chart, 'w', manifestOf(kind, apiVersion)));
    Harden.chart(chart);
    const out = Testing.synth(chart);
    const replicated = (WORKLOAD_KINDS[kind] ?? workloadKindOf(manifestOf(kind, apiVersion)))!.replicated;
    expect(out.some((o) => o.kind === 'PodDisruptionBudget')).toBe(replicated);
    expect(JSON.stringify(out).includes('podAntiAffinity')).toBe(replicated);
  });
});

test('a custom kind with a privileged, hostPID pod template is refused by Harden.chart, not skipped', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'apps' });
  const rollout = manifestOf('Rollout', 'argoproj.io/v1alpha1');
  rollout.spec.template.spec.hostPID = true;
  rollout.spec.template.spec.containers[0].securityContext = { privileged: true };
  new ApiObject(chart, 'rollout', rollout);
  // unhardened, every pack sees it
  const report = RulePack.pssRestricted().evaluate(Testing.synth(chart));
  expect(report.errors.map((f) => f.path)).toEqual(expect.arrayContaining(['spec.template.spec.hostPID', 'spec.template.spec.containers[0].securityContext.privileged']));
  Harden.chart(chart);
  const message = errorOf(() => Testing.synth(chart));
  expect(message).toContain("[c/rollout] spec.template.spec.hostPID: [SL-PSS-1] hostPID is true: the pod shares the node's PID namespace");
  expect(message).toContain("[c/rollout] spec.template.spec.containers[0].securityContext.privileged: [SL-PSS-2] container 'app' is privileged");
});
