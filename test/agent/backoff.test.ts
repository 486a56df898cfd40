import { backoffDelay } from '../../agent/src/backoff';

const policy = { intervalMs: 10_000, cap: 6, maxStalenessMs: 600_000 };

describe('backoff', () => {
  test('the range doubles per consecutive failure: [i, 2i], [2i, 4i], then up to the cap', () => {
    const range = (failures: number): number[] => [backoffDelay(failures, policy, () => 0), backoffDelay(failures, policy, () => 1)];
    expect(range(1)).toEqual([10_000, 20_000]);
    expect(range(2)).toEqual([20_000, 40_000]);
    expect(range(3)).toEqual([30_000, 60_000]);
    expect(range(50)).toEqual([30_000, 60_000]);
  });

  test('jitter spreads the delays uniformly inside the range', () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = Array.from({ length: 1000 }, () => backoffDelay(2, policy, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(40_000);
    expect(new Set(delays).size).toBeGreaterThan(900);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(28_000);
    expect(mean).toBeLessThan(32_000);
  });

  test('never shorter than the interval: a fast-failing API gets no more requests than a healthy one', () => {
    for (const cap of [1, 2, 6]) {
      for (let failures = 1; failures < 10; failures++) {
        expect(backoffDelay(failures, { ...policy, cap }, () => 0)).toBeGreaterThanOrEqual(policy.intervalMs);
      }
    }
    expect(backoffDelay(5, { ...policy, cap: 1 }, () => 1)).toBe(10_000);
  });

  test('never longer than half the staleness budget, so a retry lands before the last good status expires', () => {
    expect(backoffDelay(10, { intervalMs: 10_000, cap: 6, maxStalenessMs: 60_000 }, () => 1)).toBe(30_000);
    expect(backoffDelay(10, { intervalMs: 10_000, cap: 6, maxStalenessMs: 20_000 }, () => 1)).toBe(10_000);
  });
});
