import * as path from 'path';
import { RulePack } from '../../src/rules';
import { loadManifests } from '../../src/rules/internal/loader';

const SEED = path.join(__dirname, 'fixtures', 'seed-poc.yaml');

describe('the seed PoC manifests (no hardening at all)', () => {
  const report = RulePack.restricted().evaluate(loadManifests([SEED]).objects);
  const rulesHit = new Set(report.errors.map((f) => f.ruleId));

  test.each([
    ['root user', 'SL-PSS-14'],
    ['no seccomp profile', 'SL-PSS-16'],
    ['writable root filesystem', 'SL-HARD-5'],
    ['capabilities not dropped', 'SL-PSS-17'],
    ['credentials in env', 'SL-HARD-21'],
    ['no network policy (namespace default-deny)', 'SL-NET-1'],
    ['no network policy (per workload)', 'SL-NET-2'],
    ['no resource limits', 'SL-HARD-13'],
    ['privilege escalation allowed', 'SL-PSS-13'],
    ['API token mounted', 'SL-HARD-10'],
    ['images not pinned by digest', 'SL-HARD-15'],
  ])('reports %s (%s) as an error', (_what, ruleId) => {
    expect(rulesHit.has(ruleId)).toBe(true);
  });

  test('reports every container of the pod for per-container rules', () => {
    const paths = report.errors.filter((f) => f.ruleId === 'SL-HARD-5').map((f) => f.path);
    expect(paths).toEqual([0, 1, 2].map((i) => `spec.containers[${i}].securityContext.readOnlyRootFilesystem`));
  });

  test('names each credential env var taken from the Secret', () => {
    expect(report.errors.filter((f) => f.ruleId === 'SL-HARD-21').map((f) => f.message)).toEqual([
      "container 'latch-master' reads Secret 'latch-credentials' key 'app-id' into env var 'LATCH_APP_ID'",
      "container 'latch-master' reads Secret 'latch-credentials' key 'secret-key' into env var 'LATCH_SECRET_KEY'",
      "container 'latch-master' reads Secret 'latch-credentials' key 'account-id' into env var 'LATCH_ACCOUNT_ID'",
    ]);
  });
});
