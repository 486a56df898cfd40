/**
 * Exemptions are explicit and visible: they need a reason, they are echoed in the failure output, and
 * an exemption that matches nothing fails the assertion.
 */
import { hardenedWebSet } from './fixtures/hardened';
import { expectNoFindings, formatReport, judge } from './index';
import { Exemption, Manifest } from './types';

/** The hardened set without a priority class and with a custom resource. */
function setWithTwoProblems(): Manifest[] {
  const set = hardenedWebSet();
  delete set[1].spec.template.spec.priorityClassName;
  set.push({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'require-digest' }, spec: { rules: [] } });
  return set;
}

const PRIORITY: Exemption = { judge: 'polaris', id: 'priorityClassNotSet', objectName: 'web', reason: 'the cluster admission sets a default PriorityClass' };
const CRD: Exemption = { judge: 'schema', id: 'not-validated', reason: 'Kyverno policies are checked by the Kyverno CLI tests' };

// Monokle has nothing to say about these two problems: keep these tests to the in-process judges.
const judges = ['schema', 'polaris'] as const;

test('without exemptions both problems are reported', async () => {
  const report = await judge(setWithTwoProblems(), { judges });
  expect(report.polaris.map((f) => f.id)).toEqual(['priorityClassNotSet']);
  expect(report.notValidated).toEqual(['kyverno.io/v1 ClusterPolicy require-digest']);
});

test('exempted findings move to `exempted`, with their reason', async () => {
  const report = await expectNoFindings(setWithTwoProblems(), { judges, exemptions: [PRIORITY, CRD] });
  expect(report.polaris).toEqual([]);
  expect(report.notValidated).toEqual([]);
  expect(report.exempted.map((e) => [e.finding.id, e.finding.object.name, e.exemption.reason])).toEqual([
    ['not-validated', 'require-digest', CRD.reason],
    ['priorityClassNotSet', 'web', PRIORITY.reason],
  ]);
  expect(formatReport(report)).toContain(`polaris/priorityClassNotSet apps/v1 Deployment shop/web (spec.template.spec) -- reason: ${PRIORITY.reason}`);
});

test('exemptions are echoed in the failure output', async () => {
  const set = setWithTwoProblems();
  delete set[1].spec.template.spec.containers[0].imagePullPolicy;
  const failure = await expectNoFindings(set, { judges, exemptions: [PRIORITY, CRD] }).then(() => undefined, (err: Error) => err);
  expect(failure?.message).toContain('pullPolicyNotAlways');
  expect(failure?.message).toContain('exempted: 2');
  expect(failure?.message).toContain(`-- reason: ${PRIORITY.reason}`);
  expect(failure?.message).toContain(`-- reason: ${CRD.reason}`);
});

test('an exemption limited to another object does not apply', async () => {
  const other = { ...PRIORITY, objectName: 'api' };
  const report = await judge(setWithTwoProblems(), { judges, exemptions: [other, CRD] });
  expect(report.polaris.map((f) => f.id)).toEqual(['priorityClassNotSet']);
  expect(report.unusedExemptions).toEqual([other]);
});

test('an unused exemption fails expectNoFindings', async () => {
  const stale: Exemption = { judge: 'monokle', id: 'KBP999', reason: 'left over from an older chart version' };
  const failure = await expectNoFindings(hardenedWebSet(), { judges, exemptions: [stale] }).then(() => undefined, (err: Error) => err);
  expect(failure?.message).toContain('unused exemptions (stale or mistyped): 1');
  expect(failure?.message).toContain('monokle/KBP999: left over from an older chart version');
});

test('an exemption needs a reason of at least 10 characters', async () => {
  await expect(judge(hardenedWebSet(), { exemptions: [{ judge: 'polaris', id: 'x', reason: 'because' }] }))
    .rejects.toThrow(/reason must explain the exception in at least 10 characters/);
  await expect(judge(hardenedWebSet(), { exemptions: [{ judge: 'kube-score' as 'schema', id: 'x', reason: 'a long enough reason' }] }))
    .rejects.toThrow(/judge must be one of schema, monokle, polaris/);
});
