import { Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { evaluateCel } from './cel';
import { AGENT_IMAGE, AGENT_PROFILE, AGENT_REPO, hubGuardedWorkload, sidecarWorkload } from './latch-fixtures';
import { expectVapShape } from './vap-shape';
import { Harden, KubernetesTarget, KubernetesVersion, Latch, LatchCredentials, LatchMode, SeccompProfile } from '../../src';
import { AdmissionFailurePolicy, AdmissionPolicyVersion, AdmissionValidationAction, GuardrailAdmissionPolicy, GuardrailAdmissionPolicyProps } from '../../src/guardrails';
import { expectNoFindings } from '../judges';
import { coverNetwork, errorOf, find, goodContainer, newChart, podSpec, podTemplate } from '../util';

jest.setTimeout(60_000);

const NAMES = [
  'latch-guarded-pods-declare-status-volume',
  'latch-status-volume-single-writer',
  'latch-status-volume-source',
  'latch-metadata-unchanged',
  'latch-status-writer-image',
  'drop-all-capabilities',
  'seccomp-runtime-default',
  'read-only-root-filesystem',
  'image-digest',
];

const REPORT_ONLY = [AdmissionValidationAction.WARN, AdmissionValidationAction.AUDIT];

/** The policy's manifests in a chart of the Kubernetes version that serves `props.apiVersion` (1.27 without). */
function policyManifests(props: Partial<GuardrailAdmissionPolicyProps> = {}) {
  const { chart } = newChart('apps');
  const servedFrom = { [AdmissionPolicyVersion.V1]: KubernetesVersion.V1_30, [AdmissionPolicyVersion.V1BETA1]: KubernetesVersion.V1_28 };
  const target = props.apiVersion && (servedFrom as any)[props.apiVersion];
  if (target) KubernetesTarget.set(chart, target);
  new GuardrailAdmissionPolicy(chart, 'guardrails', { namespaces: ['apps'], ...props });
  return Testing.synth(chart);
}

/** GIVEN the latch workloads of both modes and every other workload kind, hardened; and the policy */
function compliantSet() {
  const { chart } = newChart('apps');
  sidecarWorkload(chart);
  hubGuardedWorkload(chart);
  // the hub latch whose ConfigMap (payments-latch-status) the hand-written hub pod reads: its
  // master is the hub agent Deployment, with a Localhost seccomp profile
  new Latch(chart, 'payments', {
    mode: LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }),
    credentials: LatchCredentials.fromSecret('payments-latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    image: AGENT_IMAGE,
    agentSeccompProfile: SeccompProfile.localhost(AGENT_PROFILE),
  });
  const batch = { ...goodContainer(), liveness: undefined, readiness: undefined };
  for (const w of [
    new kplus.StatefulSet(chart, 'sts', {
      metadata: { name: 'sts' },
      containers: [goodContainer()],
      service: new kplus.Service(chart, 'sts-svc', { metadata: { name: 'sts' }, ports: [{ port: 8080 }], clusterIP: 'None' }),
    }),
    new kplus.DaemonSet(chart, 'ds', { metadata: { name: 'ds' }, containers: [goodContainer()] }),
    new kplus.Job(chart, 'job', { metadata: { name: 'job' }, containers: [batch] }),
    new kplus.CronJob(chart, 'cron', { metadata: { name: 'cron' }, containers: [batch], schedule: Cron.daily() }),
    new kplus.Pod(chart, 'pod', { metadata: { name: 'pod' }, containers: [goodContainer()] }),
  ]) {
    Harden.workload(w);
    coverNetwork(chart, w);
  }
  new GuardrailAdmissionPolicy(chart, 'guardrails', {
    namespaces: ['apps'],
    allowedLocalhostProfiles: [AGENT_PROFILE],
    statusWriterImages: [AGENT_REPO],
  });
  return Testing.synth(chart);
}

const manifests = compliantSet();
const policy = find(manifests, 'ValidatingAdmissionPolicy', 'superlatch-guardrails');
const workloads = manifests.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind));

function expressionOf(name: string, validations: any[] = policy.spec.validations): string {
  const found = validations.filter((v: any) => v.message.startsWith(`${name}:`));
  if (found.length !== 1) throw new Error(`expected one validation named ${name}, found ${found.length}`);
  return found[0].expression;
}

