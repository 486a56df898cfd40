import { ApiObject, App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';
import { KubeletPidLimits, PidLimits, PidLimitScheduling } from '../../src/guardrails';
import { expectNoFindings } from '../judges';
import { coverNetwork, errorOf, find, goodContainer, IMAGE, newChart, podSpec, podTemplate } from '../util';

jest.setTimeout(60_000);

function hardenedWeb(chart: Chart) {
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, replicas: 2, containers: [goodContainer()] });
  Harden.workload(web);
  coverNetwork(chart, web);
  return web;
}

describe('PidLimits.requireFor', () => {
  test('a node selector on the pid-limited label, and the intent recorded on the workload and its pods', () => {
    // GIVEN a hardened Deployment WHEN it requires pid-limited nodes
    const { chart } = newChart();
    PidLimits.requireFor(hardenedWeb(chart), { expectedPodPidsLimit: 1024 });
    const d = find(Testing.synth(chart), 'Deployment', 'web');
    // THEN its pods only schedule on labelled nodes, and reviewers see why
    expect(podSpec(d).nodeSelector).toEqual({ 'superlatch.io/pid-limited': 'true' });
    for (const meta of [d.metadata, podTemplate(d).metadata]) {
      expect(meta.annotations).toMatchObject({
        'superlatch.io/requires-pid-limited-nodes': 'superlatch.io/pid-limited=true',
        'superlatch.io/expected-pod-pids-limit': '1024',
      });
    }
    // and no field pretends to limit pids
    expect(JSON.stringify(d)).not.toMatch(/pids?Limit"|"pids":/i);
  });

  test('required node affinity is added to every existing term (terms are ORed), with a custom label', () => {
    const { chart } = newChart();
    const pod = new ApiObject(chart, 'raw', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'raw' },
      spec: {
        containers: [{ name: 'c', image: IMAGE, livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/', port: 8080 } } }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
              ],
            },
          },
        },
      },
    });
    Harden.workload(pod);
    coverNetwork(chart, pod);
    PidLimits.requireFor(pod, { scheduling: PidLimitScheduling.REQUIRED_NODE_AFFINITY, nodeLabel: 'platform.example.com/pids', nodeLabelValue: 'limited' });
    const p = find(Testing.synth(chart), 'Pod', 'raw');
    const expr = { key: 'platform.example.com/pids', operator: 'In', values: ['limited'] };
    expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, expr] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }], matchExpressions: [expr] },
    ]);
    expect(p.spec.nodeSelector).toBeUndefined();
    expect(p.metadata.annotations['superlatch.io/requires-pid-limited-nodes']).toBe('platform.example.com/pids=limited');
    expect(p.metadata.annotations['superlatch.io/expected-pod-pids-limit']).toBeUndefined();
  });

  test('without any affinity, one required term is created', () => {
    const { chart } = newChart();
    const web = hardenedWeb(chart);
    PidLimits.requireFor(web, { scheduling: PidLimitScheduling.REQUIRED_NODE_AFFINITY });
    const affinity = podSpec(find(Testing.synth(chart), 'Deployment', 'web')).affinity;
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'superlatch.io/pid-limited', operator: 'In', values: ['true'] }] },
    ]);
    // the hardening's pod anti-affinity is kept
    expect(affinity.podAntiAffinity).toBeDefined();
  });

  test('the workload keeps zero findings from the judges', async () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, replicas: 2, containers: [goodContainer()] });
    Harden.workload(web, { priorityClassName: 'standard' });
    coverNetwork(chart);
    new WorkloadNetworkPolicy(chart, 'policy', { workload: web, ingress: [{ peer: NetworkPeer.namespace('ingress'), ports: [NetworkPeerPort.tcp(8080)] }] });
    PidLimits.requireFor(web, { expectedPodPidsLimit: 1024 });
    await expectNoFindings(Testing.synth(chart));
  });

  test.each<[string, (chart: Chart) => void, string]>([
    ['a conflicting node selector', (c) => {
      const web = new kplus.Deployment(c, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
      ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { 'superlatch.io/pid-limited': 'no' }));
      PidLimits.requireFor(web);
      Testing.synth(c);
    }, "[test/web] PidLimits.requireFor: the pod's nodeSelector already sets superlatch.io/pid-limited=no, not true. Fix:"],
    ['not a workload', (c) => PidLimits.requireFor(new kplus.ConfigMap(c, 'cm')), '[test/cm] PidLimits.requireFor: a ConfigMap has no pods. Fix:'],
    ['twice', (c) => {
      const web = hardenedWeb(c);
      PidLimits.requireFor(web);
      PidLimits.requireFor(web);
    }, '[test/web] PidLimits.requireFor: called twice for this workload. Fix:'],
    ['a bad label key', (c) => PidLimits.requireFor(hardenedWeb(c), { nodeLabel: 'pid limited' }), "[test/web] PidLimits.requireFor: nodeLabel 'pid limited' is not a label key."],
    ['a bad expected limit', (c) => PidLimits.requireFor(hardenedWeb(c), { expectedPodPidsLimit: 0 }), '[test/web] PidLimits.requireFor: expectedPodPidsLimit must be a positive integer (got 0).'],
  ])('%s fails with the construct path, the field and the fix', (_what, fn, message) => {
    const { chart } = newChart();
    expect(errorOf(() => fn(chart))).toContain(message);
  });
});

