/**
 * `npx projen examples`: synthesizes every example app (examples/<name>/main.ts)
 * into dist-examples/<name>/, one YAML file per chart.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const examples = fs.readdirSync(path.join(root, 'examples'))
  .filter((name) => fs.existsSync(path.join(root, 'examples', name, 'main.ts')))
  .sort();

let failed = 0;
for (const name of examples) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('examples', name, 'main.ts')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json') },
  });
  const files = fs.existsSync(path.join(root, 'dist-examples', name)) ? fs.readdirSync(path.join(root, 'dist-examples', name)) : [];
  console.log(`${name}: ${r.status === 0 ? files.length + ' manifest file(s) in dist-examples/' + name : 'FAILED'}`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
