/**
 * A reader for the block YAML that tools write for Kubernetes (kubectl, Helm,
 * cdk8s and the yaml package): block mappings and sequences, one-line plain and
 * quoted scalars, empty flow collections, comments, several documents.
 *
 * It gives up (returns undefined) as soon as a text uses anything else: anchors,
 * aliases, tags, block and multi-line scalars, flow content, escapes, directives,
 * empty documents, tabs, carriage returns or characters outside printable ASCII,
 * and anything js-yaml might reject (bad indentation, duplicate keys). The
 * caller then reads the text with js-yaml. What it does read, it reads exactly as
 * js-yaml does with `KUBERNETES_YAML_SCHEMA`; and `blockLineOf` finds the line
 * of any node in such a text where js-yaml's node events place it. The tests
 * compare both with js-yaml on every fixture and on generated texts.
 *
 * Both work on line offsets (`Lines`), not on a string or an object per line:
 * most of what the reader allocates is the values it returns, and it keeps no
 * positions, since most objects of an audit never need one.
 */
import { resolvePlainScalar } from './kube-yaml-schema';

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
const UNSUPPORTED = new Error('outside the block YAML subset');

/** Anything but line feeds and printable ASCII (tabs, carriage returns, a byte-order mark, non-ASCII). */
const OUTSIDE_ASCII = /[^\n\x20-\x7e]/;
/** A plain key: what Kubernetes field names, label and annotation keys are made of. */
const PLAIN_KEY = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*/;
/** Characters that start something other than a plain scalar (or a plain scalar we leave to js-yaml). */
const INDICATORS = new Set(['[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '?', ':', '"', "'"]);
/** Inside a plain value: flow indicators, left to js-yaml. */
const FLOW = /[[\]{}]/;

const SPACE = 32;
const HASH = 35;
const PERCENT = 37;
const DASH = 45;

/** The documents of `text`, or undefined when the text is outside the subset. */
export function readBlockYaml(text: string): unknown[] | undefined {
  if (OUTSIDE_ASCII.test(text)) return undefined;
  try {
    const lines = new Lines(text);
    const out: unknown[] = [];
    for (let d = 0; d < lines.documents; d++) out.push(new DocumentReader(lines, d).read());
    return out;
  } catch (e) {
    if (e !== UNSUPPORTED) throw e;
    return undefined;
  }
}

function unsupported(): never {
  throw UNSUPPORTED;
}

/**
 * The content lines of a text, by document (`---` separates them; comments and
 * blank lines are dropped): for each, its 0-based number, its indentation, and
 * where its text starts and stops (trailing spaces dropped). Numbers only, no
 * string or object per line. Directives, `...`, anything after `---` on its
 * line and empty documents are outside the subset.
 */
export class Lines {
  public readonly no: number[] = [];
  public readonly indent: number[] = [];
  private readonly start: number[] = [];
  private readonly stop: number[] = [];
  /** The index of the first line of each document. */
  private readonly starts: number[] = [0];

  constructor(private readonly src: string) {
    const n = src.length;
    let from = 0;
    for (let no = 0; from <= n; no++) {
      let to = src.indexOf('\n', from);
      if (to < 0) to = n;
      let stop = to;
      while (stop > from && src.charCodeAt(stop - 1) === SPACE) stop--;
      let at = from;
      while (at < stop && src.charCodeAt(at) === SPACE) at++;
      if (at < stop && src.charCodeAt(at) !== HASH) {
        if (at === from && (src.startsWith('---', at) || src.startsWith('...', at) || src.charCodeAt(at) === PERCENT)) {
          if (stop - at !== 3 || src.charCodeAt(at) !== DASH) unsupported();
          this.starts.push(this.no.length);
        } else {
          this.no.push(no);
          this.indent.push(at - from);
          this.start.push(at);
          this.stop.push(stop);
        }
      }
      from = to + 1;
    }
    // only comments (or nothing) before the first `---` is no document; every other one has content
    if (this.starts.length > 1 && this.starts[1] === 0) this.starts.shift();
    for (let d = 0; d < this.starts.length; d++) if (this.first(d) === this.end(d)) unsupported();
  }

  public get documents(): number {
    return this.starts.length;
  }

  /** The first line of document `d`. */
  public first(d: number): number {
    return this.starts[d];
  }

  /** One past the last line of document `d`. */
  public end(d: number): number {
    return d + 1 < this.starts.length ? this.starts[d + 1] : this.no.length;
  }

  /** The text of line `i` from column `column` on (default: from its indentation), without trailing spaces. */
  public text(i: number, column = this.indent[i]): string {
    return this.src.slice(this.start[i] + column - this.indent[i], this.stop[i]);
  }
}

/**
 * The 0-based line of the node at `path` in document `doc` of a text the block
 * reader read (`value`: what it read for that document): the line of its key in
 * a mapping, of its item in a sequence; when the path leaves the document (a
 * field that is not set), the line of the deepest node on it.
 */
export function blockLineOf(lines: Lines, doc: number, value: unknown, path: ReadonlyArray<string | number>): number {
  const end = lines.end(doc);
  // the current node: its first line, and the column its content starts at on that line
  let pos = lines.first(doc);
  let column = lines.indent[pos];
  let line = lines.no[pos];
  let v: any = value;
  for (const segment of path) {
    // follow the value: it says whether the field is there, and what kind of node it is
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, segment)) break;
    let i = pos;
    if (Array.isArray(v)) {
      // the items are the entries at the sequence's column; deeper lines belong to them
      for (let item = 0; item < (segment as number); i++) if (lines.indent[i + 1] === column) item++;
      const t = lines.text(i);
      if (t === '-') {
        // the item starts on the next line
        pos = i + 1;
        column = lines.indent[pos];
      } else {
        // a mapping whose first key is on the dash's line starts at that key
        pos = i;
        column += afterDash(t);
      }
      line = lines.no[pos];
      v = v[segment as number];
      continue;
    }
    // a mapping's keys are on the lines at its column; its first line may start after a dash
    const key = String(segment);
    let entry = keyLine(lines.text(i, column));
    while (entry?.key !== key) {
      do i++; while (i < end && lines.indent[i] !== column);
      if (i === end) throw new Error(`key ${key} is in the value but not in the text`);
      entry = keyLine(lines.text(i));
    }
    line = lines.no[i];
    v = v[key];
    // a collection below its key (not `[]` or `{}` on the key's line) starts on the next line
    if (entry.rest === '' && v !== null && typeof v === 'object') {
      pos = i + 1;
      column = lines.indent[pos];
    } else {
      // the value is on the key's line: the path can go no deeper
      v = undefined;
    }
  }
  return line;
}

