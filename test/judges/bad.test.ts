/**
 * A deliberately bad set of manifests gets findings from each judge, with the expected rule ids.
 */
import { badManifests } from './fixtures/bad';
import { expectNoFindings, judge } from './index';
import { JudgeReport } from './types';

// A judge() call runs Monokle in a child process (about 0.5 s, more on a busy CI machine).
jest.setTimeout(60_000);

let report: JudgeReport;

beforeAll(async () => {
  report = await judge(badManifests());
});

function ids(findings: JudgeReport['schema'], objectName?: string): string[] {
  const unique = new Set(findings.filter((f) => objectName === undefined || f.object.name === objectName).map((f) => f.id));
  return [...unique].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

test('schema: wrong type, unknown fields with their paths, removed API, custom resource not validated', () => {
  expect(report.schema.map((f) => [f.id, f.object.kind, f.path])).toEqual([
    ['type', 'Deployment', 'spec.replicas'],
    ['unknown-field', 'Deployment', 'spec.template.spec.containers[0].securityContext.runAsNonRot'],
    ['unknown-field', 'Service', 'spec.ports[0].targetPortt'],
    ['removed-api', 'PodDisruptionBudget', 'apiVersion'],
  ]);
  expect(report.schema[0].message).toBe('spec.replicas: must be integer');
  expect(report.notValidated).toEqual(['kyverno.io/v1 ClusterPolicy require-digest']);
});

test('monokle: Pod Security Standards baseline and restricted rules', () => {
  expect(ids(report.monokle.filter((f) => f.id.startsWith('PSS')))).toEqual([
    'PSS102', // hostNetwork, hostPID
    'PSS103', // privileged
    'PSS104', // capabilities beyond the baseline set
    'PSS105', // hostPath
    'PSS106', // hostPort
    'PSS201', // volume type
    'PSS202', // allowPrivilegeEscalation
    'PSS203', // runAsNonRoot
    'PSS204', // runAsUser 0
    'PSS205', // seccomp
    'PSS206', // capabilities (restricted)
  ]);
  const privileged = report.monokle.find((f) => f.id === 'PSS103');
  expect(privileged).toMatchObject({
    object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'bad' },
    path: 'spec.template.spec.containers[0].securityContext.privileged',
    container: 'app',
    severity: 'error',
  });
});

test('monokle: practices rules', () => {
  expect(ids(report.monokle.filter((f) => f.id.startsWith('KBP')), 'bad')).toEqual([
    'KBP002', 'KBP003', 'KBP004', 'KBP005', // no requests / limits
    'KBP100', // SYS_ADMIN
    'KBP101', // docker socket
    'KBP102', // writable root filesystem
    'KBP103', // capabilities not dropped
    'KBP104', 'KBP105', // low uid / gid
    'KBP106', // service account token
    'KBP111', 'KBP112', // secret in env
    'KBP113', // port < 1024
    'KBP114', // NodePort Service
    'KBP116', // image without tag
  ]);
  expect(ids(report.monokle, 'bad-exec')).toEqual(['KBP107', 'KBP108']);
});

test('polaris: security, reliability and efficiency checks', () => {
  expect(ids(report.polaris, 'bad')).toEqual([
    'automountServiceAccountToken', 'cpuLimitsMissing', 'cpuRequestsMissing', 'dangerousCapabilities',
    'deploymentMissingReplicas', 'hostNetworkSet', 'hostPathSet', 'hostPIDSet', 'hostPortSet', 'insecureCapabilities',
    'linuxHardening', 'livenessProbeMissing', 'memoryLimitsMissing', 'memoryRequestsMissing', 'missingNetworkPolicy',
    'notReadOnlyRootFilesystem', 'pdbDisruptionsIsZero', 'priorityClassNotSet', 'privilegeEscalationAllowed',
    'pullPolicyNotAlways', 'readinessProbeMissing', 'runAsPrivileged', 'runAsRootAllowed', 'sensitiveConfigmapContent',
    'sensitiveContainerEnvVar', 'tagNotSpecified', 'topologySpreadConstraint',
  ]);
  expect(ids(report.polaris, 'bad-exec')).toEqual(['clusterrolePodExecAttach']);
  expect(report.polaris.find((f) => f.id === 'runAsRootAllowed')).toMatchObject({
    object: { kind: 'Deployment', name: 'bad' },
    container: 'app',
    severity: 'danger',
    path: 'spec.template.spec.containers[0]',
  });
});

test('expectNoFindings fails and prints every finding readably', async () => {
  const failure = await expectNoFindings(badManifests(), { judges: ['schema', 'polaris'] }).then(() => undefined, (err: Error) => err);
  expect(failure).toBeInstanceOf(Error);
  const message = failure!.message;
  expect(message).toContain('The judges are not satisfied:');
  expect(message).toContain('schema: 4 finding(s)');
  expect(message).toContain('  - unknown-field v1 Service bad (spec.ports[0].targetPortt): ');
  expect(message).toContain('  - runAsRootAllowed [danger] apps/v1 Deployment bad (spec.template.spec.containers[0], container "app"): Should not be allowed to run as root');
  expect(message).toContain('  - kyverno.io/v1 ClusterPolicy require-digest');
  expect(message).not.toContain('monokle:');
});
