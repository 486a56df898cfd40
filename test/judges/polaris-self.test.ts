/**
 * Proves the Polaris judge right: every check runs over Polaris's own test objects
 * (tests/<id>/success*.yaml must pass, failure*.yaml must fail), and the four hand-written templated
 * checks, which have no upstream test objects, run over objects written here from their YAML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { polarisChecks, POLARIS_CHECKS_DIR, runPolarisJudge } from './polaris-judge';
import { Manifest } from './types';

function loadYaml(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is Manifest => typeof value === 'object' && value !== null);
}

const checks = polarisChecks();
const cases = checks.flatMap((check) => check.tests.map((file) => ({
  id: check.id,
  name: path.relative(POLARIS_CHECKS_DIR, file),
  file,
  expectPass: path.basename(file).startsWith('success'),
})));

test('every check of index.json is loaded, and every plain check has upstream test objects', () => {
  const index = JSON.parse(fs.readFileSync(path.join(POLARIS_CHECKS_DIR, 'index.json'), 'utf8')) as { checks: Array<{ id: string }> };
  expect(checks.map((c) => c.id)).toEqual(index.checks.map((c) => c.id));
  expect(checks).toHaveLength(35);
  for (const check of checks.filter((c) => !c.templated)) {
    expect(check.tests.length).toBeGreaterThan(0);
  }
  expect(checks.filter((c) => c.templated).map((c) => c.id).sort())
    .toEqual(['automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy', 'missingPodDisruptionBudget']);
  expect(cases).toHaveLength(140);
});

test.each(cases)('$name', ({ id, file, expectPass }) => {
  const findings = runPolarisJudge(loadYaml(file), { only: [id] });
  if (expectPass) {
    expect(findings).toEqual([]);
  } else {
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.id === id)).toBe(true);
  }
});

// --- the templated checks -------------------------------------------------------------------------

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' }, ...metadata },
    spec: { containers: [{ name: 'app', image: 'r/app:1' }], ...spec },
  };
}

function container(securityContext: Record<string, unknown>): Record<string, unknown> {
  return { containers: [{ name: 'app', image: 'r/app:1', securityContext }] };
}

function failing(objects: Manifest[], id: string): string[] {
  return runPolarisJudge(objects, { only: [id] }).map((f) => `${f.object.kind}/${f.object.name}${f.container ? `:${f.container}` : ''}`);
}

describe('linuxHardening (templated)', () => {
  const id = 'linuxHardening';
  test.each([
    ['nothing set', pod({}), false],
    ['pod seccomp RuntimeDefault', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), true],
    ['pod seccomp Unconfined', pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), false],
    ['pod seccomp RuntimeDefault, container Unconfined', pod({
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      ...container({ seccompProfile: { type: 'Unconfined' } }),
    }), false],
    ['container seccomp Localhost', pod(container({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } })), true],
    ['pod seLinuxOptions', pod({ securityContext: { seLinuxOptions: { level: 's0:c1' } } }), true],
    ['pod seLinuxOptions empty', pod({ securityContext: { seLinuxOptions: {} } }), false],
    ['container seLinuxOptions', pod(container({ seLinuxOptions: { type: 'container_t' } })), true],
    ['container drops a capability', pod(container({ capabilities: { drop: ['NET_RAW'] } })), true],
    ['container drops nothing', pod(container({ capabilities: { drop: [] } })), false],
    ['container drops but adds ALL', pod(container({ capabilities: { drop: ['ALL'], add: ['all'] } })), false],
    ['AppArmor annotation for the container', pod({}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' } }), true],
    ['AppArmor annotation for another container', pod({}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/other': 'runtime/default' } }), false],
  ])('%s', (_name, object, passes) => {
    expect(failing([object], id)).toEqual(passes ? [] : ['Pod/p:app']);
  });

  test('init containers are judged too', () => {
    const object = pod({
      securityContext: {},
      initContainers: [{ name: 'init', image: 'r/init:1' }],
      containers: [{ name: 'app', image: 'r/app:1', securityContext: { capabilities: { drop: ['ALL'] } } }],
    });
    expect(failing([object], id)).toEqual(['Pod/p:init']);
  });
});

describe('automountServiceAccountToken (templated)', () => {
  const id = 'automountServiceAccountToken';
  const sa = (name: string, automount?: boolean, namespace = 'ns'): Manifest => ({
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  });
  test.each([
    ['pod turns the token off', [pod({ automountServiceAccountToken: false })], true],
    ['pod turns the token on', [pod({ automountServiceAccountToken: true, serviceAccountName: 'sa' }), sa('sa', false)], false],
    ['default service account, nothing set', [pod({})], false],
    ['dedicated service account with the token off', [pod({ serviceAccountName: 'sa' }), sa('sa', false)], true],
    ['dedicated service account, token not set', [pod({ serviceAccountName: 'sa' }), sa('sa')], false],
    ['service account of that name in another namespace', [pod({ serviceAccountName: 'sa' }), sa('sa', false, 'other')], false],
    ['another service account with the token off', [pod({ serviceAccountName: 'sa' }), sa('other', false)], false],
  ])('%s', (_name, objects, passes) => {
    expect(failing(objects as Manifest[], id)).toEqual(passes ? [] : ['Pod/p']);
  });
});

describe('missingNetworkPolicy (templated)', () => {
  const id = 'missingNetworkPolicy';
  const np = (matchLabels: Record<string, string>, extra: Record<string, unknown> = {}, namespace = 'ns'): Manifest => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace },
    spec: {
      podSelector: { matchLabels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
      ...extra,
    },
  });
  const labelled = pod({}, { labels: { app: 'web', tier: 'front', v: 'true' } });
  test.each([
    ['matching policy with ingress and egress', [labelled, np({ app: 'web' })], true],
    ['no policy', [labelled], false],
    ['pod without labels', [pod({}, { labels: {} }), np({ app: 'web' })], false],
    ['policy in another namespace', [labelled, np({ app: 'web' }, {}, 'other')], false],
    ['policy selects another value', [labelled, np({ app: 'api' })], false],
    ['oneOf: policy matches two of the pod labels', [labelled, np({ app: 'web', tier: 'front' })], false],
    ['one matched label plus one the pod lacks', [labelled, np({ app: 'web', other: 'x' })], true],
    ['label value rendered as a YAML bool never matches', [labelled, np({ v: 'true' })], false],
    ['no egress rules', [labelled, np({ app: 'web' }, { egress: [] })], false],
    ['no ingress rules', [labelled, np({ app: 'web' }, { ingress: undefined })], false],
    ['policyTypes without Egress', [labelled, np({ app: 'web' }, { policyTypes: ['Ingress'] })], false],
    ['policyTypes absent', [labelled, np({ app: 'web' }, { policyTypes: undefined })], true],
    ['matchExpressions only', [labelled, np({}, { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } })], false],
    ['one bad and one good policy', [labelled, np({ app: 'api' }), { ...np({ tier: 'front' }), metadata: { name: 'np2', namespace: 'ns' } }], true],
  ])('%s', (_name, objects, passes) => {
    expect(failing(JSON.parse(JSON.stringify(objects)) as Manifest[], id)).toEqual(passes ? [] : ['Pod/p']);
  });
});

describe('missingPodDisruptionBudget (templated)', () => {
  const id = 'missingPodDisruptionBudget';
  const deployment = (labels: Record<string, string>): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns' },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'r/app:1' }] } },
    },
  });
  const pdb = (matchLabels: Record<string, string>, namespace = 'ns'): Manifest => ({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', namespace }, spec: { maxUnavailable: 1, selector: { matchLabels } },
  });
  test.each([
    ['matching budget', [deployment({ app: 'web', tier: 'front' }), pdb({ app: 'web', tier: 'front' })], true],
    ['budget matching one label (anyOf)', [deployment({ app: 'web', tier: 'front' }), pdb({ app: 'web' })], true],
    ['no budget', [deployment({ app: 'web' })], false],
    ['budget for other pods', [deployment({ app: 'web' }), pdb({ app: 'api' })], false],
    ['budget in another namespace', [deployment({ app: 'web' }), pdb({ app: 'web' }, 'other')], false],
    ['pod template without labels', [deployment({}), pdb({ app: 'web' })], false],
  ])('%s', (_name, objects, passes) => {
    expect(failing(objects as Manifest[], id)).toEqual(passes ? [] : ['Deployment/d']);
  });

  test('only Deployments are judged', () => {
    const statefulSet = { ...deployment({ app: 'web' }), kind: 'StatefulSet' };
    expect(failing([statefulSet], id)).toEqual([]);
  });
});
