/**
 * The independent judges on every construct's default and main variants:
 * each workload kind hardened with defaults next to its own network policy.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import {
  Harden, HardenedNamespace, HardeningProfile, NamespaceNetworkBaseline, NetworkPeer, NetworkPeerPort, SeccompProfile, WorkloadNetworkPolicy,
} from '../../src';
import { expectNoFindings, judge } from '../judges';
import { coverNetwork, goodContainer, newChart, WORKLOAD_MAKERS } from '../util';


/** A workload hardened with `options`, with the policy every workload needs (ingress and egress rules) and the namespace default-deny. */
function judgedChart(make: (chart: Chart) => IConstruct, profile?: HardeningProfile) {
  const { chart } = newChart();
  coverNetwork(chart);
  const w = make(chart);
  Harden.workload(w, { profile, priorityClassName: 'standard' });
  new WorkloadNetworkPolicy(chart, 'policy', {
    workload: w,
    ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
  });
  return Testing.synth(chart);
}

describe('every workload kind with the default (restricted) profile has zero findings', () => {
  test.each(WORKLOAD_MAKERS)('%s', async (_kind, make) => {
    await expectNoFindings(judgedChart(make));
  });
});

const deployment = (c: Chart) => new kplus.Deployment(c, 'w', { metadata: { name: 'w' }, containers: [goodContainer()] });

test('a Localhost seccomp profile and custom ids keep zero findings', async () => {
  await expectNoFindings(judgedChart(deployment, HardeningProfile.restricted({
    user: 20000, group: 20000, fsGroup: 20000, seccompProfile: SeccompProfile.localhost('operator/w.json'),
  })));
});

test('the baseline preset passes every Pod Security Standards baseline rule and lets restricted ones fail where the workload is weaker, as documented', async () => {
  const report = await judge(judgedChart(
    (c) => new kplus.Deployment(c, 'w', {
      metadata: { name: 'w' },
      containers: [goodContainer({ image: 'nginx:1.27', portNumber: 8080, securityContext: { readOnlyRootFilesystem: false, allowPrivilegeEscalation: true } })],
    }),
    HardeningProfile.baseline(),
  ));
  const pss = report.monokle.map((f) => f.id).filter((id) => id.startsWith('PSS'));
  expect(pss.filter((id) => id.startsWith('PSS1'))).toEqual([]);
  expect(pss.length).toBeGreaterThan(0);
});

test('the namespace, its network baseline and a node-local DNS variant validate against the 1.27 schema', async () => {
  const { chart } = newChart('team');
  new HardenedNamespace(chart, 'ns', { name: 'team', dns: { nodeLocalDnsCidr: '169.254.20.10/32' } });
  new NamespaceNetworkBaseline(chart, 'extra', { namespace: 'other' });
  await expectNoFindings(Testing.synth(chart));
});
