/**
 * One measurement in a fresh process: build variant V with N workloads spread
 * over C charts, synth the app to YAML (mode `yaml`) or only render the manifest
 * objects (mode `json`), print a Sample as JSON. Usage: synth-child.ts V N C MODE
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { App } from 'cdk8s';
import { benchCharts, VARIANTS } from './variants';

const [variant, nText, chartsText, mode] = process.argv.slice(2);
const build = VARIANTS[variant];
if (!build) throw new Error(`unknown variant ${variant}`);
const n = Number(nText);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-bench-'));
(global as any).gc?.();
// Synthesis is synchronous, so nothing can sample during it; V8 grows its committed
// heap to what it needs and does not shrink it within the run, so the growth of
// total_heap_size is the peak heap the synthesis took.
const heapBefore = v8.getHeapStatistics().total_heap_size;
const start = process.hrtime.bigint();
const app = new App({ outdir });
const charts = benchCharts(app, Number(chartsText));
build(charts, n);
const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
if (mode === 'json') charts.forEach((chart) => chart.toJson());
else app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const heapMb = (v8.getHeapStatistics().total_heap_size - heapBefore) / 2 ** 20;
fs.rmSync(outdir, { recursive: true, force: true });
// The whole process, as the OS counts it: start-up and module loading included
// (the same for every variant), user + system CPU, peak resident set.
const usage = process.resourceUsage();
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
const rssMb = usage.maxRSS / 1024;
console.log(JSON.stringify({ ms, buildMs, heapMb, cpuMs, rssMb }));
