/**
 * Cost of hardening across many charts: the same 1000 web workloads, plain
 * cdk8s-plus-27, hardened, and hardened with `RulePack.restricted()` attached,
 * spread over 1, 10 and 50 charts of one namespace. Budgets (issues 9 and 13),
 * process CPU: the hardened/plain ratio in 50 charts stays within 1.1x the ratio
 * in 1 chart; the attached pack costs <= 1.2x in 50 charts too.
 * BENCH_QUICK=1 measures 200 workloads instead, for a first look.
 */
import { measureAll, printBudgets, QUICK } from './lib/compare';

const N = QUICK ? 200 : 1000;
const CHARTS = [1, 10, 50];
const m = measureAll(['plain', 'hardened', 'packed'], [N], 5, { charts: CHARTS });
const ratio = (c: number) => m.ratio('hardened', 'plain', N, c).cpu;
const ok = printBudgets(`ratios at N=${N} (process CPU)`, [
  ...CHARTS.map((c) => ({ what: `library / plain in ${c} chart(s)`, value: ratio(c) })),
  { what: '(library / plain in 50 charts) / (in 1 chart)', value: ratio(50) / ratio(1), budget: 1.1 },
  { what: '(library / plain in 10 charts) / (in 1 chart)', value: ratio(10) / ratio(1), budget: 1.1 },
  { what: 'rule pack attached / without, in 50 charts', value: m.ratio('packed', 'hardened', N, 50).cpu, budget: 1.2 },
]);
if (!ok) process.exitCode = 1;
