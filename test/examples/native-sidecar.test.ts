/**
 * The superlatch-native-sidecar example (target Kubernetes 1.36): snapshot, zero findings
 * from every judge at 1.36 and from every pack, and what the target changes, asserted on
 * the final manifests.
 */
import { Testing } from 'cdk8s';
import { buildApp } from '../../examples/superlatch-native-sidecar/main';
import { KubernetesVersion, RulePack, SecurityTesting } from '../../src';
import { expectNoFindings } from '../judges';
import { find, podSpec, podTemplate } from '../util';

const manifests: any[] = buildApp(Testing.app().outdir).charts.flatMap((c) => c.toJson());
const web = find(manifests, 'Deployment', 'web');
const report = find(manifests, 'CronJob', 'nightly-report');

test('matches the snapshot', () => {
  expect(manifests).toMatchSnapshot();
});

test('zero findings from every judge, against the 1.36 schema, with no exemption', async () => {
  await expectNoFindings(manifests, { kubernetesVersion: '1.36' });
});

test.each([RulePack.restricted(), RulePack.latch(), RulePack.baseline(), RulePack.pssRestricted()])('zero findings, errors or warnings, from the $name pack at v1.36', (pack) => {
  const result = SecurityTesting.assertManifestsCompliant(manifests, pack, { kubernetesVersion: KubernetesVersion.V1_36 });
  expect(result.findings).toEqual([]);
});

describe.each([['the Deployment', web], ['the CronJob', report]])('%s', (_what, workload) => {
  const spec = podSpec(workload);

  test('the agent is the first init container, a native sidecar with a startup probe on the first publication', () => {
    const [agent] = spec.initContainers;
    expect(agent.name).toBe('latch-agent');
    expect(agent.restartPolicy).toBe('Always');
    expect(agent.startupProbe.exec.command.slice(-1)).toEqual(['published']);
    expect(spec.containers.map((c: any) => c.name)).not.toContain('latch-agent');
  });

  test('AppArmor is the pod field, not the annotation', () => {
    expect(spec.securityContext.appArmorProfile).toEqual({ type: 'RuntimeDefault' });
    expect(Object.keys(podTemplate(workload).metadata.annotations ?? {}).filter((k) => k.includes('apparmor'))).toEqual([]);
  });
});

test('the web gate is a native sidecar after the agent; the application containers are the only regular ones', () => {
  expect(podSpec(web).initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['latch-agent', 'Always'], ['latch-gate', 'Always']]);
  expect(podSpec(web).containers.map((c: any) => c.name)).toEqual(['app-go']);
});

test('the CronJob pod keeps its own restartPolicy: the job completes, the sidecar stops with it', () => {
  expect(podSpec(report).restartPolicy).toBe('Never');
  expect(podSpec(report).containers.map((c: any) => c.name)).toEqual(['report']);
});

test('PSA labels pinned to v1.36; the admission policy on admissionregistration.k8s.io/v1', () => {
  const labels = find(manifests, 'Namespace').metadata.labels;
  for (const mode of ['enforce', 'audit', 'warn']) {
    expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.36');
  }
  for (const kind of ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']) {
    expect(find(manifests, kind).apiVersion).toBe('admissionregistration.k8s.io/v1');
  }
});