describe('KubeletPidLimits', () => {
  // GIVEN the node configuration in a chart of its own
  const app = Testing.app();
  const chart = new Chart(app, 'node-config-kubelet-pid-limits', { namespace: 'ignored' });
  const limits = new KubeletPidLimits(chart, 'pids');
  const [config] = Testing.synth(chart);

  test('matches the snapshot', () => {
    expect(config).toMatchSnapshot();
  });

  test('a KubeletConfiguration fragment: podPidsLimit, pid reservations, pid.available eviction with the other default thresholds kept', () => {
    expect(config).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      podPidsLimit: 1024,
      systemReserved: { pid: '1000' },
      kubeReserved: { pid: '1000' },
      evictionHard: { 'imagefs.available': '15%', 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'pid.available': '10%' },
    });
  });

  test('has no metadata and no namespace (node configuration is not an API object)', () => {
    expect(config.metadata).toBeUndefined();
  });

  test('names the node label the platform sets, which PidLimits.requireFor selects', () => {
    expect(limits.nodeLabels).toEqual({ [PidLimits.NODE_LABEL]: 'true' });
  });

  test('its chart is written to a file of its own, named after the chart', () => {
    const outdir = Testing.app().outdir;
    const a = new App({ outdir });
    new KubeletPidLimits(new Chart(a, 'node-config-kubelet-pid-limits'), 'pids', { podPidsLimit: 4096 });
    a.synth();
    const docs = Yaml.load(`${outdir}/node-config-kubelet-pid-limits.k8s.yaml`);
    expect(docs).toHaveLength(1);
    expect(docs[0].podPidsLimit).toBe(4096);
  });

  test('custom values', () => {
    const c = new Chart(Testing.app(), 'n');
    new KubeletPidLimits(c, 'pids', { podPidsLimit: 512, systemReservedPids: 2000, kubeReservedPids: 500, pidAvailableEviction: '5%', otherEvictionHard: { 'memory.available': '200Mi' } });
    expect(Testing.synth(c)[0]).toMatchObject({
      podPidsLimit: 512,
      systemReserved: { pid: '2000' },
      kubeReserved: { pid: '500' },
      evictionHard: { 'memory.available': '200Mi', 'pid.available': '5%' },
    });
  });

  test('refuses to share a chart with cluster objects, naming them and the fix', () => {
    const { chart: c } = newChart();
    new KubeletPidLimits(c, 'pids');
    new kplus.ConfigMap(c, 'cm');
    expect(errorOf(() => Testing.synth(c))).toContain("KubeletPidLimits must be alone in its chart, so that the node configuration is written to a file of its own and never applied with the cluster manifests; chart 'test' also has test/cm/Resource. Fix: put it in a separate chart");
  });

  test.each<[object, string]>([
    [{ podPidsLimit: 0 }, '[n/pids]: podPidsLimit must be a positive integer (got 0).'],
    [{ kubeReservedPids: 1.5 }, '[n/pids]: kubeReservedPids must be a positive integer (got 1.5).'],
    [{ pidAvailableEviction: 'ten percent' }, "[n/pids]: pidAvailableEviction 'ten percent' is not a threshold."],
    [{ otherEvictionHard: { 'pid.available': '1%' } }, '[n/pids]: otherEvictionHard sets pid.available. Fix: use pidAvailableEviction for it'],
  ])('bad input %j fails with the path, the field and the fix', (props, message) => {
    expect(errorOf(() => new KubeletPidLimits(new Chart(Testing.app(), 'n'), 'pids', props))).toContain(message);
  });
});
