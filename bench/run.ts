/**
 * Runs every `bench/*.bench.ts` in its own Node process, one after the other,
 * so that one benchmark's heap never skews another's memory figures.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = __dirname;
const only = process.argv.slice(2);
const files = fs.readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(dir, file)], {
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_PROJECT: path.join(dir, '..', 'test', 'tsconfig.json') },
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${r.status})`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
