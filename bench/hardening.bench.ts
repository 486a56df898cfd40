/**
 * Cost of hardening: N hardened web workloads (Deployment + Service + policies,
 * plus the ServiceAccount and PDB the profile adds) against the same workloads
 * with plain cdk8s-plus-27 defaults. Budget: ratio <= 1.5 at N = 1000.
 */
import { compare } from './lib/compare';

const BUDGET = 1.5;
const ratios = compare('plain', ['hardened'], [10, 100, 1000], 3);
// The same without YAML serialization: the cost of the constructs themselves,
// apart from writing the (about twice as large) hardened output.
const json = compare('plain', ['hardened'], [1000], 3, 'json');
console.log(`\nwithout YAML, hardened/plain at N=1000: time ${json.hardened[1000].time.toFixed(2)}, heap growth ${json.hardened[1000].heap.toFixed(2)}`);
const at1000 = ratios.hardened[1000];
const ok = at1000.time <= BUDGET && at1000.heap <= BUDGET;
console.log(`\nhardened/plain at N=1000: time ${at1000.time.toFixed(2)}, heap growth ${at1000.heap.toFixed(2)} (budget <= ${BUDGET}): ${ok ? 'OK' : 'OVER BUDGET'}`);
if (!ok) process.exitCode = 1;
