/**
 * A YAML stream read as Kubernetes reads it, that can still say where each node is.
 *
 * The block YAML that tools write for Kubernetes is read by our own reader
 * (block-yaml.ts); any other text by js-yaml. Reading keeps no positions: most
 * objects of an audit never need one, and a log of every node of every file
 * cost about 450 ms CPU and 100 MB at 10000 workloads. When a line is asked for, a text the block
 * reader read is searched for it line by line (`blockLineOf`, guided by the
 * values read); any other text is read once more by js-yaml, this time logging
 * every node it opens and closes (node-log.ts), and the line found in that log.
 */
import { loadAll, YAMLException } from 'js-yaml';
import { blockLineOf, Lines, readBlockYaml } from './block-yaml';
import { KUBERNETES_YAML_SCHEMA } from './kube-yaml-schema';
import { MAPPING, NodeLog, SEQUENCE } from './node-log';

/** A text that is not valid YAML, with the 1-based line of the error. */
export class YamlSyntaxError extends Error {
  constructor(public readonly line: number, public readonly reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'YamlSyntaxError';
  }
}

export class YamlStream {
  /**
   * Parses every document; throws `YamlSyntaxError` on invalid YAML.
   * `reader: 'js-yaml'` skips the block reader (the tests compare the two).
   */
  public static read(text: string, reader: 'any' | 'js-yaml' = 'any'): YamlStream {
    const block = reader === 'any' ? readBlockYaml(text) : undefined;
    if (block) return new YamlStream(text, block, true);
    try {
      return new YamlStream(text, loadAll(text, undefined, { schema: KUBERNETES_YAML_SCHEMA }), false);
    } catch (e) {
      if (!(e instanceof YAMLException)) throw e;
      throw new YamlSyntaxError(e.mark.line + 1, e.reason);
    }
  }

  /** A text the block reader read: its lines, on the first `lineOf`. */
  private lines?: Lines;
  /** Any other text: its nodes, logged on the first `lineOf`. */
  private log?: NodeLog;
  private roots?: number[];
  /** The line to report for the node `child` last found: its key's in a mapping, its own in a sequence. */
  private childLine = 0;

  private constructor(
    private readonly text: string,
    /** The value of each document (null for an empty one). */
    public readonly documents: unknown[],
    /** Whether the block reader read it (else js-yaml). */
    public readonly byBlockReader: boolean,
  ) {}

  /** Whether positions have been looked up (a line was asked for). */
  public get positioned(): boolean {
    return this.lines !== undefined || this.log !== undefined;
  }

  /** Reads the text again with js-yaml, logging every node. */
  private nodes(): NodeLog {
    if (this.log) return this.log;
    const log = new NodeLog();
    loadAll(this.text, undefined, { schema: KUBERNETES_YAML_SCHEMA, listener: log.listen });
    this.roots = [];
    for (let i = 0; i < log.count; i++) if (log.depths[i] === 0) this.roots.push(i);
    this.log = log;
    return log;
  }

  /**
   * The 1-based line of the node at `path` in document `doc`: the line of its
   * key in a mapping, of its item in a sequence. When the path leaves the
   * document (a field that is not set), the line of the deepest node on it.
   */
  public lineOf(doc: number, path: ReadonlyArray<string | number>): number {
    if (this.byBlockReader) return blockLineOf(this.lines ??= new Lines(this.text), doc, this.documents[doc], path) + 1;
    const log = this.nodes();
    let node = this.roots![doc];
    let value: any = this.documents[doc];
    let line = log.lines[node];
    for (const segment of path) {
      // follow the value too: it says whether the field is there at all (merge keys, aliases)
      if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) break;
      const child = this.child(node, segment);
      if (child < 0) break;
      node = child;
      line = this.childLine;
      value = value[segment];
    }
    return line + 1;
  }

  /** The node of `segment` below `node`, or -1 (then the path leaves the document here). */
  private child(node: number, segment: string | number): number {
    const { depths, kinds, lines, keys, count: end } = this.log!;
    const depth = depths[node] + 1;
    if (kinds[node] === SEQUENCE) {
      if (typeof segment !== 'number') return -1;
      let position = 0;
      for (let i = node + 1; i < end && depths[i] >= depth; i++) {
        if (depths[i] !== depth || position++ !== segment) continue;
        this.childLine = lines[i];
        return i;
      }
      return -1;
    }
    if (kinds[node] !== MAPPING) return -1;
    const key = String(segment);
    // a mapping's children are its keys and values, in turn: the value follows its key
    let position = 0;
    let keyNode = -1;
    for (let i = node + 1; i < end && depths[i] >= depth; i++) {
      if (depths[i] !== depth) continue;
      if (keyNode >= 0) {
        this.childLine = lines[keyNode];
        return i;
      }
      if (position++ % 2 === 0 && keys[i] === key) keyNode = i;
    }
    return -1;
  }
}
