/**
 * A fast reader for the block-style YAML that tools emit (cdk8s, kubectl,
 * helm template): nested block mappings and sequences, plain and quoted
 * one-line scalars, literal block scalars, empty or JSON flow collections,
 * comments and `---` separators.
 *
 * It is an accelerator, not a YAML parser: the moment a document uses anything
 * else (anchors, tags, folded or multi-line scalars, complex keys, a scalar
 * whose YAML 1.1 type is not obvious, duplicate keys, tabs, ...), it gives up
 * on that document and the loader hands it to the `yaml` package, which also
 * produces every error message. A differential test pins that both agree.
 */

/** Thrown internally to hand a document back to the full parser. */
class Unsupported extends Error {}

/** A parsed document: its value and the 1-based line of its first content line. */
export interface FastDocument {
  readonly value: unknown;
  readonly line: number;
}

/** YAML 1.1 words for booleans and null: never guessed, always exact. */
const WORDS: { [word: string]: unknown } = {};
for (const w of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) WORDS[w] = true;
for (const w of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) WORDS[w] = false;
for (const w of ['~', 'null', 'Null', 'NULL']) WORDS[w] = null;

/** Shapes of YAML 1.1 ints, floats and timestamps (with `_` separators, bases, sexagesimal, .inf/.nan). */
const MAYBE_NOT_STRING = [
  /^[-+]?[0-9_]+$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
  /^[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?$/,
  /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];

/** Resolves a plain one-line scalar the way YAML 1.1 does, or gives up when unsure. */
function plainScalar(text: string): unknown {
  if (text in WORDS) return WORDS[text];
  // `a: b` or a trailing colon would be a mapping (or an error), not a scalar
  if (/:(\s|$)/.test(text)) throw new Unsupported();
  if (/^[&*!|>'"%@`{}[\],#?:]/.test(text) || /^-(\s|$)/.test(text) || text === '<<' || text === '=') throw new Unsupported();
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?0[0-7]+$/.test(text)) return (text[0] === '-' ? -1 : 1) * parseInt(text.replace(/^[-+]/, ''), 8);
  if (/^[-+]?[0-9]+\.[0-9]+$/.test(text)) return Number(text);
  // anything else that YAML 1.1 could read as a number or timestamp goes to the full parser;
  // the rest (500m, 256Mi, 10.0.0.0/8, 1024-4999, "1 0") is a string
  if (MAYBE_NOT_STRING.some((re) => re.test(text))) throw new Unsupported();
  return text;
}

/** Reads a quoted scalar starting at `s[0]`; returns the value and the rest of the line. */
function quoted(s: string): { value: string; rest: string } {
  if (s[0] === '\'') {
    let i = 1;
    let out = '';
    for (;;) {
      const j = s.indexOf('\'', i);
      if (j < 0) throw new Unsupported();
      out += s.slice(i, j);
      if (s[j + 1] === '\'') {
        out += '\'';
        i = j + 2;
      } else {
        return { value: out, rest: s.slice(j + 1) };
      }
    }
  }
  const m = /^"(?:[^"\\]|\\.)*"/.exec(s);
  if (!m) throw new Unsupported();
  try {
    return { value: JSON.parse(m[0]), rest: s.slice(m[0].length) };
  } catch {
    throw new Unsupported();
  }
}

