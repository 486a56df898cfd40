/**
 * Which Falco release loads each field the generated rules use, in the form they use it, so the
 * rules file can declare `required_engine_version` and the header the true minimum Falco. Adding
 * a field to a condition or an output without adding it here fails the tests; an entry with a
 * later release raises the minimum everywhere (file, header, docs test).
 */

/** The Falco releases the table refers to, with their rule engine and libs versions. */
export const FALCO_RELEASES: Record<string, { readonly engine: string; readonly libs: string }> = {
  // falco_engine_version.h: FALCO_ENGINE_VERSION 26 (an integer only, for the loader too)
  '0.36.0': { engine: '26', libs: '0.13.1' },
  // FALCO_ENGINE_VERSION_MAJOR.MINOR.PATCH = 0.31.0; the loader accepts an integer or "x.y.z"
  '0.37.0': { engine: '0.31.0', libs: '0.14.2' },
};

/** A field as the rules use it: the Falco release from which it loads, and why that one. */
export interface FieldRequirement {
  readonly falco: keyof typeof FALCO_RELEASES;
  readonly why?: string;
}

const OLD: FieldRequirement = { falco: '0.36.0' };

/**
 * Every field of the generated conditions and outputs. `0.36.0` means "in the field registry of
 * Falco 0.36's libs (0.13.1)"; older releases were not checked.
 */
export const FIELD_REQUIREMENTS: Record<string, FieldRequirement> = {
  'container.id': OLD,
  'container.image.repository': OLD,
  'container.name': OLD,
  'evt.arg': OLD,
  'evt.dir': OLD,
  'evt.is_open_write': OLD,
  'evt.rawres': OLD,
  'evt.res': OLD,
  'evt.type': OLD,
  'fd.connected': OLD,
  'fd.l4proto': OLD,
  'fd.name': OLD,
  'fd.name_changed': OLD,
  'fd.snet': OLD,
  'fd.sport': OLD,
  'fd.typechar': OLD,
  'fs.path.name': OLD,
  'fs.path.source': OLD,
  'fs.path.target': OLD,
  'k8s.ns.name': OLD,
  'k8s.pod.label': {
    falco: '0.37.0',
    why: 'k8s.pod.label[key]: libs 0.14 (Falco 0.37.0) accepts the bracket argument; libs 0.13 (Falco 0.36) raises a filter syntax error, and its lexer cannot write a key with "/" (app.kubernetes.io/name) in the dot form either',
  },
  'k8s.pod.name': OLD,
  'proc.cmdline': OLD,
  'proc.exepath': OLD,
  'proc.name': OLD,
  'proc.pcmdline': OLD,
  'proc.pname': OLD,
  'proc.tty': OLD,
  'proc.vpid': OLD,
};

/** Fields written with an argument (`name[arg]` or `name.arg`). */
const WITH_ARGUMENT = ['evt.arg', 'k8s.pod.label'];

/** A field use: the registry name, and how its argument is written. */
export interface FieldUse {
  readonly field: string;
  readonly argument?: { readonly form: 'bracket' | 'dot'; readonly value: string };
}

/** The fields a condition uses (quoted strings skipped), or an output (its `%field`s). */
export function fieldUses(text: string, kind: 'condition' | 'output' = 'condition'): FieldUse[] {
  const unquoted = kind === 'condition' ? text.replace(/"[^"]*"|'[^']*'/g, '""') : text;
  const pattern = kind === 'condition'
    ? /(?<![\w.%-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(\[[^\]]*\])?/g
    : /%([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(\[[^\]]*\])?/g;
  const out: FieldUse[] = [];
  for (const m of unquoted.matchAll(pattern)) {
    const name = m[1];
    const withArg = WITH_ARGUMENT.find((f) => name === f || name.startsWith(`${f}.`));
    if (withArg && m[2]) out.push({ field: withArg, argument: { form: 'bracket', value: m[2].slice(1, -1) } });
    else if (withArg && name !== withArg) out.push({ field: withArg, argument: { form: 'dot', value: name.slice(withArg.length + 1) } });
    else out.push({ field: name });
  }
  return out;
}

/** `a.b.c` versions, compared numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The oldest Falco release that loads every field of the conditions and outputs, with its
 * engine version. Throws on a field missing from the table.
 */
export function falcoRequirement(conditions: string[], outputs: string[]): { falco: string; engine: string; reasons: string[] } {
  let falco = '0.36.0';
  const reasons = new Set<string>();
  for (const use of [...conditions.flatMap((c) => fieldUses(c)), ...outputs.flatMap((o) => fieldUses(o, 'output'))]) {
    const req = FIELD_REQUIREMENTS[use.field];
    if (!req) throw new Error(`cdk8s-superlatch: the Falco field '${use.field}' is not in FIELD_REQUIREMENTS (src/guardrails/falco-fields.ts). Fix: add it with the Falco release that first loads it`);
    if (compareVersions(req.falco, falco) > 0) falco = req.falco;
    if (req.why) reasons.add(req.why);
  }
  return { falco, engine: FALCO_RELEASES[falco].engine, reasons: [...reasons] };
}
