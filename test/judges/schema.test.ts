/**
 * The schema judge (kubernetes-models 4.4.2, Kubernetes 1.27) and its unknown-field check, plus the
 * judges on what plain cdk8s-plus-27 renders (`Testing.synth`).
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { judge, validatedKinds } from './index';
import { runSchemaJudge, typedViews } from './schema-judge';
import { Manifest } from './types';

// A judge() call runs Monokle in a child process (about 0.5 s, more on a busy CI machine).
jest.setTimeout(60_000);

function schemaFindings(objects: Manifest[]): Array<[string, string | undefined]> {
  return runSchemaJudge(objects).findings.map((f) => [f.id, f.path]);
}

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Manifest => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec,
});

test('the 1.27 kinds are validated: core, apps, batch, networking, rbac, policy, admissionregistration, scheduling, ...', () => {
  expect(validatedKinds()).toEqual(expect.arrayContaining([
    'v1/Pod', 'v1/Service', 'v1/ServiceAccount', 'v1/ConfigMap', 'v1/Namespace', 'v1/Secret',
    'apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet',
    'batch/v1/Job', 'batch/v1/CronJob',
    'networking.k8s.io/v1/NetworkPolicy', 'networking.k8s.io/v1/Ingress',
    'rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    'policy/v1/PodDisruptionBudget',
    'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
    'scheduling.k8s.io/v1/PriorityClass',
    'autoscaling/v2/HorizontalPodAutoscaler',
    'apiextensions.k8s.io/v1/CustomResourceDefinition',
  ]));
  expect(validatedKinds()).not.toContain('policy/v1beta1/PodDisruptionBudget');
  expect(validatedKinds()).not.toContain('batch/v1beta1/CronJob');
});

test('a valid pod has no finding', () => {
  expect(schemaFindings([pod({ containers: [{ name: 'c', image: 'i:1' }] })])).toEqual([]);
});

test('type, enum, required and format errors carry the JSON path', () => {
  expect(schemaFindings([pod({
    containers: [{ name: 'c', image: 'i:1', imagePullPolicy: 'Sometimes', securityContext: { runAsUser: 'root' } }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 1.5,
  })])).toEqual([
    ['enum', 'spec.containers[0].imagePullPolicy'],
    ['type', 'spec.containers[0].securityContext.runAsUser'],
    ['type', 'spec.terminationGracePeriodSeconds'],
    ['format', 'spec.terminationGracePeriodSeconds'],
  ]);
  expect(schemaFindings([pod({})])).toEqual([['required', 'spec']]);
});

test('unknown fields are reported at every depth, including CronJob templates and quoted keys', () => {
  const cronJob: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', labelz: { a: 'b' } },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              'restartPolicy': 'Never',
              'containers': [{ name: 'c', image: 'i:1', resources: { limits: { cpu: '1' } }, securityContext: { readOnlyRootFileSystem: true } }],
              'host.network': true,
            },
          },
        },
      },
    },
  };
  expect(schemaFindings([cronJob])).toEqual([
    ['unknown-field', 'metadata.labelz'],
    ['unknown-field', 'spec.jobTemplate.spec.template.spec["host.network"]'],
    ['unknown-field', 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem'],
  ]);
});

test('maps and free-form fields are not unknown fields', () => {
  const crd: Manifest = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'latches.superlatch.io', annotations: { 'any.key/at-all': 'x' }, labels: { 'app.kubernetes.io/name': 'x' } },
    spec: {
      group: 'superlatch.io',
      names: { kind: 'Latch', plural: 'latches' },
      scope: 'Namespaced',
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            'type': 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            'description': 'A latch.',
            'properties': {
              spec: { 'type': 'object', 'description': 'Spec.', 'default': { anything: { goes: 1 } }, 'x-kubernetes-validations': [{ rule: 'true' }] },
              ['latch.io/x']: { type: 'string', description: 'Quoted key.' },
            },
          },
        },
        additionalPrinterColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' }],
      }],
    },
  };
  const revision: Manifest = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { whatever: { nested: true } },
  };
  const priorityClass: Manifest = {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'shop-web' }, value: 1000, description: 'Shop web tier.',
  };
  expect(schemaFindings([crd, revision, priorityClass])).toEqual([]);
  // ... but a description where the 1.27 schema has none is still unknown.
  expect(schemaFindings([pod({ containers: [{ name: 'c', image: 'i:1', description: 'x' }] })]))
    .toEqual([['unknown-field', 'spec.containers[0].description']]);
});

test('removed APIs, unknown kinds of 1.27 groups, missing type meta and custom resources', () => {
  const result = runSchemaJudge([
    { apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'old' } },
    { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'typo' } },
    { kind: 'Pod', metadata: { name: 'no-version' } },
    { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'p' } },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } },
  ]);
  expect(result.findings.map((f) => [f.id, f.object.name])).toEqual([
    ['removed-api', 'old'],
    ['unknown-kind', 'typo'],
    ['missing-type-meta', 'no-version'],
  ]);
  expect(result.notValidated).toEqual([
    { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', name: 'p' },
    { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: 'ns' },
  ]);
});

test('typedViews drops nulls and unknown fields (as Go typed decoding does) without touching its input', () => {
  const input = pod({
    securityContext: { privileged: true, runAsNonRoot: true },
    containers: [{ name: 'c', image: 'i:1', securityContext: { capabilities: { add: null } }, resources: { limits: { cpu: 1 } } }],
  });
  const before = JSON.stringify(input);
  expect(typedViews([input])[0].spec).toEqual({
    securityContext: { runAsNonRoot: true },
    containers: [{ name: 'c', image: 'i:1', securityContext: { capabilities: {} }, resources: { limits: { cpu: '1' } } }],
  });
  expect(JSON.stringify(input)).toBe(before);
});

test('plain cdk8s-plus-27 defaults: schema-valid, and what the other judges still ask for', async () => {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.25', portNumber: 8080 }] }).exposeViaService();
  const report = await judge(Testing.synth(chart));
  expect(report.schema).toEqual([]);
  expect(report.notValidated).toEqual([]);
  expect([...new Set(report.monokle.map((f) => f.id))].sort()).toEqual(['KBP103', 'KBP104', 'KBP105', 'PSS205', 'PSS206']);
  expect([...new Set(report.polaris.map((f) => f.id))].sort()).toEqual([
    'insecureCapabilities', 'linuxHardening', 'livenessProbeMissing', 'missingNetworkPolicy', 'missingPodDisruptionBudget',
    'priorityClassNotSet', 'readinessProbeMissing', 'topologySpreadConstraint',
  ]);
});

describe('the 1.36 schema (kubernetes-models 5.1.0, generated from Kubernetes v1.36.0)', () => {
  const at = (objects: Manifest[], version: '1.27' | '1.36') => runSchemaJudge(objects, version).findings.map((f) => [f.id, f.path]);
  const sidecarPod = pod({
    securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'agent', image: 'i:1', restartPolicy: 'Always', startupProbe: { exec: { command: ['ready'] } } }],
    containers: [{ name: 'c', image: 'i:1', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }],
    hostUsers: false,
  });

  test('fields newer than 1.27 are known at 1.36 and unknown at 1.27', () => {
    expect(at([sidecarPod], '1.36')).toEqual([]);
    expect(at([sidecarPod], '1.27').sort()).toEqual([
      ['unknown-field', 'spec.containers[0].securityContext.appArmorProfile'],
      ['unknown-field', 'spec.initContainers[0].restartPolicy'],
      ['unknown-field', 'spec.securityContext.appArmorProfile'],
    ]);
  });

  test('errors and unknown fields are found at 1.36 too', () => {
    const bad = pod({ containers: [{ name: 'c', image: 'i:1', restartPolicy: 7, bogus: true }] });
    expect(at([bad], '1.36')).toEqual(expect.arrayContaining([['type', 'spec.containers[0].restartPolicy'], ['unknown-field', 'spec.containers[0].bogus']]));
  });

  test('ValidatingAdmissionPolicy v1 is a 1.36 kind; the 1.27 judge has no such kind', () => {
    const vap = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: { validations: [{ expression: 'true' }] } };
    expect(at([vap], '1.36')).toEqual([]);
    expect(at([vap], '1.27')).toEqual([['unknown-kind', 'kind']]);
  });

  test('APIs removed before 1.36 are reported as removed', () => {
    const flow = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'f' }, spec: {} };
    expect(at([flow], '1.36')).toEqual([['removed-api', 'apiVersion']]);
    expect(runSchemaJudge([flow], '1.36').findings[0].message).toBe('flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is not served by Kubernetes 1.36 (removed in 1.32)');
  });

  test('custom resources are not validated at 1.36 either', () => {
    expect(runSchemaJudge([{ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'k' } }], '1.36').notValidated).toHaveLength(1);
  });

  test('the typed view Polaris sees at 1.36 keeps the 1.36 fields', () => {
    expect(typedViews([sidecarPod], '1.36')[0].spec.initContainers[0].restartPolicy).toBe('Always');
    expect(typedViews([sidecarPod], '1.27')[0].spec.initContainers[0].restartPolicy).toBeUndefined();
  });
});