/** Evaluates each named validation on each object; returns `name object -> value or error`. */
function evaluate(names: string[], objects: any[], validations: any[] = policy.spec.validations): Record<string, unknown> {
  const cases = names.flatMap((name) => objects.map((object) => ({ name, object })));
  const results = evaluateCel(cases.map(({ name, object }) => ({ expression: expressionOf(name, validations), context: { object } })));
  return Object.fromEntries(cases.map(({ name, object }, i) => {
    const r = results[i];
    return [`${name} ${object.kind}/${object.metadata.name}`, 'error' in r ? `error: ${r.error}` : r.value];
  }));
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const sidecar = () => clone(find(manifests, 'Deployment', 'shop'));
const hub = () => clone(find(manifests, 'Deployment', 'ledger'));
const container = (m: any, name: string) => podSpec(m).containers.find((c: any) => c.name === name);

describe('the policy object', () => {
  test('matches the snapshot', () => {
    expect(policyManifests()).toMatchSnapshot();
  });

  test('has the nine validations, each with a message naming it and reason Forbidden, in a stable order', () => {
    expect(policy.spec.validations.map((v: any) => v.message.split(':')[0])).toEqual(NAMES);
    for (const v of policy.spec.validations) expect(v.reason).toBe('Forbidden');
  });

  test('without statusWriterImages there is no writer-image validation', () => {
    const p = find(policyManifests(), 'ValidatingAdmissionPolicy');
    expect(p.spec.validations.map((v: any) => v.message.split(':')[0])).toEqual(NAMES.filter((n) => n !== 'latch-status-writer-image'));
  });

  test('matches CREATE and UPDATE of pods, ephemeral containers and every workload kind with a pod template', () => {
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers', 'podtemplates', 'replicationcontrollers'] },
      { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
      { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['cronjobs', 'jobs'] },
    ]);
    expect(policy.spec.failurePolicy).toBe('Fail');
  });

  test('the binding denies, in the listed namespaces only (by their immutable name label)', () => {
    const binding = find(policyManifests({ namespaces: ['b', 'a', 'b'] }), 'ValidatingAdmissionPolicyBinding', 'superlatch-guardrails-binding');
    expect(binding.spec).toEqual({
      policyName: 'superlatch-guardrails',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }] } },
    });
  });

  test('both objects are cluster-scoped: no namespace, although the chart has one', () => {
    for (const m of policyManifests()) expect(m.metadata.namespace).toBeUndefined();
  });

  test('the target\'s API version by default (v1alpha1 for the default target, 1.27); each version on request where the target has it', () => {
    expect(policyManifests().map((m) => m.apiVersion)).toEqual(['admissionregistration.k8s.io/v1alpha1', 'admissionregistration.k8s.io/v1alpha1']);
    for (const v of [AdmissionPolicyVersion.V1ALPHA1, AdmissionPolicyVersion.V1BETA1, AdmissionPolicyVersion.V1]) {
      expect(policyManifests({ apiVersion: v }).map((m) => m.apiVersion)).toEqual([v, v]);
    }
  });

  test.each([AdmissionPolicyVersion.V1, AdmissionPolicyVersion.V1BETA1, AdmissionPolicyVersion.V1ALPHA1])('%s objects have the shape of that API version', (v) => {
    const out = policyManifests({ apiVersion: v, validationActions: REPORT_ONLY, failurePolicy: AdmissionFailurePolicy.IGNORE });
    for (const m of out) expectVapShape(m);
  });

  test('warn-and-audit mode and fail-open are explicit options', () => {
    const out = policyManifests({ validationActions: REPORT_ONLY, failurePolicy: AdmissionFailurePolicy.IGNORE });
    expect(find(out, 'ValidatingAdmissionPolicyBinding').spec.validationActions).toEqual(['Audit', 'Warn']);
    expect(find(out, 'ValidatingAdmissionPolicy').spec.failurePolicy).toBe('Ignore');
  });

  test('the schema judge knows neither VAP version at 1.27 (v1 is GA since 1.30, v1alpha1 is an alpha API it does not model): exempted, shape checked above', async () => {
    await expectNoFindings(policyManifests({ apiVersion: AdmissionPolicyVersion.V1 }), {
      exemptions: [{ judge: 'schema', id: 'unknown-kind', reason: 'ValidatingAdmissionPolicy v1 is GA since Kubernetes 1.30; the 1.27 judge has no model; shape checked by expectVapShape' }],
    });
    await expectNoFindings(policyManifests(), {
      exemptions: [{ judge: 'schema', id: 'not-validated', reason: 'the 1.27 alpha API is not modelled by kubernetes-models; shape checked by expectVapShape' }],
    });
  });
});

describe('CEL: every expression holds on our compliant manifests', () => {
  test('latch workloads of both modes and every workload kind: all true, no evaluation error', () => {
    const results = evaluate(NAMES, workloads);
    expect(Object.keys(results)).toHaveLength(NAMES.length * 8);
    for (const [key, value] of Object.entries(results)) expect([key, value]).toEqual([key, true]);
  });

  test('the pods the controllers will create (the templates as Pods) pass too', () => {
    const pods = workloads.filter((m) => m.kind !== 'Pod').map((m) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { ...podTemplate(m).metadata, name: `${m.metadata.name}-pod`, namespace: m.metadata.namespace }, spec: podSpec(m),
    }));
    for (const [key, value] of Object.entries(evaluate(NAMES, pods))) expect([key, value]).toEqual([key, true]);
  });

  test('a compliant debug container added through pods/ephemeralcontainers passes', () => {
    const pod = clone(find(manifests, 'Pod', 'pod'));
    pod.spec.ephemeralContainers = [{ name: 'debug', image: AGENT_IMAGE, securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }];
    for (const [key, value] of Object.entries(evaluate(NAMES, [pod]))) expect([key, value]).toEqual([key, true]);
  });
});

