/**
 * One audit measurement in a fresh process. `audit DIR`: `superlatch audit DIR`
 * (the command's main(), its report discarded); `parse DIR`: every file of DIR
 * read and parsed with js-yaml, nothing kept, nothing else (the floor);
 * `parse-keep DIR`: the same, keeping every document to the end. Prints
 * the whole process's CPU time (user + system, start-up included) and peak RSS.
 * Usage: audit-child.ts audit|parse|parse-keep DIR
 */
const [what, dir] = process.argv.slice(2);
if (what === 'audit') {
  // loaded here only: the parse must not pay for loading the library
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('../../src/cli/main') as typeof import('../../src/cli/main');
  main(['audit', dir], { out: () => {}, err: () => {} });
} else if (what === 'parse' || what === 'parse-keep') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./bare-parse') as typeof import('./bare-parse')).bareParse(dir, what === 'parse-keep');
} else {
  throw new Error(`unknown measurement ${what}`);
}
const usage = process.resourceUsage();
console.log(JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, rssMb: usage.maxRSS / 1024 }));
