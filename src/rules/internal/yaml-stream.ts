/**
 * A YAML stream read as Kubernetes reads it, that still knows where each node is.
 *
 * js-yaml parses the text into a flat list of events that point into the text,
 * then builds the values from that list. We keep the list, so that the line of
 * any field can be found later by walking it, at no parsing cost.
 */
import { constructFromEvents, Event, EVENT_ID, getScalarValue, parseEvents, YAMLException } from 'js-yaml';
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

export class YamlStream {
  /** Parses every document; throws `YamlSyntaxError` on invalid YAML. */
  public static read(text: string): YamlStream {
    try {
      const events = parseEvents(text, {});
      return new YamlStream(text, events, constructFromEvents(events, { source: text, schema: KUBERNETES_YAML_SCHEMA }));
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
    private readonly events: Event[],
    /** The value of each document (null for an empty one). */
    public readonly documents: unknown[],
  ) {
    events.forEach((e, i) => {
      if (e.type === EVENT_ID.DOCUMENT) this.roots.push(i + 1);
    });
  }

  /**
   * The 1-based line of the node at `path` in document `doc`: the line of its
   * key in a mapping, of its item in a sequence. When the path leaves the
   * document (a field that is not set), the line of the deepest node on it.
   */
  public lineOf(doc: number, path: ReadonlyArray<string | number>): number {
    let node = this.roots[doc];
    let offset = startOf(this.events[node]);
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
    if (this.events[node].type !== EVENT_ID.MAPPING) return undefined;
    for (let i = node + 1; this.events[i].type !== EVENT_ID.POP;) {
      const k = this.events[i];
      const value = this.after(i);
      if (k.type === EVENT_ID.SCALAR && getScalarValue(this.text, k) === key) return { node: value, offset: k.valueStart };
      i = this.after(value);
    }
    return undefined;
  }

  /** Item `index` of the sequence at `node`. */
  private item(node: number, index: number): Step | undefined {
    if (this.events[node].type !== EVENT_ID.SEQUENCE) return undefined;
    let i = node + 1;
    for (let n = 0; n < index && this.events[i].type !== EVENT_ID.POP; n++) i = this.after(i);
    return this.events[i].type === EVENT_ID.POP ? undefined : { node: i, offset: startOf(this.events[i]) };
  }

  /** Index of the event after the node that starts at `i` (past its closing POP for collections). */
  private after(i: number): number {
    let depth = 0;
    do {
      const type = this.events[i++].type;
      if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE) depth++;
      else if (type === EVENT_ID.POP) depth--;
    } while (depth > 0);
    return i;
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