describe('CEL: each expression is false on a hand-made violation of its invariant', () => {
  /** [invariant, what is wrong, the violation, other invariants the same change also breaks] */
  const violations: Array<[string, string, (m: any) => any, string[]?]> = [
    ['latch-guarded-pods-declare-status-volume', 'guarded pod without the status-volume annotation', (m) => {
      delete podTemplate(m).metadata.annotations['superlatch.io/status-volume'];
      return m;
    }],
    ['latch-guarded-pods-declare-status-volume', 'guarded pod with an unknown mode', (m) => {
      podTemplate(m).metadata.annotations['superlatch.io/mode'] = 'standalone';
      return m;
    }],
    ['latch-status-volume-single-writer', 'the app mounts the status volume without readOnly', (m) => {
      delete container(m, 'app').volumeMounts.find((v: any) => v.name === 'latch-status').readOnly;
      return m;
    }],
    ['latch-status-volume-single-writer', 'the gate mounts it with readOnly: false', (m) => {
      container(m, 'latch-gate').volumeMounts[0].readOnly = false;
      return m;
    }],
    ['latch-status-volume-single-writer', 'an init container mounts it read-write', (m) => {
      podSpec(m).initContainers = [{
        name: 'seed',
        image: AGENT_IMAGE,
        securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'latch-status', mountPath: '/x' }],
      }];
      return m;
    }],
    ['latch-status-volume-single-writer', 'a sub-path mount read-write', (m) => {
      container(m, 'app').volumeMounts.push({ name: 'latch-status', mountPath: '/data/latch-info.json', subPath: 'latch-info.json' });
      return m;
    }],
    ['latch-status-volume-single-writer', 'a hub-mode pod that names a writer and mounts the volume read-write', () => {
      const h = hub();
      podTemplate(h).metadata.annotations['superlatch.io/status-writer'] = 'app';
      container(h, 'app').volumeMounts.find((v: any) => v.name === 'latch-status').readOnly = false;
      return h;
    }],
    ['latch-status-writer-image', 'the gate runs another image', (m) => {
      container(m, 'latch-gate').image = 'registry.example.com/app@sha256:' + 'ab'.repeat(32);
      return m;
    }],
    ['latch-status-writer-image', 'the agent image swapped for a look-alike repository', (m) => {
      container(m, 'latch-agent').image = `${AGENT_REPO}-evil:1.0.0@sha256:${'cd'.repeat(32)}`;
      return m;
    }],
    ['drop-all-capabilities', 'a container drops only NET_RAW', (m) => {
      container(m, 'app').securityContext.capabilities.drop = ['NET_RAW'];
      return m;
    }],
    ['drop-all-capabilities', 'a container adds SYS_ADMIN', (m) => {
      container(m, 'app').securityContext.capabilities.add = ['SYS_ADMIN'];
      return m;
    }],
    ['drop-all-capabilities', 'a container without capabilities', (m) => {
      delete container(m, 'latch-gate').securityContext.capabilities;
      return m;
    }],
    ['seccomp-runtime-default', 'a container runs Unconfined', (m) => {
      container(m, 'app').securityContext.seccompProfile = { type: 'Unconfined' };
      return m;
    }],
    ['seccomp-runtime-default', 'no profile on the container and none on the pod', (m) => {
      delete container(m, 'app').securityContext.seccompProfile;
      delete podSpec(m).securityContext.seccompProfile;
      return m;
    }],
    ['seccomp-runtime-default', 'a Localhost profile that is not allowed', (m) => {
      container(m, 'app').securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'operator/anything-goes.json' };
      return m;
    }],
    ['read-only-root-filesystem', 'readOnlyRootFilesystem: false', (m) => {
      container(m, 'latch-agent').securityContext.readOnlyRootFilesystem = false;
      return m;
    }],
    ['read-only-root-filesystem', 'readOnlyRootFilesystem not set', (m) => {
      delete container(m, 'app').securityContext.readOnlyRootFilesystem;
      return m;
    }],
    ['image-digest', 'a tag-only image', (m) => {
      container(m, 'app').image = 'registry.example.com/app:1.0';
      return m;
    }],
    ['image-digest', 'a digest that is too short', (m) => {
      container(m, 'app').image = 'registry.example.com/app@sha256:abc';
      return m;
    }],
  ];

  test.each(violations)('%s: %s', (name, _what, mutate, alsoFalse = []) => {
    const bad = mutate(sidecar());
    const results = Object.values(evaluate(NAMES, [bad]));
    // false exactly for this invariant (and those the same change breaks), true for the others
    expect(results).toEqual(NAMES.map((n) => n !== name && !alsoFalse.includes(n)));
  });

  test('a debug container added through pods/ephemeralcontainers is checked like any other', () => {
    const pod = clone(find(manifests, 'Pod', 'pod'));
    pod.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: {} }];
    const r = evaluate(['drop-all-capabilities', 'read-only-root-filesystem', 'image-digest', 'seccomp-runtime-default'], [pod]);
    expect(r).toEqual({
      'drop-all-capabilities Pod/pod': false,
      'read-only-root-filesystem Pod/pod': false,
      'image-digest Pod/pod': false,
      // the pod-level RuntimeDefault profile applies to the debug container
      'seccomp-runtime-default Pod/pod': true,
    });
  });

  test('a CronJob template with a violation is caught before any Job exists', () => {
    const cron = clone(find(manifests, 'CronJob', 'cron'));
    podSpec(cron).containers[0].image = 'registry.example.com/app:1.0';
    expect(evaluate(['image-digest'], [cron])).toEqual({ 'image-digest CronJob/cron': false });
  });
});

