/** The audit's floor: every file of a folder read and parsed with js-yaml, nothing kept, nothing else. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';

/** Reads and parses every file of `dir` (sorted); returns the number of non-empty documents. */
export function bareParse(dir: string): number {
  let docs = 0;
  for (const f of fs.readdirSync(dir).sort()) {
    jsYaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8'), (d) => {
      if (d) docs++;
    });
  }
  return docs;
}
