import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AdmissionPolicyVersion, GuardrailAdmissionPolicy, Harden, HardenedNamespace, HardeningProfile,
  KubernetesTarget, KubernetesVersion, NetworkPeer, NetworkPeerPort, Relaxation, RulePack, WorkloadNetworkPolicy,
} from '../../src';
import { expectNoFindings, judge } from '../judges';
import { coverNetwork, errorOf, find, goodContainer, IMAGE, podSpec, podTemplate } from '../util';

/** An app whose only chart targets `version` (undefined: no target set). */
function targeted(version?: KubernetesVersion): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'apps', disableResourceNameHashes: true });
  if (version) KubernetesTarget.set(chart, version);
  return { app, chart };
}

/** A hardened, network-covered Deployment in a chart of `version`; returns the chart's manifests. */
function hardenedDeployment(version: KubernetesVersion | undefined, profile?: HardeningProfile): any[] {
  const { chart } = targeted(version);
  const d = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
  Harden.workload(d, { profile });
  coverNetwork(chart, d);
  return Testing.synth(chart);
}

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/app';

describe('KubernetesVersion', () => {
  test('the supported minors are 1.27 to 1.36, oldest first', () => {
    expect(KubernetesVersion.all().map((v) => v.name)).toEqual(
      ['v1.27', 'v1.28', 'v1.29', 'v1.30', 'v1.31', 'v1.32', 'v1.33', 'v1.34', 'v1.35', 'v1.36']);
    expect(KubernetesVersion.OLDEST).toBe(KubernetesVersion.V1_27);
    expect(KubernetesVersion.NEWEST).toBe(KubernetesVersion.V1_36);
    expect(KubernetesVersion.DEFAULT).toBe(KubernetesVersion.V1_27);
  });

  test.each(['v1.30', '1.30', 'v1.30.4', ' 1.30 '])('parses %j as 1.30', (text) => {
    expect(KubernetesVersion.of(text)).toBe(KubernetesVersion.V1_30);
  });

  test.each(['v1.26', 'v1.37', '2.0', 'latest', ''])('refuses %j, naming the supported versions', (text) => {
    expect(errorOf(() => KubernetesVersion.of(text))).toMatch(/is not supported: use one of v1\.27, .*, v1\.36/);
  });

  test('compares by minor', () => {
    expect(KubernetesVersion.V1_30.isAtLeast(KubernetesVersion.V1_29)).toBe(true);
    expect(KubernetesVersion.V1_30.isAtLeast(KubernetesVersion.V1_30)).toBe(true);
    expect(KubernetesVersion.V1_29.isAtLeast(KubernetesVersion.V1_30)).toBe(false);
  });
});

describe('KubernetesTarget', () => {
  test('1.27 when nothing sets it', () => {
    const { chart } = targeted();
    expect(KubernetesTarget.of(chart)).toBe(KubernetesVersion.V1_27);
  });

  test('an App target flows to every chart and construct; a chart can set its own', () => {
    const app = Testing.app();
    KubernetesTarget.set(app, KubernetesVersion.V1_33);
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    KubernetesTarget.set(b, KubernetesVersion.V1_36);
    const inA = new kplus.ConfigMap(a, 'cm');
    const inB = new kplus.ConfigMap(b, 'cm');
    expect(KubernetesTarget.of(app)).toBe(KubernetesVersion.V1_33);
    expect(KubernetesTarget.of(inA)).toBe(KubernetesVersion.V1_33);
    expect(KubernetesTarget.of(inB)).toBe(KubernetesVersion.V1_36);
  });

  test('refused once the scope has children: the constructs there were created for another target', () => {
    const { app, chart } = targeted();
    expect(errorOf(() => KubernetesTarget.set(app, KubernetesVersion.V1_30))).toMatch(/'test' was added before the target was set\. Fix: call KubernetesTarget\.set\(scope, version\) right after creating the App or Chart/);
    new kplus.ConfigMap(chart, 'cm');
    expect(errorOf(() => KubernetesTarget.set(chart, KubernetesVersion.V1_30))).toMatch(/^\[test\] KubernetesTarget\.set: 'cm' was added before/);
  });

  test('set once per scope', () => {
    const app = Testing.app();
    KubernetesTarget.set(app, KubernetesVersion.V1_30);
    expect(errorOf(() => KubernetesTarget.set(app, KubernetesVersion.V1_31))).toMatch(/the target is already v1\.30\. Fix: set it once per App or Chart/);
  });

  test('a context value that is no supported version is refused with the key', () => {
    const app = Testing.app();
    app.node.setContext('superlatch.io/kubernetes-version', 'v1.12');
    expect(errorOf(() => KubernetesTarget.of(app))).toMatch(/context 'superlatch\.io\/kubernetes-version': Kubernetes version 'v1\.12' is not supported/);
  });
});