describe('options change the expressions', () => {
  test('an allowed capability may be added; others still may not', () => {
    const validations = find(policyManifests({ allowedCapabilities: ['NET_BIND_SERVICE'] }), 'ValidatingAdmissionPolicy').spec.validations;
    const ok = sidecar();
    container(ok, 'app').securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    const bad = sidecar();
    container(bad, 'app').securityContext.capabilities.add = ['NET_BIND_SERVICE', 'NET_ADMIN'];
    bad.metadata.name = 'bad';
    expect(evaluate(['drop-all-capabilities'], [ok, bad], validations)).toEqual({
      'drop-all-capabilities Deployment/shop': true,
      'drop-all-capabilities Deployment/bad': false,
    });
  });

  test('without allowedLocalhostProfiles, the agent Localhost profile is refused', () => {
    const validations = find(policyManifests(), 'ValidatingAdmissionPolicy').spec.validations;
    const agentDeployment = find(manifests, 'Deployment', 'payments-latch-agent');
    expect(evaluate(['seccomp-runtime-default'], [agentDeployment], validations)).toEqual({ 'seccomp-runtime-default Deployment/payments-latch-agent': false });
  });

  test('workloadTemplates: false checks Pods only (and matches only pods)', () => {
    const out = policyManifests({ workloadTemplates: false });
    const p = find(out, 'ValidatingAdmissionPolicy');
    expect(p.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }]);
    const bad = clone(find(manifests, 'Pod', 'pod'));
    bad.spec.containers[0].image = 'registry.example.com/app:1.0';
    expect(evaluate(['image-digest'], [find(manifests, 'Pod', 'pod'), bad], p.spec.validations)).toEqual({ 'image-digest Pod/pod': false });
  });
});

describe('bad input fails with the construct path, the field and the fix', () => {
  test.each<[Partial<GuardrailAdmissionPolicyProps>, string]>([
    [{ namespaces: [] }, '[test/guardrails]: namespaces is empty, so the policy would apply nowhere. Fix: list the namespaces to guard'],
    [{ namespaces: ['Apps'] }, "[test/guardrails]: namespaces 'Apps' is not a valid DNS label"],
    [{ validationActions: [AdmissionValidationAction.DENY, AdmissionValidationAction.WARN] }, '[test/guardrails]: validationActions cannot combine Deny and Warn'],
    [{ validationActions: [] }, '[test/guardrails]: validationActions is empty'],
    [{ allowedLocalhostProfiles: ['/var/lib/kubelet/seccomp/x.json'] }, "[test/guardrails]: allowedLocalhostProfiles '/var/lib/kubelet/seccomp/x.json' is not a path relative to the kubelet seccomp directory"],
    [{ allowedCapabilities: ['cap_net_admin'] }, "[test/guardrails]: allowedCapabilities 'cap_net_admin' is not a capability name"],
    [{ statusWriterImages: [`${AGENT_REPO}:1.0.0`] }, `[test/guardrails]: statusWriterImages '${AGENT_REPO}:1.0.0' is not an image repository`],
    [{ name: 'Guardrails' }, "[test/guardrails]: name 'Guardrails-binding' is not a valid DNS label"],
  ])('%j', (props, message) => {
    expect(errorOf(() => policyManifests(props))).toContain(message);
  });

  test('a registry with a port is a valid repository', () => {
    expect(() => policyManifests({ statusWriterImages: ['registry.example.com:5000/team/agent'] })).not.toThrow();
  });
});
