/**
 * Cost of the latch: N = 1000 hardened web workloads guarded by a sidecar-mode
 * and by a hub-mode latch, against the same hardened workloads without a latch.
 * Budget: ratio <= 1.3.
 */
import { compare, figures } from './lib/compare';

const BUDGET = 1.3;
const ratios = compare('hardened', ['sidecar', 'hub'], [1000], 3);
let ok = true;
for (const mode of ['sidecar', 'hub']) {
  const r = ratios[mode][1000][1];
  const within = r.time <= BUDGET && r.heap <= BUDGET;
  ok &&= within;
  console.log(`${mode}/hardened at N=1000: ${figures(r)} (budget time and heap growth <= ${BUDGET}): ${within ? 'OK' : 'OVER BUDGET'}`);
}
// Without YAML serialization: the constructs' own cost, apart from writing the larger pods.
const json = compare('hardened', ['sidecar', 'hub'], [1000], 3, { mode: 'json' });
for (const mode of ['sidecar', 'hub']) {
  console.log(`without YAML, ${mode}/hardened at N=1000: ${figures(json[mode][1000][1])}`);
}
if (!ok) process.exitCode = 1;
