/**
 * Cost of hardening: N hardened web workloads (Deployment + Service + policies,
 * plus the ServiceAccount and PDB the profile adds) against the same workloads
 * with plain cdk8s-plus-27 defaults. Budget: ratio <= 1.5 at N = 1000.
 */
import { compare, figures } from './lib/compare';

const BUDGET = 1.5;
const ratios = compare('plain', ['hardened'], [10, 100, 1000], 3);
// The same without YAML serialization: the cost of the constructs themselves,
// apart from writing the (about twice as large) hardened output.
const json = compare('plain', ['hardened'], [1000], 3, { mode: 'json' });
console.log(`\nwithout YAML, hardened/plain at N=1000: ${figures(json.hardened[1000][1])}`);
const at1000 = ratios.hardened[1000][1];
const ok = at1000.time <= BUDGET && at1000.heap <= BUDGET;
console.log(`\nhardened/plain at N=1000: ${figures(at1000)} (budget time and heap growth <= ${BUDGET}): ${ok ? 'OK' : 'OVER BUDGET'}`);
if (!ok) process.exitCode = 1;
