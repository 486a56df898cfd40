/**
 * One measurement in a fresh process: build variant V with N workloads, synth
 * the app to YAML (or, with a third argument `json`, only render the manifest
 * objects), print {ms, buildMs, heapMb} as JSON. Usage: synth-child.ts V N [json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { App, Chart } from 'cdk8s';
import { VARIANTS } from './variants';

const [variant, nText, mode] = process.argv.slice(2);
const build = VARIANTS[variant];
if (!build) throw new Error(`unknown variant ${variant}`);
const n = Number(nText);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-bench-'));
(global as any).gc?.();
// Synthesis is synchronous, so nothing can sample during it; V8 grows its committed
// heap to what it needs and does not shrink it within the run, so the growth of
// total_heap_size is the peak memory the synthesis took.
const heapBefore = v8.getHeapStatistics().total_heap_size;
const start = process.hrtime.bigint();
const app = new App({ outdir });
const chart = new Chart(app, 'bench', { namespace: 'bench', disableResourceNameHashes: true });
build(chart, n);
const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
if (mode === 'json') chart.toJson();
else app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const heapMb = (v8.getHeapStatistics().total_heap_size - heapBefore) / 2 ** 20;
fs.rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ ms, buildMs, heapMb }));