describe('Pod Security Admission labels pin the target version', () => {
  function labels(version?: KubernetesVersion, podSecurityVersion?: string): Record<string, string> {
    const { chart } = targeted(version);
    new HardenedNamespace(chart, 'ns', { name: 'apps', podSecurityVersion });
    return find(Testing.synth(chart), 'Namespace').metadata.labels;
  }

  test.each([
    [undefined, 'v1.27'], [KubernetesVersion.V1_27, 'v1.27'], [KubernetesVersion.V1_28, 'v1.28'],
    [KubernetesVersion.V1_30, 'v1.30'], [KubernetesVersion.V1_36, 'v1.36'],
  ])('target %s: %s', (version, expected) => {
    const l = labels(version);
    for (const mode of ['enforce', 'audit', 'warn']) expect(l[`pod-security.kubernetes.io/${mode}-version`]).toBe(expected);
  });

  test('an explicit podSecurityVersion wins over the target', () => {
    expect(labels(KubernetesVersion.V1_36, 'v1.34')['pod-security.kubernetes.io/enforce-version']).toBe('v1.34');
  });
});

describe('AppArmor: the annotation up to 1.29, the appArmorProfile field from 1.30', () => {
  test('1.29 (last without the field): the per-container annotation, no field', () => {
    const m = find(hardenedDeployment(KubernetesVersion.V1_29), 'Deployment');
    expect(podTemplate(m).metadata.annotations[APPARMOR_ANNOTATION]).toBe('runtime/default');
    expect(podSpec(m).securityContext.appArmorProfile).toBeUndefined();
    expect(JSON.stringify(m)).not.toContain('appArmorProfile');
  });

  test('1.30 (first with the field): the pod field RuntimeDefault, no annotation', () => {
    const m = find(hardenedDeployment(KubernetesVersion.V1_30), 'Deployment');
    expect(podSpec(m).securityContext.appArmorProfile).toEqual({ type: 'RuntimeDefault' });
    expect(JSON.stringify(m)).not.toContain('container.apparmor.security.beta.kubernetes.io');
  });

  test('a localhost profile becomes type Localhost with localhostProfile', () => {
    const m = find(hardenedDeployment(KubernetesVersion.V1_30, HardeningProfile.restricted({ appArmorProfile: 'localhost/web-app' })), 'Deployment');
    expect(podSpec(m).securityContext.appArmorProfile).toEqual({ localhostProfile: 'web-app', type: 'Localhost' });
  });

  test('Relaxation.noAppArmor leaves both forms out', () => {
    const profile = HardeningProfile.restricted({ relaxations: [Relaxation.noAppArmor('nodes without AppArmor')] });
    for (const v of [KubernetesVersion.V1_29, KubernetesVersion.V1_30]) {
      const m = JSON.stringify(find(hardenedDeployment(v, profile), 'Deployment'));
      expect(m).not.toContain('appArmorProfile');
      expect(m).not.toContain('container.apparmor.security.beta.kubernetes.io');
    }
  });

  test.each([
    ['the pod', '/spec/template/spec/securityContext/appArmorProfile', /spec\.template\.spec\.securityContext\.appArmorProfile\.type: \[SL-PSS-6\] pod AppArmor profile type 'Unconfined' is not allowed/],
    ['a container', '/spec/template/spec/containers/0/securityContext/appArmorProfile', /spec\.template\.spec\.containers\[0\]\.securityContext\.appArmorProfile\.type: \[SL-PSS-6\] container 'app' AppArmor profile type 'Unconfined' is not allowed/],
  ])('1.30: Unconfined on %s is refused with the path', (_what, path, message) => {
    // a raw ApiObject: cdk8s-plus-27's typed serializer drops fields newer than 1.27
    const { chart } = targeted(KubernetesVersion.V1_30);
    const d = new ApiObject(chart, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { securityContext: {}, containers: [{ name: 'app', image: IMAGE, securityContext: {} }] } },
      },
    });
    d.addJsonPatch(JsonPatch.add(path, { type: 'Unconfined' }));
    Harden.workload(d);
    coverNetwork(chart, d);
    expect(errorOf(() => Testing.synth(chart))).toMatch(message);
  });

  test('the restricted pack passes the 1.30 form', () => {
    expect(RulePack.restricted().evaluate(hardenedDeployment(KubernetesVersion.V1_30)).findings.filter((f) => f.severity === 'error' || f.ruleId === 'SL-HARD-16')).toEqual([]);
  });
});

