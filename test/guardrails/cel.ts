/**
 * Evaluates CEL expressions for real, with @marcbachmann/cel-js in a child process
 * (`cel-runner.mjs`; the library is ESM-only and jest runs CommonJS). One process per batch.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const RUNNER = path.join(__dirname, 'cel-runner.mjs');

export interface CelCase {
  readonly expression: string;
  /** The variables, e.g. `{ object: manifest }`. */
  readonly context: Record<string, unknown>;
}

export type CelResult = { readonly value: unknown } | { readonly error: string };

export function evaluateCel(cases: readonly CelCase[]): CelResult[] {
  const run = spawnSync(process.execPath, [RUNNER], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.status !== 0) {
    throw new Error(`CEL runner exited with ${run.status ?? run.signal}: ${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as { results: CelResult[] }).results;
}
