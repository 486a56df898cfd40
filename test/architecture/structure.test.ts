/**
 * Issue 15's structural limits, checked on the source: no function in src/
 * longer than 80 lines, no import circle between src/ modules, no branch on
 * the latch's mode outside the mode strategies (src/latch/modes/), and no
 * emitted object that escapes the type checker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = sourceFiles(SRC);
const parsed = new Map(files.map((f) => [f, ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true)]));

test(`no function in src/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = [];
  for (const [file, sf] of parsed) {
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = sf.getLineAndCharacterOfPosition(node.end).line;
        if (last - first + 1 > MAX_FUNCTION_LINES) long.push(`${path.relative(SRC, file)}:${first + 1} (${last - first + 1} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  expect(long).toEqual([]);
});

test('no import circle between the modules of src/ (type-only imports aside)', () => {
  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => parsed.has(f));
  };
  const edges = new Map<string, string[]>();
  for (const [file, sf] of parsed) {
    const deps: string[] = [];
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || st.importClause?.isTypeOnly) continue;
      const spec = (st.moduleSpecifier as ts.StringLiteral).text;
      const target = spec.startsWith('.') ? resolve(file, spec) : undefined;
      if (target) deps.push(target);
    }
    edges.set(file, deps);
  }
  // Tarjan's strongly connected components: a component of more than one module is a circle
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(SRC, w));
      } while (w !== v);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const f of parsed.keys()) if (!index.has(f)) connect(f);
  expect(circles).toEqual([]);
});

/** The latch mode strategies: the only files of src/ that may branch on the mode. */
const MODES_DIR = path.join(SRC, 'latch', 'modes');

/**
 * What a branch on the latch's mode looks like in the source, and where else it may be.
 * A rule (src/rules/) that reads the `superlatch.io/mode` value of a manifest reads data
 * (also of foreign manifests), so it may compare it, but with the contract's constants
 * (`SuperlatchKeys.MODE_*`), never a literal; the contract (src/contract.ts) defines them.
 */
