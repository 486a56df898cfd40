// Evaluates CEL expressions with @marcbachmann/cel-js (ESM-only, so it runs here, in a
// child process of the CommonJS jest tests). Input on stdin: {"cases":[{"expression","context"}]}.
// Output on stdout: {"results":[{"value"} | {"error"}]}, one per case, in order.
import { evaluate } from '@marcbachmann/cel-js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { cases } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = cases.map(({ expression, context }) => {
  try {
    const value = evaluate(expression, context);
    return { value: typeof value === 'bigint' ? Number(value) : value };
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e).split('\n')[0] };
  }
});
process.stdout.write(JSON.stringify({ results }));
