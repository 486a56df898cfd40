/**
 * A YAML stream read as Kubernetes reads it, that still knows where each node is.
 *
 * js-yaml reports every node it opens and closes to a listener. We log them in
 * the order they open (depth, line, kind, and the value of scalars, which are
 * the keys), in typed arrays, so that the line of any field can be found later
 * by walking the log, at no parsing cost and without keeping an object per node
 * for the garbage collector to carry.
 */
import { loadAll, State, YAMLException } from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA } from './kube-yaml-schema';

/** A text that is not valid YAML, with the 1-based line of the error. */
export class YamlSyntaxError extends Error {
  constructor(public readonly line: number, public readonly reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'YamlSyntaxError';
  }
}

const MAPPING = 1;
const SEQUENCE = 2;

/** The nodes of a stream in the order they open: documents' roots at depth 0. */
class NodeLog {
  public count = 0;
  public depths = new Int32Array(256);
  /** 0-based line each node opens on (a key's own line, a sequence item's dash). */
  public lines = new Int32Array(256);
  public kinds = new Uint8Array(256);
  /** The value of each scalar (for matching keys); undefined for the others. */
  public readonly scalars: unknown[] = [];
  private readonly open: number[] = [];

  public readonly listen = (event: string, state: State): void => {
    if (event === 'open') {
      if (this.count === this.depths.length) this.grow();
      this.depths[this.count] = this.open.length;
      this.lines[this.count] = state.line;
      this.scalars.push(undefined);
      this.open.push(this.count++);
    } else {
      const i = this.open.pop()!;
      if (state.kind === 'scalar') this.scalars[i] = state.result;
      else if (state.kind === 'mapping') this.kinds[i] = MAPPING;
      else if (state.kind === 'sequence') this.kinds[i] = SEQUENCE;
    }
  };

  /** The nodes one level below `node`, in order. */
  public children(node: number): number[] {
    const out: number[] = [];
    const depth = this.depths[node] + 1;
    for (let i = node + 1; i < this.count && this.depths[i] >= depth; i++) {
      if (this.depths[i] === depth) out.push(i);
    }
    return out;
  }

  /** Typed arrays keep the log out of the garbage collector's way; they double when full. */
  private grow(): void {
    const double = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const bigger = make(a.length * 2);
      bigger.set(a);
      return bigger;
    };
    this.depths = double(this.depths, (n) => new Int32Array(n));
    this.lines = double(this.lines, (n) => new Int32Array(n));
    this.kinds = double(this.kinds, (n) => new Uint8Array(n));
  }
}

export class YamlStream {
  /** Parses every document; throws `YamlSyntaxError` on invalid YAML. */
  public static read(text: string): YamlStream {
    const log = new NodeLog();
    try {
      return new YamlStream(log, loadAll(text, undefined, { schema: KUBERNETES_YAML_SCHEMA, listener: log.listen }));
    } catch (e) {
      if (!(e instanceof YAMLException)) throw e;
      throw new YamlSyntaxError(e.mark.line + 1, e.reason);
    }
  }

  private roots?: number[];

  private constructor(
    private readonly log: NodeLog,
    /** The value of each document (null for an empty one). */
    public readonly documents: unknown[],
  ) {}

  /**
   * The 1-based line of the node at `path` in document `doc`: the line of its
   * key in a mapping, of its item in a sequence. When the path leaves the
   * document (a field that is not set), the line of the deepest node on it.
   */
  public lineOf(doc: number, path: ReadonlyArray<string | number>): number {
    if (!this.roots) {
      this.roots = [];
      for (let i = 0; i < this.log.count; i++) if (this.log.depths[i] === 0) this.roots.push(i);
    }
    let node = this.roots[doc];
    let value: any = this.documents[doc];
    let line = this.log.lines[node];
    for (const segment of path) {
      // follow the value too: it says whether the field is there at all (merge keys, aliases)
      if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) break;
      const child = this.child(node, segment);
      if (child === undefined) break;
      node = child.node;
      line = child.line;
      value = value[segment];
    }
    return line + 1;
  }

  /** The node of `segment` below `node`, and the line to report for it. */
  private child(node: number, segment: string | number): { node: number; line: number } | undefined {
    const { kinds, lines, scalars } = this.log;
    const children = this.log.children(node);
    if (kinds[node] === SEQUENCE && typeof segment === 'number') {
      return segment < children.length ? { node: children[segment], line: lines[children[segment]] } : undefined;
    }
    if (kinds[node] !== MAPPING) return undefined;
    // a mapping's children are its keys and values, in turn
    for (let k = 0; k + 1 < children.length; k += 2) {
      if (String(scalars[children[k]]) === String(segment)) return { node: children[k + 1], line: lines[children[k]] };
    }
    return undefined;
  }
}
