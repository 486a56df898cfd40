/**
 * Evaluates CEL expressions for real, with two independent evaluators:
 * @marcbachmann/cel-js in a child process (`cel-runner.mjs`; the library is ESM-only
 * and jest runs CommonJS; one process per batch) and @bufbuild/cel in this process.
 * A case on which they disagree is an error naming both answers, so every test that
 * evaluates the policy holds for both.
 *
 * The admission variables default as on a CREATE: `oldObject` null and
 * `request.operation` 'CREATE' (give them for UPDATE cases).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { isCelError, run } from '@bufbuild/cel';

const RUNNER = path.join(__dirname, 'cel-runner.mjs');

export interface CelCase {
  readonly expression: string;
  /** The variables, e.g. `{ object: manifest }`. */
  readonly context: Record<string, unknown>;
}

export type CelResult = { readonly value: unknown } | { readonly error: string };

/** The admission variables of a CREATE unless the case gives them. */
function withDefaults(context: Record<string, unknown>): Record<string, unknown> {
  return { oldObject: null, request: { operation: 'CREATE' }, ...context };
}

/** @marcbachmann/cel-js, in a child process. */
export function evaluateCelJs(cases: readonly CelCase[]): CelResult[] {
  const proc = spawnSync(process.execPath, [RUNNER], {
    input: JSON.stringify({ cases: cases.map((c) => ({ ...c, context: withDefaults(c.context) })) }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (proc.status !== 0) {
    throw new Error(`CEL runner exited with ${proc.status ?? proc.signal}: ${proc.stderr}`);
  }
  return (JSON.parse(proc.stdout) as { results: CelResult[] }).results;
}

/** JSON as @bufbuild/cel input: objects as Maps, whole numbers as int (as the API server types them). */
function toBuf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toBuf);
  if (typeof value === 'object' && value !== null) return new Map(Object.entries(value).map(([k, v]) => [k, toBuf(v)]));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

/** @bufbuild/cel, in this process. */
export function evaluateBufCel(cases: readonly CelCase[]): CelResult[] {
  return cases.map(({ expression, context }) => {
    try {
      const vars = Object.fromEntries(Object.entries(withDefaults(context)).map(([k, v]) => [k, toBuf(v)]));
      const value = run(expression, vars as any);
      if (isCelError(value)) return { error: String(value.message).split('\n')[0] };
      return { value: typeof value === 'bigint' ? Number(value) : value };
    } catch (e) {
      return { error: String(e instanceof Error ? e.message : e).split('\n')[0] };
    }
  });
}

/** Both evaluators; a boolean answer only when both give it, else an error naming what each said. */
export function evaluateCel(cases: readonly CelCase[]): CelResult[] {
  const js = evaluateCelJs(cases);
  const buf = evaluateBufCel(cases);
  return js.map((a, i) => {
    const b = buf[i];
    if ('value' in a && 'value' in b && a.value === b.value) return a;
    const show = (r: CelResult) => ('value' in r ? JSON.stringify(r.value) : `error ${r.error}`);
    if ('error' in a && 'error' in b) return { error: `cel-js: ${a.error}; bufbuild: ${b.error}` };
    return { error: `evaluators disagree: cel-js ${show(a)}, bufbuild ${show(b)}` };
  });
}
