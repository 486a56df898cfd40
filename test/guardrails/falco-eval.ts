/**
 * A small evaluator for the subset of the Falco condition language the generated rules and the
 * vendored official macros use (and, or, not, parentheses, =, !=, <, <=, >, >=, in, pmatch,
 * contains, startswith, exists, macros, lists), to test what the rules alert on with synthetic
 * events. An event is a map of Falco field names to values; like Falco, a comparison on a field
 * the event does not have is false. `fd.snet` matches the event's `fd.sip` against CIDRs (IPv4
 * or IPv6), `fd.net` and `fd.ip` its `fd.sip` or `fd.cip`. This is not Falco: `falco --validate`
 * is still needed.
 */
export type FalcoEvent = Record<string, string | number | boolean>;

interface Definitions {
  readonly lists: Map<string, string[]>;
  readonly macros: Map<string, string>;
}

const TOKEN = /\s*(\(|\)|,|!=|>=|<=|=|<|>|"[^"]*"|'[^']*'|[^\s(),=!<>"']+)/y;

function tokenize(condition: string): string[] {
  const text = condition.trim();
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) tokens.push(m[1]);
  if (text.slice(TOKEN.lastIndex).trim() !== '') throw new Error(`cannot tokenize: ${text.slice(TOKEN.lastIndex)}`);
  return tokens;
}

const unquote = (t: string) => (t.startsWith('"') || t.startsWith("'") ? t.slice(1, -1) : t);

/** An IPv4 or IPv6 address as [bits, family], or undefined. */
function address(ip: string): [bigint, 4 | 6] | undefined {
  const v4 = (text: string): bigint | undefined => {
    const parts = text.split('.').map(Number);
    return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p < 256)
      ? parts.reduce((a, p) => a * 256n + BigInt(p), 0n) : undefined;
  };
  if (!ip.includes(':')) {
    const a = v4(ip);
    return a === undefined ? undefined : [a, 4];
  }
  let text = ip;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const a = v4(dotted[1]);
    if (a === undefined) return undefined;
    text = `${text.slice(0, dotted.index)}:${(a / 65536n).toString(16)}:${(a % 65536n).toString(16)}`;
  }
  const [head, rest, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => BigInt(`0x${g}`)) : []);
  const h = groups(head);
  const r = groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array(Math.max(0, 8 - h.length - r.length)).fill(0n), ...r];
  if (all.length !== 8) return undefined;
  return [all.reduce((a, g) => a * 65536n + g, 0n), 6];
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const a = address(ip);
  const b = address(net);
  if (a === undefined || b === undefined || a[1] !== b[1]) return false;
  const size = 2n ** BigInt((a[1] === 4 ? 32 : 128) - Number(bits));
  return a[0] / size === b[0] / size;
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
    if (op === 'exists') {
      this.next();
      return t in this.event;
    }
    if (op !== undefined && ['=', '!=', '<', '<=', '>', '>=', 'contains', 'startswith'].includes(op)) {
      this.next();
      const value = unquote(this.next());
      if (t === 'fd.ip' || t === 'fd.net') {
        const ips = ['fd.sip', 'fd.cip'].map((f) => this.event[f]).filter((x): x is string => typeof x === 'string');
        if (ips.length === 0) return false;
        const hit = ips.some((ip) => (t === 'fd.net' ? inCidr(ip, value) : ip === value));
        return op === '=' ? hit : !hit;
      }
      if (!(t in this.event)) return false;
      const v = this.event[t];
      switch (op) {
        case '=': return String(v) === value;
        case '!=': return String(v) !== value;
        case 'contains': return String(v).includes(value);
        case 'startswith': return String(v).startsWith(value);
        default: {
          const [x, y] = [Number(v), Number(value)];
          if (Number.isNaN(x) || Number.isNaN(y)) throw new Error(`'${t} ${op} ${value}' compares a non-number`);
          return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
        }
      }
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
    const operators = ['=', '!=', '<', '<=', '>', '>=', 'in', 'pmatch', 'contains', 'startswith', 'exists'];
    const comparison = operators.includes(tokens[i + 1]) || operators.includes(tokens[i - 1]);
    if (/^[a-z_][a-z0-9_]*$/.test(t) && !comparison && !['and', 'or', 'not', ...operators].includes(t)) out.push(t);
  });
  return out;
}
