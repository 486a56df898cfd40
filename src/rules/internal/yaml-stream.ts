/**
 * A YAML stream read as Kubernetes reads it, that still knows where each node is.
 *
 * js-yaml parses the text into a flat list of events that point into the text,
 * then builds the values from that list. We keep the list, packed, so that the
 * line of any field can be found later by walking it, at no parsing cost.
 */
import { constructFromEvents, Event, EVENT_ID, getScalarValue, parseEvents, ScalarEvent, YAMLException } from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA } from './kube-yaml-schema';

/** A text that is not valid YAML, with the 1-based line of the error. */
export class YamlSyntaxError extends Error {
  constructor(public readonly line: number, public readonly reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'YamlSyntaxError';
  }
}

/** Where a node's content starts (-1 for an empty scalar). */
function startOf(event: Event): number {
  switch (event.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return event.start;
    case EVENT_ID.SCALAR:
      return event.valueStart;
    case EVENT_ID.ALIAS:
      return event.anchorStart;
    default:
      return -1;
  }
}

/** One child found by a path step: its node's event index and the offset to report for it. */
interface Step {
  readonly node: number;
  readonly offset: number;
}

/**
 * The events of a stream, packed: a type and an offset per event (and an end
 * for scalars) in typed arrays, so that keeping them costs a few bytes per node
 * instead of an object the garbage collector has to carry.
 */
class PackedEvents {
  public readonly types: Uint8Array;
  public readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Scalars whose value is not simply their text (quoted, folded...), kept whole. */
  private readonly decoded = new Map<number, ScalarEvent>();

  constructor(private readonly text: string, events: Event[]) {
    this.types = new Uint8Array(events.length);
    this.starts = new Int32Array(events.length);
    this.ends = new Int32Array(events.length);
    events.forEach((e, i) => {
      this.types[i] = e.type;
      this.starts[i] = startOf(e);
      if (e.type !== EVENT_ID.SCALAR) return;
      this.ends[i] = e.valueEnd;
      if (!e.fast) this.decoded.set(i, e);
    });
  }

  /** The value of the scalar event `i`. */
  public scalar(i: number): string {
    const event = this.decoded.get(i);
    return event ? getScalarValue(this.text, event) : this.text.slice(this.starts[i], this.ends[i]);
  }

  /** Index of the event after the node that starts at `i` (past its closing POP for collections). */
  public after(i: number): number {
    let depth = 0;
    do {
      const type = this.types[i++];
      if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE) depth++;
      else if (type === EVENT_ID.POP) depth--;
    } while (depth > 0);
    return i;
  }
}

export class YamlStream {
  /** Parses every document; throws `YamlSyntaxError` on invalid YAML. */
  public static read(text: string): YamlStream {
    try {
      const events = parseEvents(text, {});
      return new YamlStream(text, new PackedEvents(text, events), constructFromEvents(events, { source: text, schema: KUBERNETES_YAML_SCHEMA }));
    } catch (e) {
      if (!(e instanceof YAMLException)) throw e;
      throw new YamlSyntaxError((e.mark?.line ?? 0) + 1, e.reason);
    }
  }

  /** Event index of each document's root node. */
  private readonly roots: number[] = [];
  private lineStarts?: number[];

  private constructor(
    private readonly text: string,
    private readonly events: PackedEvents,
    /** The value of each document (null for an empty one). */
    public readonly documents: unknown[],
  ) {
    events.types.forEach((type, i) => {
      if (type === EVENT_ID.DOCUMENT) this.roots.push(i + 1);
    });
  }

  /**
   * The 1-based line of the node at `path` in document `doc`: the line of its
   * key in a mapping, of its item in a sequence. When the path leaves the
   * document (a field that is not set), the line of the deepest node on it.
   */
  public lineOf(doc: number, path: ReadonlyArray<string | number>): number {
    let node = this.roots[doc];
    let offset = this.events.starts[node];
    for (const segment of path) {
      const step = typeof segment === 'number' ? this.item(node, segment) : this.entry(node, segment);
      if (!step) break;
      node = step.node;
      if (step.offset >= 0) offset = step.offset;
    }
    return this.line(Math.max(offset, 0));
  }

  /** The value of `key` in the mapping at `node`. */
  private entry(node: number, key: string): Step | undefined {
    const { types, starts } = this.events;
    if (types[node] !== EVENT_ID.MAPPING) return undefined;
    for (let i = node + 1; types[i] !== EVENT_ID.POP;) {
      const value = this.events.after(i);
      if (types[i] === EVENT_ID.SCALAR && this.events.scalar(i) === key) return { node: value, offset: starts[i] };
      i = this.events.after(value);
    }
    return undefined;
  }

  /** Item `index` of the sequence at `node`. */
  private item(node: number, index: number): Step | undefined {
    const { types, starts } = this.events;
    if (types[node] !== EVENT_ID.SEQUENCE) return undefined;
    let i = node + 1;
    for (let n = 0; n < index && types[i] !== EVENT_ID.POP; n++) i = this.events.after(i);
    return types[i] === EVENT_ID.POP ? undefined : { node: i, offset: starts[i] };
  }

  private line(offset: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}
