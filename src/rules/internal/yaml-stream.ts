/**
 * A YAML stream read as Kubernetes reads it, that still knows where each node is.
 *
 * The block YAML that tools write for Kubernetes is read by our own reader
 * (block-yaml.ts); any other text by js-yaml, which reports every node it opens
 * and closes to a listener. Both log the nodes (node-log.ts), so that the line of
 * any field can be found later by walking the log.
 */
import { loadAll, YAMLException } from 'js-yaml';
import { readBlockYaml } from './block-yaml';
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
   * Parses every document; throws `YamlSyntaxError` on invalid YAML. Streams read
   * into one `log` (a loader's) share its arrays. `reader: 'js-yaml'` skips the
   * block reader (the tests compare the two).
   */
  public static read(text: string, log: NodeLog = new NodeLog(), reader: 'any' | 'js-yaml' = 'any'): YamlStream {
    const first = log.count;
    const block = reader === 'any' ? readBlockYaml(text, log) : undefined;
    if (block) return new YamlStream(log, first, log.count, block, true);
    try {
      const documents = loadAll(text, undefined, { schema: KUBERNETES_YAML_SCHEMA, listener: log.listen });
      return new YamlStream(log, first, log.count, documents, false);
    } catch (e) {
      log.rollBack(first);
      if (!(e instanceof YAMLException)) throw e;
      throw new YamlSyntaxError(e.mark.line + 1, e.reason);
    }
  }

  private roots?: number[];
  /** The line to report for the node `child` last found: its key's in a mapping, its own in a sequence. */
  private childLine = 0;

  private constructor(
    private readonly log: NodeLog,
    /** This stream's nodes in the log: `first` up to, not including, `end`. */
    private readonly first: number,
    private readonly end: number,
    /** The value of each document (null for an empty one). */
    public readonly documents: unknown[],
    /** Whether the block reader read it (else js-yaml). */
    public readonly byBlockReader: boolean,
  ) {}

  /**
   * The 1-based line of the node at `path` in document `doc`: the line of its
   * key in a mapping, of its item in a sequence. When the path leaves the
   * document (a field that is not set), the line of the deepest node on it.
   */
  public lineOf(doc: number, path: ReadonlyArray<string | number>): number {
    if (!this.roots) {
      this.roots = [];
      for (let i = this.first; i < this.end; i++) if (this.log.depths[i] === 0) this.roots.push(i);
    }
    let node = this.roots[doc];
    let value: any = this.documents[doc];
    let line = this.log.lines[node];
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
    const { depths, kinds, lines, keys } = this.log;
    const depth = depths[node] + 1;
    if (kinds[node] === SEQUENCE) {
      if (typeof segment !== 'number') return -1;
      let position = 0;
      for (let i = node + 1; i < this.end && depths[i] >= depth; i++) {
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
    for (let i = node + 1; i < this.end && depths[i] >= depth; i++) {
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
