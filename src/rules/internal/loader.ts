import * as fs from 'fs';
import * as path from 'path';
import { YamlStream, YamlSyntaxError } from './yaml-stream';

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

/**
 * Parses one YAML (or JSON) text as Kubernetes does (YAML 1.1 scalars as
 * go-yaml reads them, so `0400` is octal); throws `ManifestLoadError` naming
 * the file and line when it is not valid YAML.
 */
export function parseManifests(text: string, file: string): LoadedManifests {
  let stream: YamlStream;
  try {
    stream = YamlStream.read(text);
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    throw new ManifestLoadError(`${file}:${e.line}: invalid YAML: ${e.reason}`);
  }
  const objects: any[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  stream.documents.forEach((o: any, doc) => {
    if (o === null || o === undefined) return;
    const where = `${file}:${stream.lineOf(doc, [])}`;
    if (typeof o !== 'object' || Array.isArray(o) || typeof o.kind !== 'string') {
      skipped.push(where);
      return;
    }
    const items = o.kind.endsWith('List') && Array.isArray(o.items) ? o.items : [o];
    for (const item of items) {
      objects.push(item);
      sources.push(where);
    }
  });
  return { objects, sources, skipped };
}

/** One file to parse. */
interface SourceFile {
  readonly file: string;
  readonly text: string;
}

/** Parses files in order; stops at the first bad one. */
export function parseFiles(files: SourceFile[]): LoadedManifests {
  const objects: any[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  for (const { file, text } of files) {
    const loaded = parseManifests(text, file);
    objects.push(...loaded.objects);
    sources.push(...loaded.sources);
    skipped.push(...loaded.skipped);
  }
  return { objects, sources, skipped };
}

function readFiles(inputs: string[]): SourceFile[] {
  return expandInputs(inputs).map((file) => {
    try {
      return { file, text: fs.readFileSync(file, 'utf-8') };
    } catch (e) {
      throw new ManifestLoadError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
}

/** Reads every manifest under the given files and folders. */
export function loadManifests(inputs: string[]): LoadedManifests {
  return parseFiles(readFiles(inputs));
}