describe('the admission policy is on the API version the target serves', () => {
  function apiVersions(version: KubernetesVersion | undefined, apiVersion?: AdmissionPolicyVersion): string[] {
    const { chart } = targeted(version);
    new GuardrailAdmissionPolicy(chart, 'guardrails', { namespaces: ['apps'], apiVersion });
    return Testing.synth(chart).map((m) => m.apiVersion);
  }

  test.each([
    [undefined, 'admissionregistration.k8s.io/v1alpha1'],
    [KubernetesVersion.V1_27, 'admissionregistration.k8s.io/v1alpha1'],
    [KubernetesVersion.V1_28, 'admissionregistration.k8s.io/v1beta1'],
    [KubernetesVersion.V1_29, 'admissionregistration.k8s.io/v1beta1'],
    [KubernetesVersion.V1_30, 'admissionregistration.k8s.io/v1'],
    [KubernetesVersion.V1_36, 'admissionregistration.k8s.io/v1'],
  ])('target %s: %s for the policy and its binding', (version, expected) => {
    expect(apiVersions(version)).toEqual([expected, expected]);
  });

  test('an older API version the target still has may be asked for', () => {
    expect(apiVersions(KubernetesVersion.V1_30, AdmissionPolicyVersion.V1BETA1)).toEqual(['admissionregistration.k8s.io/v1beta1', 'admissionregistration.k8s.io/v1beta1']);
  });

  test.each([
    [KubernetesVersion.V1_29, AdmissionPolicyVersion.V1, /admissionregistration\.k8s\.io\/v1 does not exist in Kubernetes v1\.29 \(it is served from v1\.30\)\. Fix: remove apiVersion to use admissionregistration\.k8s\.io\/v1beta1, or target v1\.30/],
    [KubernetesVersion.V1_27, AdmissionPolicyVersion.V1BETA1, /v1beta1 does not exist in Kubernetes v1\.27 \(it is served from v1\.28\)/],
  ])('target %s refuses %s, naming the construct and the fix', (version, asked, message) => {
    const msg = errorOf(() => apiVersions(version, asked));
    expect(msg).toMatch(/^\[test\/guardrails\] apiVersion: /);
    expect(msg).toMatch(message);
  });
});

describe('user namespaces (hostUsers: false), opt-in from 1.33', () => {
  const profile = HardeningProfile.restricted({ userNamespaces: true });

  test('1.33 (first on by default): hostUsers false', () => {
    expect(podSpec(find(hardenedDeployment(KubernetesVersion.V1_33, profile), 'Deployment')).hostUsers).toBe(false);
  });

  test('1.32 (last without): refused with the fix', () => {
    expect(errorOf(() => hardenedDeployment(KubernetesVersion.V1_32, profile)))
      .toMatch(/spec\.template\.spec\.hostUsers: user namespaces are on by default only from Kubernetes v1\.33 \(the target is v1\.32\)\. Fix: target v1\.33 or later/);
  });

  test('off by default on every version', () => {
    for (const v of KubernetesVersion.all()) {
      expect(podSpec(find(hardenedDeployment(v), 'Deployment')).hostUsers).toBeUndefined();
    }
  });

  test('a pod that asks for the host user namespace is refused when the profile asks for its own', () => {
    const { chart } = targeted(KubernetesVersion.V1_36);
    const d = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
    Harden.workload(d, { profile });
    coverNetwork(chart, d);
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/hostUsers', true));
    expect(errorOf(() => Testing.synth(chart))).toMatch(/spec\.template\.spec\.hostUsers: the pod asks for the host user namespace/);
  });

  test('the restricted pack passes a user-namespaced pod', () => {
    expect(RulePack.restricted().evaluate(hardenedDeployment(KubernetesVersion.V1_36, profile)).errors).toEqual([]);
  });
});

describe('the judges of the target: a hardened namespace, workload and admission policy at 1.36', () => {
  function app136(profile?: HardeningProfile): any[] {
    const { chart } = targeted(KubernetesVersion.V1_36);
    new HardenedNamespace(chart, 'ns', { name: 'apps' });
    const d = new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
    Harden.workload(d, { profile, priorityClassName: 'standard' });
    new WorkloadNetworkPolicy(chart, 'web-policy', { workload: d, ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }] });
    new GuardrailAdmissionPolicy(chart, 'guardrails', { namespaces: ['apps'] });
    return Testing.synth(chart);
  }

  test('the 1.36 schema, Monokle and Polaris find nothing, with no exemption', async () => {
    await expectNoFindings(app136(HardeningProfile.restricted({ userNamespaces: true })), { kubernetesVersion: '1.36' });
  });

  test.each(KubernetesVersion.all().slice(1).map((v) => v.name))('the hardened workload of target %s is valid at 1.36', async (name) => {
    const version = KubernetesVersion.of(name);
    const manifests = hardenedDeployment(version, HardeningProfile.restricted({ userNamespaces: version.isAtLeast(KubernetesVersion.V1_33) }));
    expect((await judge(manifests, { kubernetesVersion: '1.36', judges: ['schema'] })).schema).toEqual([]);
  });

  test('the 1.27 schema rejects the same output: the target matters', async () => {
    const report = await judge(app136(), { kubernetesVersion: '1.27', judges: ['schema'] });
    expect(report.schema.map((f) => `${f.id} ${f.object.kind} ${f.path ?? ''}`.trim())).toEqual(expect.arrayContaining([
      'unknown-field Deployment spec.template.spec.securityContext.appArmorProfile',
      'unknown-kind ValidatingAdmissionPolicy kind',
    ]));
  });
});
