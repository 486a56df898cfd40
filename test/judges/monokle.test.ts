/**
 * The Monokle judge enforces every PSS and KBP rule, and never lets a failure pass silently.
 */
import { MONOKLE_RULE_IDS, runMonokleJudge } from './monokle-judge';

// A judge() call runs Monokle in a child process (about 0.5 s, more on a busy CI machine).
jest.setTimeout(60_000);

test('every rule is enabled, a crashing rule becomes a finding, YAML-unsafe input is fine', async () => {
  const { rules, findings } = await runMonokleJudge([
    // No containers: Monokle's rules throw on it (and Monokle would skip them silently).
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'broken', annotations: { 'x/y': 'a: b # not a comment' } }, spec: {} },
  ]);
  expect(rules.map((r) => r.id).sort()).toEqual([...MONOKLE_RULE_IDS].sort());
  expect(rules.every((r) => r.enabled)).toBe(true);
  expect(MONOKLE_RULE_IDS).toHaveLength(39);

  const crashed = findings.filter((f) => f.object.kind === '(every object)').map((f) => f.id);
  expect(crashed).toEqual(expect.arrayContaining(['PSS103', 'PSS203', 'KBP102', 'KBP104']));
  expect(findings.find((f) => f.id === 'PSS203' && f.object.kind === '(every object)')?.message)
    .toMatch(/^rule PSS203 crashed and decided nothing: Cannot read properties of undefined/);
  expect(findings.filter((f) => f.object.name === 'broken').map((f) => f.id)).toEqual(['KBP106']);
});
