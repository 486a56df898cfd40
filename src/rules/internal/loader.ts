import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';

/** Input that cannot be read or parsed; the message names the file and line. */
export class ManifestLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestLoadError';
  }
}

/** Objects read from files, with `file:line` of each. */
export interface LoadedManifests {
  readonly objects: any[];
  readonly sources: string[];
  /** Documents that were skipped because they are not Kubernetes objects (`file:line`). */
  readonly skipped: string[];
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Files named by `inputs`: files as given, folders walked recursively (YAML/JSON only), in a stable order. */
export function expandInputs(inputs: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) files.push(full);
    }
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (e) {
      throw new ManifestLoadError(`${input}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (stat.isDirectory()) walk(input);
    else files.push(input);
  }
  return files;
}

/** Parses one YAML (or JSON) text with Kubernetes' YAML 1.1 rules (so `0400` is octal). */
export function parseManifests(text: string, file: string): LoadedManifests {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, version: '1.1', prettyErrors: false });
  const objects: any[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const line = (offset: number | undefined) => lineCounter.linePos(offset ?? 0).line;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      throw new ManifestLoadError(`${file}:${line(err.pos[0])}: invalid YAML: ${err.message.split('\n')[0]}`);
    }
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const where = `${file}:${line(doc.contents?.range?.[0])}`;
    if (typeof value !== 'object' || Array.isArray(value) || typeof value.kind !== 'string') {
      skipped.push(where);
      continue;
    }
    const items = value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      objects.push(item);
      sources.push(where);
    }
  }
  return { objects, sources, skipped };
}

/** Reads every manifest under the given files and folders. */
export function loadManifests(inputs: string[]): LoadedManifests {
  const objects: any[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  for (const file of expandInputs(inputs)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      throw new ManifestLoadError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const loaded = parseManifests(text, file);
    objects.push(...loaded.objects);
    sources.push(...loaded.sources);
    skipped.push(...loaded.skipped);
  }
  return { objects, sources, skipped };
}
