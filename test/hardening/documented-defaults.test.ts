/**
 * Every `@default` documented on the profile's props is what is rendered.
 * The documented text is read from the source, so docs and behaviour cannot drift
 * apart silently: a new prop without a check here, or a changed @default, fails.
 */
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, SuperlatchKeys } from '../../src';
import { allContainers, coverNetwork, documentedDefaults, find, goodContainer, IMAGE, newChart, podSpec, podTemplate } from '../util';

/** Renders a raw Deployment (no cdk8s-plus defaults) and a cdk8s-plus one, both hardened with defaults. */
function render() {
  const { chart } = newChart();
  const raw = new ApiObject(chart, 'raw', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'raw' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'raw' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'raw' } },
        spec: {
          containers: [{
            name: 'app',
            image: IMAGE,
            livenessProbe: { tcpSocket: { port: 8080 } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          }],
        },
      },
    },
  });
  Harden.workload(raw);
  const plus = new kplus.Deployment(chart, 'plus', { metadata: { name: 'plus' }, containers: [goodContainer()] });
  Harden.workload(plus);
  coverNetwork(chart, raw, plus);
  const out = Testing.synth(chart);
  return { raw: find(out, 'Deployment', 'raw'), plus: find(out, 'Deployment', 'plus'), all: out };
}

const { raw, plus, all } = render();
const workloads = [raw, plus];

function eachPodAndContainer(check: (sc: any) => void) {
  for (const w of workloads) {
    check(podSpec(w).securityContext);
    allContainers(w).forEach((c) => check(c.securityContext));
  }
}

const profileChecks: Record<string, [string, () => void]> = {
  user: ['10001', () => eachPodAndContainer((sc) => expect(sc.runAsUser).toBe(10001))],
  group: ['10001', () => eachPodAndContainer((sc) => expect(sc.runAsGroup).toBe(10001))],
  fsGroup: ['10001', () => workloads.forEach((w) => {
    expect(podSpec(w).securityContext.fsGroup).toBe(10001);
    expect(podSpec(w).securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
  })],
  seccompProfile: ['SeccompProfile.runtimeDefault()', () => eachPodAndContainer((sc) => expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' }))],
  appArmorProfile: ['"runtime/default"', () => workloads.forEach((w) => allContainers(w).forEach((c) =>
    expect(podTemplate(w).metadata.annotations[`container.apparmor.security.beta.kubernetes.io/${c.name}`]).toBe('runtime/default')))],
  tmpVolume: ['true', () => workloads.forEach((w) => {
    allContainers(w).forEach((c) => expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' }));
    expect(podSpec(w).volumes.filter((v: any) => v.name === 'tmp')).toHaveLength(1);
  })],
  tmpSizeLimit: ['Size.mebibytes(32)', () => workloads.forEach((w) =>
    expect(podSpec(w).volumes.find((v: any) => v.name === 'tmp').emptyDir).toEqual({ sizeLimit: '32Mi' }))],
  // the cdk8s-plus workload too: cdk8s-plus's own 1000m/1500m, 512Mi/2048Mi never reach the output
  resourceDefaults: ['- cpu 100m/500m, memory 64Mi/256Mi, ephemeral-storage 64Mi/256Mi', () => workloads.forEach((w) =>
    expect(podSpec(w).containers[0].resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
    }))],
  userNamespaces: ['false', () => workloads.forEach((w) => expect(podSpec(w).hostUsers).toBeUndefined())],
  relaxations: ['- none', () => workloads.forEach((w) => {
    expect(w.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION]).toBeUndefined();
    expect(w.metadata.annotations[SuperlatchKeys.PROFILE_ANNOTATION]).toBe('restricted');
  })],
};

const resourceChecks: Record<string, [string, () => void]> = {
  cpuRequest: ['"100m"', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.requests.cpu).toBe('100m'))],
  cpuLimit: ['"500m"', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.limits.cpu).toBe('500m'))],
  memoryRequest: ['Size.mebibytes(64)', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.requests.memory).toBe('64Mi'))],
  memoryLimit: ['Size.mebibytes(256)', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.limits.memory).toBe('256Mi'))],
  ephemeralStorageRequest: ['Size.mebibytes(64)', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.requests['ephemeral-storage']).toBe('64Mi'))],
  ephemeralStorageLimit: ['Size.mebibytes(256)', () => workloads.forEach((w) => expect(podSpec(w).containers[0].resources.limits['ephemeral-storage']).toBe('256Mi'))],
};

const workloadChecks: Record<string, [string, () => void]> = {
  profile: ['- the profile given to `Harden.chart()` for this chart, else `HardeningProfile.restricted()`', () =>
    workloads.forEach((w) => expect(w.metadata.annotations[SuperlatchKeys.PROFILE_ANNOTATION]).toBe('restricted'))],
  name: ['- the pod\'s own `app.kubernetes.io/name` label, else an explicit `metadata.name`, else the construct id lower-cased', () => {
    expect(podTemplate(raw).metadata.labels['app.kubernetes.io/name']).toBe('raw');
    expect(podTemplate(plus).metadata.labels['app.kubernetes.io/name']).toBe('plus');
    const { chart } = newChart();
    const labels = { 'app.kubernetes.io/name': 'upstream' };
    const own = new ApiObject(chart, 'Own', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'own-object' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(raw) } },
    });
    const named = new kplus.Deployment(chart, 'Named', { metadata: { name: 'named-object' }, containers: [goodContainer()] });
    const unnamed = new kplus.Deployment(chart, 'Unnamed', { containers: [goodContainer()] });
    [own, named, unnamed].forEach((w) => Harden.workload(w));
    coverNetwork(chart, own, named, unnamed);
    const out = Testing.synth(chart);
    expect(out.filter((o) => o.kind === 'Deployment').map((d) => podTemplate(d).metadata.labels['app.kubernetes.io/name'])).toEqual(['upstream', 'named-object', 'unnamed']);
  }],
  component: ['- the pod\'s own `app.kubernetes.io/component` label, else none', () => workloads.forEach((w) => {
    expect(podTemplate(w).metadata.labels['app.kubernetes.io/component']).toBeUndefined();
    expect(w.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': w.metadata.name });
  })],
  serviceAccount: ['true', () => workloads.forEach((w) => {
    const sa = find(all, 'ServiceAccount', w.metadata.name);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(podSpec(w).serviceAccountName).toBe(w.metadata.name);
    expect(podSpec(w).automountServiceAccountToken).toBe(false);
  })],
  priorityClassName: ['- none: the cluster\'s default priority applies', () =>
    workloads.forEach((w) => expect(podSpec(w).priorityClassName).toBeUndefined())],
  podDisruptionBudget: ['true', () => workloads.forEach((w) => {
    const pdb = find(all, 'PodDisruptionBudget', w.metadata.name);
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': w.metadata.name } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  })],
};

describe.each([
  ['hardening/hardening-profile.ts', 'HardeningProfileProps', profileChecks],
  ['hardening/hardening-profile.ts', 'ResourceDefaults', resourceChecks],
  ['hardening/harden.ts', 'WorkloadHardeningOptions', workloadChecks],
])('%s %s', (file, iface, checks) => {
  const documented = documentedDefaults(file, iface);

  test('every prop has a rendering check', () => {
    expect(Object.keys(checks).sort()).toEqual(Object.keys(documented).sort());
  });

  test.each(Object.keys(documented))('%s: rendered value is the documented @default', (prop) => {
    const [expected, check] = checks[prop];
    expect(documented[prop]).toBe(expected);
    check();
  });
});
