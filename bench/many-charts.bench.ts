/**
 * Cost of hardening across many charts: the same 1000 web workloads, hardened
 * and plain cdk8s-plus-27, spread over 1, 10 and 50 charts of one namespace.
 * Budget (issues 9 and 13): the hardened/plain ratio of whole-process CPU time
 * at 50 charts stays within 1.1x the ratio at 1 chart.
 * BENCH_QUICK=1 measures 200 workloads instead, for a first look.
 */
import { compare, figures } from './lib/compare';

const BUDGET = 1.1;
const N = process.env.BENCH_QUICK === '1' ? 200 : 1000;
const CHARTS = [1, 10, 50];
const ratios = compare('plain', ['hardened'], [N], 5, { charts: CHARTS }).hardened[N];
console.log('');
for (const c of CHARTS) console.log(`hardened/plain at N=${N} in ${c} chart(s): ${figures(ratios[c])}`);
const growth = ratios[50].cpu / ratios[1].cpu;
const ok = growth <= BUDGET;
console.log(`\nprocess cpu ratio in 50 charts / in 1 chart: ${ratios[50].cpu.toFixed(2)} / ${ratios[1].cpu.toFixed(2)} = ${growth.toFixed(2)} (budget <= ${BUDGET}): ${ok ? 'OK' : 'OVER BUDGET'}`);
if (!ok) process.exitCode = 1;
