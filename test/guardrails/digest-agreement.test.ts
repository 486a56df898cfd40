/**
 * One digest rule everywhere: SL-HARD-15, the hardening profile, the Latch's own
 * image check and the admission policy's `image-digest` CEL expression accept the
 * same image references: the digest algorithms OCI registers, sha256 (64 lower-case
 * hex digits) and sha512 (128), and nothing else.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { evaluateCel } from './cel';
import { Harden, Latch, LatchCredentials, RulePack } from '../../src';
import { GuardrailAdmissionPolicy } from '../../src/guardrails';
import { coverNetwork, errorOf, find, goodContainer, newChart, podSpec } from '../util';

jest.setTimeout(60_000);

const REPO = 'registry.example.com/app:1.0';
const CASES: Array<[string, string, boolean]> = [
  ['sha256, 64 hex digits', `${REPO}@sha256:${'ab'.repeat(32)}`, true],
  ['sha512, 128 hex digits', `${REPO}@sha512:${'cd'.repeat(64)}`, true],
  ['sha256 without a tag', `registry.example.com/app@sha256:${'0f'.repeat(32)}`, true],
  ['tag only', REPO, false],
  ['sha256 with 128 hex digits', `${REPO}@sha256:${'ab'.repeat(64)}`, false],
  ['sha512 with 64 hex digits', `${REPO}@sha512:${'cd'.repeat(32)}`, false],
  ['sha256 too short', `${REPO}@sha256:abc`, false],
  ['an unregistered algorithm (sha384, 96 hex digits)', `${REPO}@sha384:${'ef'.repeat(48)}`, false],
  ['upper-case hex', `${REPO}@sha256:${'AB'.repeat(32)}`, false],
  ['a digest followed by more', `${REPO}@sha256:${'ab'.repeat(32)}x`, false],
];

/** The pod of a hardened Deployment with `image`; undefined when the hardening refuses it. */
function hardened(image: string): { pod?: any; error?: string } {
  const { chart } = newChart();
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer({ image })] });
  Harden.workload(web);
  coverNetwork(chart, web);
  try {
    return { pod: find(Testing.synth(chart), 'Deployment', 'web') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function sl15(image: string): boolean {
  const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'apps' }, spec: { containers: [{ name: 'app', image }] } };
  return !RulePack.restricted().evaluate([manifest]).findings.some((f) => f.ruleId === 'SL-HARD-15');
}

function latchAccepts(image: string): boolean {
  const { chart } = newChart();
  try {
    new Latch(chart, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image });
    return true;
  } catch {
    return false;
  }
}

const { chart } = newChart();
new GuardrailAdmissionPolicy(chart, 'guardrails', { namespaces: ['apps'] });
const validations = find(Testing.synth(chart), 'ValidatingAdmissionPolicy', 'superlatch-guardrails').spec.validations;
const digestValidation = validations.find((v: any) => v.message.startsWith('image-digest:'));

function admitted(images: string[]): boolean[] {
  const pods = images.map((image) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image }] } }));
  return evaluateCel(pods.map((object) => ({ expression: digestValidation.expression, context: { object } }))).map((r) => {
    if ('error' in r) throw new Error(r.error);
    return r.value as boolean;
  });
}

describe.each(CASES)('%s', (_what, image, accepted) => {
  test(`SL-HARD-15 ${accepted ? 'passes' : 'fails'} it`, () => expect(sl15(image)).toBe(accepted));
  test(`the hardening profile ${accepted ? 'keeps' : 'refuses'} it`, () => {
    const r = hardened(image);
    if (accepted) expect(podSpec(r.pod).containers[0].image).toBe(image);
    else expect(r.error).toMatch(/\[SL-HARD-15\] .* is not pinned by a sha256 or sha512 digest; pin it as '.*@sha256:<64 hex digits>' or '.*@sha512:<128 hex digits>'/);
  });
  test(`Latch ${accepted ? 'accepts' : 'refuses'} it as the agent image`, () => expect(latchAccepts(image)).toBe(accepted));
});

test('the admission policy admits exactly the same images', () => {
  expect(admitted(CASES.map(([, image]) => image))).toEqual(CASES.map(([, , accepted]) => accepted));
});

test('the rule, the policy message and the refusals name both algorithms', () => {
  const rule = RulePack.restricted().rules.find((r) => r.id === 'SL-HARD-15')!;
  expect(rule.remediation).toContain('@sha256:<64 hex digits>');
  expect(rule.remediation).toContain('@sha512:<128 hex digits>');
  expect(digestValidation.message).toContain('tag@sha256:<64 hex digits> or registry/repository:tag@sha512:<128 hex digits>');
  const { chart: c } = newChart();
  expect(errorOf(() => new Latch(c, 'latch', { credentials: LatchCredentials.fromSecret('c'), api: { cidrs: ['203.0.113.0/24'] }, image: REPO })))
    .toBe(`[test/latch]: image '${REPO}' is not pinned by digest; the latch's containers always run with the restricted container settings. Fix: pin it as '${REPO}@sha256:<64 hex digits>' or '${REPO}@sha512:<128 hex digits>'`);
});
