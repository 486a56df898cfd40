/**
 * The audit's floor: every file of a folder read and parsed with js-yaml, nothing
 * else. `keep`: the documents are kept until the end (as an audit must keep the
 * objects its cross-object rules compare), for reference beside the budget's floor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';

/** Reads and parses every file of `dir` (sorted); returns the number of non-empty documents. */
export function bareParse(dir: string, keep = false): number {
  const kept: unknown[] = [];
  let docs = 0;
  for (const f of fs.readdirSync(dir).sort()) {
    jsYaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8'), (d) => {
      if (!d) return;
      docs++;
      if (keep) kept.push(d);
    });
  }
  // read at the end, so that the kept documents live until then
  return keep ? kept.length : docs;
}
