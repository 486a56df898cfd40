/**
 * Side-by-side synthesis measurements: each (variant, N, chart count) runs
 * `rounds` times in fresh processes, interleaved (every case once per round) so
 * that machine noise hits every case alike; the medians are reported, and
 * ratios against a reference variant at the same N and chart count.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * One run. Wall time of build + synthesis and the growth of the V8 heap for it;
 * CPU time (user + system) and peak RSS of the whole process.
 */
export interface Sample { ms: number; buildMs: number; heapMb: number; cpuMs: number; rssMb: number }

/**
 * A variant's medians divided by the reference's. `rss` (peak resident set of
 * the whole process) is the memory figure; `heap` (growth of V8's committed
 * heap) is kept for reference only: it misleads (1.85 where peak RSS read 1.19).
 */
export interface Ratio { time: number; heap: number; cpu: number; rss: number }

/** A ratio's figures, for a summary line. */
export function figures(r: Ratio): string {
  return `process cpu ${r.cpu.toFixed(2)}, peak RSS ${r.rss.toFixed(2)}; synth wall time ${r.time.toFixed(2)}`;
}

/** The runs' medians of every (variant, N, chart count), and ratios between any two variants. */
export class Measurements {
  constructor(private readonly samples: Record<string, Sample[]>) {}

  /** The medians of `variant` at N and chart count. */
  public median(variant: string, n: number, charts = 1): Sample {
    const runs = this.samples[caseKey(variant, n, charts)];
    if (!runs) throw new Error(`${variant} was not measured at N=${n} in ${charts} chart(s)`);
    return medians(runs);
  }

  /** `a`'s medians divided by `b`'s at the same N and chart count. */
  public ratio(a: string, b: string, n: number, charts = 1): Ratio {
    const m = this.median(a, n, charts);
    const ref = this.median(b, n, charts);
    return { time: m.ms / ref.ms, heap: m.heapMb / ref.heapMb, cpu: m.cpuMs / ref.cpuMs, rss: m.rssMb / ref.rssMb };
  }
}

/** One line of the budget table: a measured ratio and its budget (none: shown for reference). */
export interface BudgetLine { readonly what: string; readonly value: number; readonly budget?: number }

/** Prints the budget table, each line with OK or OVER; returns whether every budget holds. */
export function printBudgets(title: string, lines: BudgetLine[]): boolean {
  console.log(`\n${title}`);
  const width = Math.max(...lines.map((l) => l.what.length));
  for (const l of lines) {
    const verdict = l.budget === undefined ? '(no budget)' : `budget <= ${l.budget.toFixed(2)}  ${l.value <= l.budget ? 'OK' : 'OVER'}`;
    console.log(`  ${l.what.padEnd(width)}  ${l.value.toFixed(2).padStart(6)}  ${verdict}`);
  }
  return lines.every((l) => l.budget === undefined || l.value <= l.budget);
}

/** `BENCH_QUICK=1`: fewer and smaller runs, for a first look. */
export const QUICK = process.env.BENCH_QUICK === '1';

const caseKey = (v: string, n: number, c: number) => `${v} ${n} ${c}`;

export interface CompareOptions {
  /** Chart counts to spread each N over. @default [1] */
  readonly charts?: number[];
  /** 'yaml' = app.synth() to files; 'json' = manifest objects only. @default 'yaml' */
  readonly mode?: 'yaml' | 'json';
}

let transpiledRoot: string | undefined;

/**
 * The children run plain JavaScript: src/ and bench/lib/ transpiled once per
 * bench process (under the ignored .bench/), so that a child's CPU time and RSS
 * are its work's and not ts-node's (about 2.9 s and 150 MB of TypeScript
 * compiler per process), and every run of one bench sees the same src/.
 * Returns the path of `bench/lib/<script>.js` in that tree.
 */
export function transpiled(script: string): string {
  if (!transpiledRoot) {
    const root = path.join(__dirname, '..', '..');
    fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
    const out = fs.mkdtempSync(path.join(root, '.bench', 'js-'));
    process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    for (const dir of ['src', 'bench/lib']) {
      for (const file of fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        const js = ts.transpileModule(fs.readFileSync(path.join(root, dir, file), 'utf8'), { compilerOptions }).outputText;
        const dest = path.join(out, dir, file.replace(/\.ts$/, '.js'));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, js);
      }
    }
    transpiledRoot = out;
  }
  return path.join(transpiledRoot, 'bench', 'lib', `${script}.js`);
}

/** Runs a transpiled bench/lib script in a fresh Node process; its last line of output is its JSON result. */
export function runChild<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, ['--expose-gc', transpiled(script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function measure(variant: string, n: number, charts: number, mode: string): Sample {
  return runChild<Sample>('synth-child', [variant, String(n), String(charts), mode]);
}

/** The median of some measurements. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function medians(samples: Sample[]): Sample {
  const of = (k: keyof Sample) => median(samples.map((s) => s[k]));
  return { ms: of('ms'), buildMs: of('buildMs'), heapMb: of('heapMb'), cpuMs: of('cpuMs'), rssMb: of('rssMb') };
}

/**
 * Measures every variant at every (N, chart count) `rounds` times, interleaved,
 * and prints a table of medians with the ratios of each variant to `reference`
 * (the first variant). The memory figure is peak RSS.
 */
export function measureAll(variants: string[], sizes: number[], rounds: number, options: CompareOptions = {}): Measurements {
  const { charts = [1], mode = 'yaml' } = options;
  const [reference] = variants;
  const cases = sizes.flatMap((n) => charts.map((c) => ({ n, c })));
  const samples: Record<string, Sample[]> = {};
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`  round ${round + 1}/${rounds}\n`);
    for (const { n, c } of cases) {
      for (const v of variants) (samples[caseKey(v, n, c)] ??= []).push(measure(v, n, c, mode));
    }
  }
  const result = new Measurements(samples);

  console.log(`[${mode === 'yaml' ? 'app.synth() to YAML' : 'manifest objects only (chart.toJson)'}; medians of ${rounds}; ratios vs ${reference}]`);
  console.log('variant         N charts  synth ms  process cpu ms  peak RSS MB   cpu ratio  RSS ratio  time ratio');
  for (const { n, c } of cases) {
    for (const v of variants) {
      const m = result.median(v, n, c);
      const r = result.ratio(v, reference, n, c);
      console.log([
        v.padEnd(10), String(n).padStart(6), String(c).padStart(6), m.ms.toFixed(0).padStart(9), m.cpuMs.toFixed(0).padStart(15),
        m.rssMb.toFixed(0).padStart(12), r.cpu.toFixed(2).padStart(11), r.rss.toFixed(2).padStart(10), r.time.toFixed(2).padStart(11),
      ].join(' '));
    }
  }
  return result;
}

/**
 * Prints a table and returns the ratios of each variant to `reference`,
 * indexed by variant, N and chart count: `ratios[variant][n][charts]`.
 */
export function compare(reference: string, variants: string[], sizes: number[], rounds: number, options: CompareOptions = {}) {
  const result = measureAll([reference, ...variants], sizes, rounds, options);
  const ratios: Record<string, Record<number, Record<number, Ratio>>> = {};
  for (const v of [reference, ...variants]) {
    for (const n of sizes) {
      for (const c of options.charts ?? [1]) ((ratios[v] ??= {})[n] ??= {})[c] = result.ratio(v, reference, n, c);
    }
  }
  return ratios;
}
