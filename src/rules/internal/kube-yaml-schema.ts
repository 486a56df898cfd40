/**
 * The scalars of Kubernetes' YAML reader, as a js-yaml schema.
 *
 * The API server and kubectl read YAML with go-yaml v2 (through sigs.k8s.io/yaml)
 * into untyped values, then JSON. That is YAML 1.1 with go-yaml's own choices:
 * `yes`/`on`/`y` are booleans and `0400` is octal (256), but base-60 numbers
 * (`1:30`) are deliberately not supported and timestamps stay strings.
 */
import { FAILSAFE_SCHEMA, Type } from 'js-yaml';

/** What Go's `strconv.ParseInt(s, 0, 64)` accepts once go-yaml has removed every `_`. */
const INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's `yamlStyleFloat`, tried when the text is not an int. */
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS = new Map<string, number>();
for (const word of ['inf', 'Inf', 'INF']) {
  SPECIAL_FLOATS.set(`.${word}`, Infinity).set(`+.${word}`, Infinity).set(`-.${word}`, -Infinity);
}
for (const word of ['nan', 'NaN', 'NAN']) SPECIAL_FLOATS.set(`.${word}`, NaN);

const BASES = new Map([['b', 2], ['o', 8], ['x', 16]]);

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLEANS = new Map<string, boolean>();
for (const word of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) BOOLEANS.set(word, true);
for (const word of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) BOOLEANS.set(word, false);

/** Go strips `_` before reading digits and signs, so `1_000` is 1000. */
function plain(source: string): string {
  return source.includes('_') ? source.replace(/_/g, '') : source;
}

/** Whether the first character is a digit, a sign or (with `dot`) a '.': most scalars are neither. */
function numberStart(source: string, dot: boolean): boolean {
  const c = source.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || (dot && c === 46);
}

/** Ints start with a digit or a sign (go-yaml looks at nothing else). */
function isInt(source: string): boolean {
  return numberStart(source, false) && INT.test(plain(source));
}

function constructInt(source: string): number {
  const text = plain(source);
  const sign = text[0] === '-' ? -1 : 1;
  const digits = /^[-+]/.test(text) ? text.slice(1) : text;
  const base = digits[0] === '0' ? BASES.get((digits[1] ?? '').toLowerCase()) : undefined;
  if (base !== undefined) return sign * parseInt(digits.slice(2), base);
  return sign * parseInt(digits, digits.length > 1 && digits[0] === '0' ? 8 : 10);
}

/** A leading '.' goes straight to Go's ParseFloat, which takes no `_`; signs and digits lose their `_` first. */
function floatText(source: string): string {
  return source[0] === '.' ? source : plain(source);
}

function isFloat(source: string): boolean {
  return numberStart(source, true) && (SPECIAL_FLOATS.has(source) || FLOAT.test(floatText(source)));
}

function constructFloat(source: string): number {
  return SPECIAL_FLOATS.get(source) ?? Number(floatText(source));
}

const isNull = (s: string) => s.length <= 4 && NULLS.has(s);
const isBool = (s: string) => s.length <= 5 && BOOLEANS.has(s);

/** The value of a plain (unquoted, untagged) scalar, as the schema below resolves it. */
export function resolvePlainScalar(s: string): unknown {
  if (isNull(s)) return null;
  if (isBool(s)) return BOOLEANS.get(s);
  if (isInt(s)) return constructInt(s);
  if (isFloat(s)) return constructFloat(s);
  return s;
}

const scalar = (tag: string, resolve: (s: string) => boolean, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s) => typeof s === 'string' && resolve(s), construct });

/** Strings, sequences, mappings, YAML 1.1 null and booleans, go-yaml's ints and floats, and merge keys (`<<`). */
export const KUBERNETES_YAML_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', isNull, () => null),
    scalar('bool', isBool, (s) => BOOLEANS.get(s)),
    scalar('int', isInt, constructInt),
    scalar('float', isFloat, constructFloat),
    scalar('merge', (s) => s === '<<', (s) => s),
  ],
});