/** Nothing but spaces and an optional comment. */
function assertEmptyRest(rest: string): void {
  if (!/^(\s*|\s+#.*)$/.test(rest)) throw new Unsupported();
}

/** An inline value after `key:` or `- ` (not empty, not a block scalar). */
function inlineValue(s: string): unknown {
  if (s[0] === '"' || s[0] === '\'') {
    const { value, rest } = quoted(s);
    assertEmptyRest(rest);
    return value;
  }
  if (s[0] === '[' || s[0] === '{') {
    const body = s.replace(/\s+#.*$/, '');
    try {
      return JSON.parse(body);
    } catch {
      throw new Unsupported();
    }
  }
  return plainScalar(s.replace(/\s+#.*$/, ''));
}

interface Line {
  readonly indent: number;
  /** Content after the indentation. */
  readonly text: string;
  /** 1-based line number. */
  readonly no: number;
}

class DocumentReader {
  private pos = 0;

  constructor(private readonly lines: Line[], private readonly raw: string[]) {}

  public read(): unknown {
    const value = this.node(-1);
    if (this.pos < this.lines.length) throw new Unsupported();
    return value;
  }

  private peek(): Line | undefined {
    return this.lines[this.pos];
  }

  /** A block node whose lines are indented more than `parent` (sequences may sit at `parent` under a key). */
  private node(parent: number, seqAtParent = false): unknown {
    const line = this.peek();
    if (!line) return null;
    if (line.text === '-' || line.text.startsWith('- ')) {
      if (line.indent > parent || (seqAtParent && line.indent === parent)) return this.sequence(line.indent);
      return null;
    }
    if (line.indent <= parent) return null;
    return this.mapping(line.indent);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && (line.text === '-' || line.text.startsWith('- ')); line = this.peek()) {
      const rest = line.text.slice(1);
      const content = rest.trimStart();
      if (content === '' || content.startsWith('#')) {
        this.pos++;
        out.push(this.node(indent));
      } else if (content.startsWith('- ')) {
        throw new Unsupported();
      } else {
        // the item's content starts on the dash line, at this column
        const column = indent + 1 + (rest.length - content.length);
        if (this.isKeyLine(content)) {
          this.lines[this.pos] = { indent: column, text: content, no: line.no };
          out.push(this.mapping(column));
        } else {
          this.pos++;
          out.push(this.value(content, indent, line.no));
        }
      }
    }
    return out;
  }

  private mapping(indent: number): { [key: string]: unknown } {
    const out: { [key: string]: unknown } = {};
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      if (line.text === '-' || line.text.startsWith('- ')) throw new Unsupported();
      const { key, rest } = this.key(line.text);
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new Unsupported();
      this.pos++;
      const content = rest.trimStart();
      if (content === '' || content.startsWith('#')) {
        out[key] = this.node(indent, true);
      } else {
        out[key] = this.value(content, indent, line.no);
      }
    }
    const next = this.peek();
    if (next && next.indent > indent) throw new Unsupported();
    return out;
  }

  /** A value on the same line as its key or dash; may open a literal block scalar. */
  private value(content: string, parentIndent: number, lineNo: number): unknown {
    const block = /^\|([-+]?)(\s+#.*)?$/.exec(content);
    if (block) return this.literal(parentIndent, lineNo, block[1]);
    if (content[0] === '>' || content[0] === '|') throw new Unsupported();
    const value = inlineValue(content);
    const next = this.peek();
    // a continuation line would make this a multi-line scalar
    if (next && next.indent > parentIndent && !(next.text === '-' || next.text.startsWith('- ')) && !this.isKeyLine(next.text)) {
      throw new Unsupported();
    }
    return value;
  }

  /** `|`, `|-` or `|+` content: raw lines more indented than the parent, up to the first less-indented one. */
  private literal(parentIndent: number, lineNo: number, chomp: string): string {
    const body: string[] = [];
    let indent = -1;
    let i = lineNo; // raw index of the line after the indicator
    for (; i < this.raw.length; i++) {
      const raw = this.raw[i];
      if (raw.trim() === '') {
        // spaces beyond the indentation would be content: leave that to the full parser
        if (indent >= 0 && raw.length > indent) throw new Unsupported();
        body.push('');
        continue;
      }
      const lead = raw.length - raw.trimStart().length;
      if (raw.slice(0, lead).includes('\t')) throw new Unsupported();
      if (indent < 0) {
        if (lead <= parentIndent) break;
        indent = lead;
      }
      if (lead < indent) break;
      body.push(raw.slice(indent));
    }
    if (indent < 0 && body.some((l) => l !== '')) throw new Unsupported();
    // skip the significant lines consumed by the scalar
    while (this.pos < this.lines.length && this.lines[this.pos].no <= i) this.pos++;
    let trailing = 0;
    while (trailing < body.length && body[body.length - 1 - trailing] === '') trailing++;
    const content = body.slice(0, body.length - trailing);
    if (content.length === 0) return '';
    const text = content.join('\n');
    if (chomp === '-') return text;
    if (chomp === '+') return text + '\n'.repeat(trailing + 1);
    return text + '\n';
  }

  private isKeyLine(text: string): boolean {
    try {
      this.key(text);
      return true;
    } catch {
      return false;
    }
  }

  /** `key: rest` with a plain or quoted key. */
  private key(text: string): { key: string; rest: string } {
    if (text[0] === '"' || text[0] === '\'') {
      const { value, rest } = quoted(text);
      if (!/^:(\s|$)/.test(rest)) throw new Unsupported();
      return { key: value, rest: rest.slice(1) };
    }
    const m = /^([^\s#'"&*!|>%@`{}[\],?:-][^#]*?|-[^\s#][^#]*?)\s*:(\s|$)/.exec(text);
    if (!m || m[1].includes(': ')) throw new Unsupported();
    const typed = plainScalar(m[1]);
    if (typed === null || typeof typed === 'boolean') throw new Unsupported();
    return { key: String(typed), rest: text.slice(m[0].length - m[2].length) };
  }
}

/**
 * Splits `text` into documents and reads each one; `undefined` for a document
 * this reader does not handle (the caller parses it with the `yaml` package).
 * Returns `undefined` altogether when the stream itself is unusual
 * (directives, tabs, document markers with content).
 */
export function fastParseDocuments(text: string): Array<{ source: string; firstLine: number; doc?: FastDocument }> | undefined {
  if (text.includes('\t') || text.includes('\r') || /^%/m.test(text) || /^(---|\.\.\.)(?![ ]*(#.*)?$)/m.test(text)) {
    return undefined;
  }
  const raw = text.split('\n');
  const out: Array<{ source: string; firstLine: number; doc?: FastDocument }> = [];
  let start = 0;
  const flush = (end: number) => {
    const rawLines = raw.slice(0, end);
    const lines: Line[] = [];
    for (let i = start; i < end; i++) {
      const r = raw[i];
      const t = r.trimStart();
      if (t === '' || t.startsWith('#')) continue;
      lines.push({ indent: r.length - t.length, text: t.trimEnd(), no: i + 1 });
    }
    const source = raw.slice(start, end).join('\n');
    if (lines.length === 0) {
      out.push({ source, firstLine: start + 1, doc: { value: null, line: start + 1 } });
      return;
    }
    try {
      const value = new DocumentReader(lines, rawLines).read();
      out.push({ source, firstLine: start + 1, doc: { value, line: lines[0].no } });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      out.push({ source, firstLine: start + 1 });
    }
  };
  for (let i = 0; i < raw.length; i++) {
    if (/^(---|\.\.\.)(\s|$)/.test(raw[i])) {
      if (raw[i].startsWith('...')) return undefined;
      if (i > start || out.length > 0) flush(i);
      start = i + 1;
    }
  }
  flush(raw.length);
  return out;
}
