/**
 * A small evaluator for the subset of the Falco condition language the generated rules use
 * (and, or, not, parentheses, =, !=, in, pmatch, macros, lists), to test what the rules alert on
 * with synthetic events. An event is a map of Falco field names to values; like Falco, a
 * comparison on a field the event does not have is false. `fd.snet in (...)` matches the
 * event's `fd.sip` against the CIDRs. This is not Falco: `falco --validate` is still needed.
 */
export type FalcoEvent = Record<string, string | number | boolean>;

interface Definitions {
  readonly lists: Map<string, string[]>;
  readonly macros: Map<string, string>;
}

const TOKEN = /\s*(\(|\)|,|!=|=|"[^"]*"|[^\s(),=!"]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) tokens.push(m[1]);
  if (text.slice(TOKEN.lastIndex).trim() !== '') throw new Error(`cannot tokenize: ${text.slice(TOKEN.lastIndex)}`);
  return tokens;
}

const unquote = (t: string) => (t.startsWith('"') ? t.slice(1, -1) : t);

function ipv4(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p < 256) ? parts.reduce((a, p) => a * 256 + p, 0) : undefined;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(net);
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: string[],
    private readonly defs: Definitions,
    private readonly event: FalcoEvent,
    private readonly depth: number,
  ) {}

  public parse(): boolean {
    const value = this.or();
    if (this.pos !== this.tokens.length) throw new Error(`unexpected '${this.tokens[this.pos]}'`);
    return value;
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }

  private next(): string {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new Error('unexpected end of condition');
    return t;
  }

  private or(): boolean {
    let v = this.and();
    while (this.peek() === 'or') {
      this.next();
      v = this.and() || v;
    }
    return v;
  }

  private and(): boolean {
    let v = this.not();
    while (this.peek() === 'and') {
      this.next();
      v = this.not() && v;
    }
    return v;
  }

  private not(): boolean {
    if (this.peek() === 'not') {
      this.next();
      return !this.not();
    }
    return this.atom();
  }

  private atom(): boolean {
    const t = this.next();
    if (t === '(') {
      const v = this.or();
      if (this.next() !== ')') throw new Error('missing )');
      return v;
    }
    const op = this.peek();
    if (op === '=' || op === '!=') {
      this.next();
      const value = unquote(this.next());
      if (!(t in this.event)) return false;
      return (String(this.event[t]) === value) === (op === '=');
    }
    if (op === 'in' || op === 'pmatch') {
      this.next();
      const items = this.items();
      if (t === 'fd.snet') return typeof this.event['fd.sip'] === 'string' && items.some((c) => inCidr(this.event['fd.sip'] as string, c));
      if (!(t in this.event)) return false;
      const v = String(this.event[t]);
      return op === 'in' ? items.includes(v) : items.some((p) => v === p || v.startsWith(p.endsWith('/') ? p : `${p}/`));
    }
    const macro = this.defs.macros.get(t);
    if (macro === undefined) throw new Error(`'${t}' is neither a comparison nor a defined macro`);
    if (this.depth > 20) throw new Error('macro recursion');
    return new Parser(tokenize(macro), this.defs, this.event, this.depth + 1).parse();
  }

  private items(): string[] {
    if (this.next() !== '(') throw new Error('expected (');
    const out: string[] = [];
    for (;;) {
      const t = this.next();
      const list = this.defs.lists.get(t);
      if (list) out.push(...list);
      else out.push(unquote(t));
      const sep = this.next();
      if (sep === ')') return out;
      if (sep !== ',') throw new Error(`expected , or ) but got ${sep}`);
    }
  }
}

/** Names of the rules of `items` (a parsed rules file) whose condition matches `event`. */
export function matchingRules(items: any[], event: FalcoEvent): string[] {
  const defs: Definitions = { lists: new Map(), macros: new Map() };
  for (const item of items) {
    if ('list' in item) defs.lists.set(item.list, item.items.map((i: unknown) => unquote(String(i))));
    if ('macro' in item) defs.macros.set(item.macro, item.condition);
  }
  // lists may reference lists
  for (const [name, values] of defs.lists) defs.lists.set(name, values.flatMap((v) => defs.lists.get(v) ?? [v]));
  return items.filter((i) => 'rule' in i && new Parser(tokenize(i.condition), defs, event, 0).parse()).map((i) => i.rule);
}

/**
 * The macros and lists a condition refers to: bare words that are not part of a comparison
 * (macros), and the items of `in (...)` / `pmatch (...)` named like ours (`superlatch_*`, lists).
 */
export function referencedNames(condition: string): string[] {
  const tokens = tokenize(condition);
  const out: string[] = [];
  let inItems = false;
  tokens.forEach((t, i) => {
    if (inItems) {
      if (t === ')') inItems = false;
      else if (t.startsWith('superlatch_')) out.push(t);
      return;
    }
    if ((t === 'in' || t === 'pmatch') && tokens[i + 1] === '(') {
      inItems = true;
      return;
    }
    const comparison = ['=', '!=', 'in', 'pmatch'].includes(tokens[i + 1]) || ['=', '!='].includes(tokens[i - 1]);
    if (/^[a-z_][a-z0-9_]*$/.test(t) && !comparison && !['and', 'or', 'not', 'in', 'pmatch'].includes(t)) out.push(t);
  });
  return out;
}
