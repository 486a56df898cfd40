/**
 * Cost of the latch: N = 1000 hardened web workloads guarded by a sidecar-mode
 * and by a hub-mode latch, against the same hardened workloads without a latch.
 * Budgets (issue 13), process CPU: sidecar <= 1.3, hub <= 1.1.
 */
import { measureAll, printBudgets } from './lib/compare';

const N = 1000;
const m = measureAll(['hardened', 'sidecar', 'hub'], [N], 5);
const ok = printBudgets(`ratios at N=${N} (process CPU; memory = peak RSS)`, [
  { what: 'sidecar latch / hardened', value: m.ratio('sidecar', 'hardened', N).cpu, budget: 1.3 },
  { what: 'hub latch / hardened', value: m.ratio('hub', 'hardened', N).cpu, budget: 1.1 },
  { what: 'memory: sidecar / hardened', value: m.ratio('sidecar', 'hardened', N).rss },
  { what: 'memory: hub / hardened', value: m.ratio('hub', 'hardened', N).rss },
]);
if (!ok) process.exitCode = 1;
