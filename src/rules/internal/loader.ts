import * as fs from 'fs';
import * as path from 'path';
import { pathSegments } from './manifests';
import { YamlStream, YamlSyntaxError } from './yaml-stream';
import type { ObjectSource } from '../engine';

/** Input that cannot be read or parsed; the message names the file and line. */
export class ManifestLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestLoadError';
  }
}

/** Where one object was read: a document of a YAML stream, or an item of a List in one. */
class ObjectLocation implements ObjectSource {
  constructor(
    public readonly file: string,
    private readonly stream: YamlStream,
    private readonly doc: number,
    private readonly prefix: ReadonlyArray<string | number>,
  ) {}

  public lineOf(fieldPath: string): number {
    return this.stream.lineOf(this.doc, [...this.prefix, ...pathSegments(fieldPath)]);
  }
}

/** Objects read from one text, with where each came from. */
export interface ParsedManifests {
  readonly objects: any[];
  /** File and lines of each object. */
  readonly sources: ObjectSource[];
  /** Documents that were skipped because they are not Kubernetes objects (`file:line`). */
  readonly skipped: string[];
}

/** Objects read from files, and the files that could not be read. */
export interface LoadedManifests extends ParsedManifests {
  /** One line for each input that could not be read or parsed; everything else is loaded all the same. */
  readonly errors: string[];
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function cannotRead(where: string, e: unknown): string {
  return `${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
}

/**
 * Files named by `inputs`: files as given, folders walked recursively (YAML/JSON
 * only), in a stable order; inputs and folders that cannot be read go to `errors`.
 */
export function expandInputs(inputs: string[]): { files: string[]; errors: string[] } {
  const files: string[] = [];
  const errors: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push(cannotRead(dir, e));
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
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
      errors.push(cannotRead(input, e));
      continue;
    }
    if (stat.isDirectory()) walk(input);
    else files.push(input);
  }
  return { files, errors };
}

/**
 * Parses one YAML (or JSON) text as Kubernetes does (YAML 1.1 scalars as
 * go-yaml reads them, so `0400` is octal); throws `ManifestLoadError` naming
 * the file and line when it is not valid YAML.
 */
export function parseManifests(text: string, file: string): ParsedManifests {
  let stream: YamlStream;
  try {
    stream = YamlStream.read(text);
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    throw new ManifestLoadError(`${file}:${e.line}: invalid YAML: ${e.reason}`);
  }
  const objects: any[] = [];
  const sources: ObjectSource[] = [];
  const skipped: string[] = [];
  stream.documents.forEach((o: any, doc) => {
    if (o === null || o === undefined) return;
    if (typeof o !== 'object' || Array.isArray(o) || typeof o.kind !== 'string') {
      skipped.push(`${file}:${stream.lineOf(doc, [])}`);
      return;
    }
    const list = o.kind.endsWith('List') && Array.isArray(o.items);
    (list ? o.items as any[] : [o]).forEach((item, i) => {
      objects.push(item);
      sources.push(new ObjectLocation(file, stream, doc, list ? ['items', i] : []));
    });
  });
  return { objects, sources, skipped };
}

/** Reads every manifest under the given files and folders; a bad file is named in `errors`, the others are read. */
export function loadManifests(inputs: string[]): LoadedManifests {
  const { files, errors } = expandInputs(inputs);
  const objects: any[] = [];
  const sources: ObjectSource[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      const loaded = parseManifests(fs.readFileSync(file, 'utf-8'), file);
      objects.push(...loaded.objects);
      sources.push(...loaded.sources);
      skipped.push(...loaded.skipped);
    } catch (e) {
      errors.push(e instanceof ManifestLoadError ? e.message : cannotRead(file, e));
    }
  }
  return { objects, sources, skipped, errors };
}
