/**
 * Side-by-side synthesis measurements: each (variant, N) runs `rounds` times in
 * fresh processes, interleaved so that machine noise hits every variant alike;
 * the median is reported, and ratios against a reference variant.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** One run: wall time of build + synthesis, and how much the V8 heap grew for it (its peak). */
export interface Sample { ms: number; heapMb: number }

function measure(variant: string, n: number, mode: string): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-child.ts'), variant, String(n), mode], {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
  });
  if (r.status !== 0) throw new Error(`${variant} N=${n} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Prints a table and returns the ratio of each variant to `reference` at each N
 * (time, memory). `mode` 'yaml' = app.synth() to files; 'json' = manifest objects only.
 */
export function compare(reference: string, variants: string[], sizes: number[], rounds: number, mode: 'yaml' | 'json' = 'yaml') {
  const ratios: Record<string, Record<number, { time: number; heap: number }>> = {};
  console.log(`[${mode === 'yaml' ? 'app.synth() to YAML' : 'manifest objects only (chart.toJson)'}]`);
  console.log(`variant         N    time ms   heap growth MB   time ratio  heap ratio   (vs ${reference}, median of ${rounds})`);
  for (const n of sizes) {
    const samples: Record<string, Sample[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const v of [reference, ...variants]) (samples[v] ??= []).push(measure(v, n, mode));
    }
    const med = (v: string): Sample => ({ ms: median(samples[v].map((s) => s.ms)), heapMb: median(samples[v].map((s) => s.heapMb)) });
    const ref = med(reference);
    for (const v of [reference, ...variants]) {
      const m = med(v);
      const r = { time: m.ms / ref.ms, heap: m.heapMb / ref.heapMb };
      (ratios[v] ??= {})[n] = r;
      console.log(`${v.padEnd(12)} ${String(n).padStart(5)} ${m.ms.toFixed(0).padStart(9)} ${m.heapMb.toFixed(1).padStart(16)}   ${r.time.toFixed(2).padStart(9)} ${r.heap.toFixed(2).padStart(11)}`);
    }
  }
  return ratios;
}
