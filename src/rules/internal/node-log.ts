/**
 * The nodes of a YAML stream as a log, in the order they open: depth, line, kind and,
 * for a scalar in a key position, its text as a mapping key. Typed arrays, so the log
 * costs the garbage collector a few arrays, not an object per node. Only a text that
 * js-yaml reads is logged, and only when a line is asked for (yaml-stream.ts).
 */
import type { State } from 'js-yaml';

export const SCALAR = 0;
export const MAPPING = 1;
export const SEQUENCE = 2;

/** Room for the nodes of a few objects; the arrays double when full. */
const INITIAL = 512;

export class NodeLog {
  public count = 0;
  public depths = new Int32Array(INITIAL);
  /** 0-based line each node opens on (a key's own line, a sequence item's first line). */
  public lines = new Int32Array(INITIAL);
  public kinds = new Uint8Array(INITIAL);
  /**
   * For a scalar at an even position among its parent's children (a key, when the
   * parent is a mapping): its text as a key. Otherwise undefined.
   */
  public readonly keys: Array<string | undefined> = [];
  /** js-yaml's events: the open nodes, innermost last, how many children each has had, and whether each is in a key position. */
  private readonly open: number[] = [];
  private readonly childCounts: number[] = [];
  private readonly keyPositions: boolean[] = [];

  /** A js-yaml listener that logs every node it reads. */
  public readonly listen = (event: string, state: State): void => {
    const open = this.open;
    if (event === 'open') {
      const depth = open.length;
      // even positions of a mapping's children are its keys
      const keyPosition = depth > 0 && this.childCounts[depth - 1]++ % 2 === 0;
      open.push(this.add(depth, state.line, SCALAR));
      this.childCounts.push(0);
      this.keyPositions.push(keyPosition);
    } else {
      const i = open.pop()!;
      this.childCounts.pop();
      const keyPosition = this.keyPositions.pop();
      if (state.kind === 'mapping') this.kinds[i] = MAPPING;
      else if (state.kind === 'sequence') this.kinds[i] = SEQUENCE;
      else if (keyPosition) this.keys[i] = String(state.result);
    }
  };

  /** Appends a node; returns its index. */
  public add(depth: number, line: number, kind: number, key?: string): number {
    const i = this.count++;
    if (i === this.depths.length) this.grow();
    this.depths[i] = depth;
    this.lines[i] = line;
    this.kinds[i] = kind;
    this.keys.push(key);
    return i;
  }

  /** The typed arrays double when full. */
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
