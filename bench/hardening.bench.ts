/**
 * Cost of hardening, side by side in one run: plain cdk8s-plus-27 defaults, the
 * honest peers (the same hardened manifests, byte for byte, written by hand with
 * cdk8s-plus-27 and as raw ApiObjects), the library, and the library with
 * `RulePack.restricted()` attached. Budgets (issue 13), process CPU at N = 1000.
 */
import { measureAll, printBudgets, QUICK } from './lib/compare';

const SIZES = QUICK ? [100, 1000] : [10, 100, 1000, 5000];
const N = 1000;
const m = measureAll(['plain', 'peer', 'raw', 'hardened', 'packed'], SIZES, 5);
const cpu = (a: string, b: string, n = N) => m.ratio(a, b, n).cpu;
const rss = (a: string, b: string, n = N) => m.ratio(a, b, n).rss;
const ok = printBudgets(`ratios at N=${N} (process CPU unless marked; memory = peak RSS)`, [
  { what: 'library / hand-hardened cdk8s-plus peer', value: cpu('hardened', 'peer'), budget: 1.05 },
  { what: 'library / plain cdk8s-plus', value: cpu('hardened', 'plain'), budget: 1.5 },
  { what: 'rule pack attached / without', value: cpu('packed', 'hardened'), budget: 1.2 },
  { what: 'raw ApiObjects / plain cdk8s-plus', value: cpu('raw', 'plain') },
  { what: 'hand-hardened peer / plain cdk8s-plus', value: cpu('peer', 'plain') },
  { what: 'memory: library / peer', value: rss('hardened', 'peer') },
  { what: 'memory: library / plain', value: rss('hardened', 'plain') },
  { what: 'memory: rule pack attached / without', value: rss('packed', 'hardened') },
]);
for (const n of SIZES.filter((x) => x !== N)) {
  console.log(`  at N=${n}: library/peer ${cpu('hardened', 'peer', n).toFixed(2)}, library/plain ${cpu('hardened', 'plain', n).toFixed(2)}, pack/without ${cpu('packed', 'hardened', n).toFixed(2)}`);
}
if (!ok) process.exitCode = 1;