const isEntry = (text: string) => text === '-' || text.startsWith('- ');

/** Where an entry's item starts in its line (`- ` and any further spaces). */
function afterDash(entry: string): number {
  let k = 2;
  while (entry.charCodeAt(k) === SPACE) k++;
  return k;
}

/** A key at the start of `text` and what follows its colon (empty: the value is on the next lines). */
interface KeyLine {
  readonly key: string;
  readonly rest: string;
}

/** `text` as `key: rest`, or undefined if it does not start with a key we read. */
function keyLine(text: string): KeyLine | undefined {
  let key: string;
  let after: number;
  const c = text[0];
  if (c === '"' || c === "'") {
    const q = quoted(text);
    if (!q) return undefined;
    key = q.value;
    after = q.end;
  } else {
    const m = PLAIN_KEY.exec(text);
    if (!m) return undefined;
    key = String(resolvePlainScalar(m[0]));
    after = m[0].length;
  }
  if (text[after] !== ':' || (after + 1 < text.length && text[after + 1] !== ' ')) return undefined;
  const rest = text.slice(after + 1).trimStart();
  return { key, rest: rest[0] === '#' ? '' : rest };
}

/** A one-line quoted scalar at the start of `text`: its value and where it ends; undefined if it does not close (or has escapes). */
function quoted(text: string): { value: string; end: number } | undefined {
  const q = text[0];
  if (q === '"') {
    const close = text.indexOf('"', 1);
    if (close < 0 || text.lastIndexOf('\\', close) > 0) return undefined;
    return { value: text.slice(1, close), end: close + 1 };
  }
  let value = '';
  let from = 1;
  for (;;) {
    const close = text.indexOf("'", from);
    if (close < 0) return undefined;
    value += text.slice(from, close);
    if (text[close + 1] !== "'") return { value, end: close + 1 };
    value += "'";
    from = close + 2;
  }
}

