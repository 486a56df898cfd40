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
 * js-yaml does with `KUBERNETES_YAML_SCHEMA`, node lines included: the tests
 * compare both on every fixture and on generated texts.
 */
import { resolvePlainScalar } from './kube-yaml-schema';
import { MAPPING, NodeLog, SCALAR, SEQUENCE } from './node-log';

/** One line with content: its indentation, its text without indentation and trailing spaces, its 0-based number. */
interface Line {
  readonly indent: number;
  readonly text: string;
  readonly no: number;
}

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

/** The documents of `text`, logged into `log`; undefined (and nothing logged) when the text is outside the subset. */
export function readBlockYaml(text: string, log: NodeLog): unknown[] | undefined {
  if (OUTSIDE_ASCII.test(text)) return undefined;
  const first = log.count;
  try {
    return documents(text).map((lines) => new DocumentReader(lines, log).read());
  } catch (e) {
    if (e !== UNSUPPORTED) throw e;
    log.rollBack(first);
    return undefined;
  }
}

function unsupported(): never {
  throw UNSUPPORTED;
}

/** The content lines of each document (`---` separates them; comments and blank lines are dropped). */
function documents(text: string): Line[][] {
  const docs: Line[][] = [[]];
  const raws = text.split('\n');
  for (let no = 0; no < raws.length; no++) {
    const raw = raws[no].trimEnd();
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length || raw[indent] === '#') continue;
    if (indent === 0 && (raw.startsWith('---') || raw.startsWith('...') || raw[0] === '%')) {
      if (raw !== '---') unsupported();
      docs.push([]);
      continue;
    }
    docs[docs.length - 1].push({ indent, text: raw.slice(indent), no });
  }
  // only comments (or nothing) before the first `---` is no document; every other one has content
  if (docs[0].length === 0 && docs.length > 1) docs.shift();
  if (docs.some((d) => d.length === 0)) unsupported();
  return docs;
}

const isEntry = (text: string) => text === '-' || text.startsWith('- ');

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
  private pos = 0;

  constructor(private readonly lines: Line[], private readonly log: NodeLog) {}

  public read(): unknown {
    const value = this.block(0);
    if (this.pos < this.lines.length) unsupported();
    return value;
  }

  /** The mapping or sequence whose first line is the current one, at `depth`. */
  private block(depth: number): unknown {
    const line = this.lines[this.pos];
    return isEntry(line.text) ? this.sequence(line.indent, depth) : this.mapping(line.indent, depth);
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const lines = this.lines;
    this.log.add(depth, lines[this.pos].no, MAPPING);
    const out: Record<string, unknown> = {};
    while (this.pos < lines.length) {
      const line = lines[this.pos];
      if (line.indent < indent) break;
      if (line.indent > indent) unsupported();
      const entry = keyLine(line.text);
      if (!entry) unsupported();
      const { key, rest } = entry;
      if (key === '__proto__' || key === '<<' || Object.prototype.hasOwnProperty.call(out, key)) unsupported();
      this.log.add(depth + 1, line.no, SCALAR, key);
      this.pos++;
      out[key] = rest === '' ? this.below(indent, depth + 1, line.no) : this.inline(rest, depth + 1, line.no);
    }
    return out;
  }

  /** The value of a key with nothing after its colon: a block below it, a sequence at its indentation, or null. */
  private below(indent: number, depth: number, no: number): unknown {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) return this.block(depth);
    if (next && next.indent === indent && isEntry(next.text)) return this.sequence(indent, depth);
    this.log.add(depth, no, SCALAR);
    return null;
  }

  private sequence(indent: number, depth: number): unknown[] {
    const lines = this.lines;
    this.log.add(depth, lines[this.pos].no, SEQUENCE);
    const out: unknown[] = [];
    while (this.pos < lines.length) {
      const line = lines[this.pos];
      if (line.indent < indent || !isEntry(line.text)) break;
      if (line.indent > indent) unsupported();
      if (line.text === '-') {
        // the item starts on the next line, deeper (an empty item is left to js-yaml)
        this.pos++;
        if (this.pos === lines.length || lines[this.pos].indent <= indent) unsupported();
        out.push(this.block(depth + 1));
        continue;
      }
      let k = 2;
      while (line.text[k] === ' ') k++;
      const rest = line.text.slice(k);
      if (rest[0] === '#' || isEntry(rest)) unsupported();
      if (keyLine(rest)) {
        // a mapping whose first key is on the dash's line: its other keys line up with that one
        this.lines[this.pos] = { indent: indent + k, text: rest, no: line.no };
        out.push(this.mapping(indent + k, depth + 1));
      } else {
        this.pos++;
        out.push(this.inline(rest, depth + 1, line.no));
      }
    }
    return out;
  }

  /** A value on the line of its key or dash: a scalar, `[]` or `{}`; the value must end on this line. */
  private inline(text: string, depth: number, no: number): unknown {
    const next = this.lines[this.pos];
    // a deeper line after a value: a continued scalar, or an error; both left to js-yaml
    if (next && next.indent > this.lines[this.pos - 1].indent) unsupported();
    const c = text[0];
    if (c === '[' || c === '{') {
      if (!onlyComment(text.slice(2)) || text[1] !== (c === '[' ? ']' : '}')) unsupported();
      this.log.add(depth, no, c === '[' ? SEQUENCE : MAPPING);
      return c === '[' ? [] : {};
    }
    this.log.add(depth, no, SCALAR);
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