const MODE_BRANCHES: Array<{ what: string; pattern: RegExp; alsoIn: string[] }> = [
  { what: 'an enum-style mode member', pattern: /\bLatchMode\.[A-Z][A-Z_]*\b/, alsoIn: [] },
  { what: "the hub mode's name as a literal", pattern: /['"`]hub['"`]/, alsoIn: ['contract.ts'] },
  { what: "the sidecar mode's name as a literal, next to a mode", pattern: /mode\b.*['"`]sidecar['"`]|['"`]sidecar['"`].*\bmode/i, alsoIn: ['contract.ts'] },
  { what: 'a mode compared', pattern: /\bmode(\.name)?\s*[!=]==?|[!=]==?\s*[\w.]*\bmode(\.name)?\b|\bcontract\.name\s*[!=]==?/, alsoIn: ['rules/'] },
  { what: 'a mode annotation compared', pattern: /MODE_ANNOTATION\]\s*[!=]==?/, alsoIn: ['rules/'] },
  { what: "a mode's contract constant", pattern: /\bMODE_(SIDECAR|HUB)\b/, alsoIn: ['contract.ts', 'rules/'] },
  { what: "a mode's class or contract tested", pattern: /instanceof\s+\w*Mode\b|\b(SIDECAR|HUB)_CONTRACT\b/, alsoIn: [] },
  { what: 'a switch on a mode', pattern: /switch\s*\([^)]*mode/i, alsoIn: [] },
];

/** The code of a source line, without comments (a good-enough cut: doc lines, and `// ...` after code). */
function codeOf(line: string): string {
  const t = line.trim();
  if (t.startsWith('*') || t.startsWith('/*') || t.startsWith('//')) return '';
  return line.replace(/\s\/\/\s.*$/, '');
}

/** The mode branches of `text` (a file at `rel`, relative to src/), as `rel:line: what: code`. */
function modeBranches(rel: string, text: string): string[] {
  if (path.join(SRC, rel).startsWith(MODES_DIR + path.sep)) return [];
  return text.split('\n').flatMap((line, i) => {
    const code = codeOf(line);
    return MODE_BRANCHES.filter((b) => b.pattern.test(code) && !b.alsoIn.some((a) => rel === a || (a.endsWith('/') && rel.startsWith(a))))
      .map((b) => `${rel}:${i + 1}: ${b.what}: ${code.trim()}`);
  });
}

test('nothing in src/ outside the mode strategies (src/latch/modes/) branches on the latch mode', () => {
  const found = [...parsed.keys()].flatMap((f) => modeBranches(path.relative(SRC, f).split(path.sep).join('/'), fs.readFileSync(f, 'utf8')));
  expect(found).toEqual([]);
});

test('the mode-branch check finds the branches it is meant to find, and only those', () => {
  const flagged = (rel: string, code: string) => modeBranches(rel, code).length > 0;
  // what src/ had before the modes were strategies
  expect(flagged('latch/latch-pod.ts', '  if (spec.mode === LatchMode.SIDECAR) {')).toBe(true);
  expect(flagged('latch/latch.ts', '    return this.master ? [this.master] : this.mode === LatchMode.SIDECAR ? this.guardedObjects : [];')).toBe(true);
  expect(flagged('guardrails/admission-expressions.ts', "    latch.mode === 'sidecar'")).toBe(true);
  expect(flagged('guardrails/falco-document.ts', "  if (w.mode === 'hub' && w.role === 'guarded') branches.hub.push(pod);")).toBe(true);
  expect(flagged('guardrails/falco-model.ts', "    const writer = annotations[K.MODE_ANNOTATION] === 'sidecar' ? annotations[K.WRITER_ANNOTATION] : undefined;")).toBe(true);
  expect(flagged('rules/internal/latch.ts', "  return lp.mode === 'hub' && lp.role === SuperlatchKeys.ROLE_GUARDED;")).toBe(true);
  expect(flagged('latch/latch.ts', '    if (this.mode.name === SuperlatchKeys.MODE_HUB) {')).toBe(true);
  expect(flagged('latch/latch.ts', '    if (this.mode._strategy instanceof HubMode) {')).toBe(true);
  expect(flagged('guardrails/x.ts', '    switch (latch.mode) {')).toBe(true);
  // what is not a branch on the mode: a rule reading a manifest's mode with the contract's constant,
  // a native sidecar container, the strategies themselves, comments
  expect(flagged('rules/internal/latch.ts', '  return lp.mode === SuperlatchKeys.MODE_HUB && lp.role === SuperlatchKeys.ROLE_GUARDED;')).toBe(false);
  expect(flagged('namespace/namespace-fit.ts', "      if (kind === 'sidecar') addInto(this.sidecars[g], use[g]);")).toBe(false);
  expect(flagged('latch/modes/hub.ts', "  if (mode === 'hub') {")).toBe(false);
  expect(flagged('latch/latch-mode.ts', ' * `sidecar` or `hub`, as the mode === annotation says')).toBe(false);
});

/** `{ ... } as any` (parentheses aside). */
function isLiteralAsAny(node: ts.Node): boolean {
  if (!ts.isAsExpression(node) || node.type.kind !== ts.SyntaxKind.AnyKeyword) return false;
  let inner: ts.Expression = node.expression;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  return ts.isObjectLiteralExpression(inner);
}

/** Places where an emitted object escapes the type checker; `emit()` (src/internal/manifest.ts) is the one typed bridge. */
function untypedObjects(file: string, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const at = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    // an object literal cast to any: the compiler checks none of its fields
    const literalAsAny = isLiteralAsAny(node);
    if (literalAsAny) out.push(`${at(node)} ({ ... } as any)`);
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'ApiObject' && file !== path.join('internal', 'manifest.ts')) {
      const props = node.arguments?.[2];
      // ({ ... } as any) is reported above
      if (props && ts.isAsExpression(props) && !isLiteralAsAny(props)) out.push(`${at(node)} (new ApiObject(..., ... as ${props.type.getText(sf)}))`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

test('no object the library emits is untyped: no `{ ... } as any`, no ApiObject built from a cast', () => {
  const untyped = [...parsed].flatMap(([file, sf]) => untypedObjects(path.relative(SRC, file), sf));
  expect(untyped).toEqual([]);
});

test('the untyped-object check finds both forms', () => {
  const sample = ts.createSourceFile('x.ts', [
    "new ApiObject(this, 'a', { apiVersion: 'v1', kind: 'ConfigMap' } as any);",
    "const p = ({ kind: 'X' }) as any;",
    "new ApiObject(this, 'b', props as ApiObjectProps);",
    "emit<ConfigMap>(this, 'c', { apiVersion: 'v1', kind: 'ConfigMap' });",
  ].join('\n'), ts.ScriptTarget.Latest, true);
  expect(untypedObjects('x.ts', sample)).toEqual([
    'x.ts:1 ({ ... } as any)', 'x.ts:2 ({ ... } as any)', 'x.ts:3 (new ApiObject(..., ... as ApiObjectProps))',
  ]);
});