/** What may follow a scalar on its line: nothing, or a comment after a space. */
function onlyComment(rest: string): boolean {
  return rest === '' || (rest[0] === ' ' && rest.trimStart()[0] === '#');
}


class DocumentReader {
  private pos: number;
  private readonly end: number;

  constructor(private readonly lines: Lines, doc: number) {
    this.pos = lines.first(doc);
    this.end = lines.end(doc);
  }

  public read(): unknown {
    const value = this.block();
    if (this.pos < this.end) unsupported();
    return value;
  }

  /** The mapping or sequence whose first line is the current one. */
  private block(): unknown {
    const indent = this.lines.indent[this.pos];
    const text = this.lines.text(this.pos);
    return isEntry(text) ? this.sequence(indent) : this.mapping(indent, text);
  }

  /** A mapping at column `indent`; `first`: its first line's text from that column (after a dash, for an item's mapping). */
  private mapping(indent: number, first: string): Record<string, unknown> {
    const lines = this.lines;
    const out: Record<string, unknown> = {};
    let text = first;
    for (;;) {
      const entry = keyLine(text);
      if (!entry) unsupported();
      const { key, rest } = entry;
      if (key === '__proto__' || key === '<<' || Object.prototype.hasOwnProperty.call(out, key)) unsupported();
      this.pos++;
      out[key] = rest === '' ? this.below(indent) : this.inline(rest, indent);
      if (this.pos === this.end || lines.indent[this.pos] < indent) break;
      if (lines.indent[this.pos] > indent) unsupported();
      text = lines.text(this.pos);
    }
    return out;
  }

  /** The value of a key at column `indent` with nothing after its colon: a block below it, a sequence at its column, or null. */
  private below(indent: number): unknown {
    if (this.pos === this.end) return null;
    const next = this.lines.indent[this.pos];
    if (next > indent) return this.block();
    if (next === indent && isEntry(this.lines.text(this.pos))) return this.sequence(indent);
    return null;
  }

  private sequence(indent: number): unknown[] {
    const lines = this.lines;
    const out: unknown[] = [];
    while (this.pos < this.end) {
      const at = lines.indent[this.pos];
      if (at < indent) break;
      const text = lines.text(this.pos);
      if (!isEntry(text)) break;
      if (at > indent) unsupported();
      if (text === '-') {
        // the item starts on the next line, deeper (an empty item is left to js-yaml)
        this.pos++;
        if (this.pos === this.end || lines.indent[this.pos] <= indent) unsupported();
        out.push(this.block());
        continue;
      }
      const k = afterDash(text);
      const rest = text.slice(k);
      if (rest[0] === '#' || isEntry(rest)) unsupported();
      if (keyLine(rest)) {
        // a mapping whose first key is on the dash's line: its other keys line up with that one
        out.push(this.mapping(indent + k, rest));
      } else {
        this.pos++;
        out.push(this.inline(rest, indent));
      }
    }
    return out;
  }

  /**
   * A value on the line of its key or dash (`column`: where that key or dash is):
   * a scalar, `[]` or `{}`; the value must end on this line.
   */
  private inline(text: string, column: number): unknown {
    // a deeper line after a value: a continued scalar, or an error; both left to js-yaml
    if (this.pos < this.end && this.lines.indent[this.pos] > column) unsupported();
    const c = text[0];
    if (c === '[' || c === '{') {
      if (!onlyComment(text.slice(2)) || text[1] !== (c === '[' ? ']' : '}')) unsupported();
      return c === '[' ? [] : {};
    }
    if (c === '"' || c === "'") {
      const q = quoted(text);
      if (!q || !onlyComment(text.slice(q.end))) unsupported();
      return q.value;
    }
    if (INDICATORS.has(c) || (c === '-' && (text.length === 1 || text[1] === ' '))) unsupported();
    const comment = text.indexOf(' #');
    const plain = comment < 0 ? text : text.slice(0, comment).trimEnd();
    if (plain.includes(': ') || plain.endsWith(':') || FLOW.test(plain)) unsupported();
    return resolvePlainScalar(plain);
  }
}
