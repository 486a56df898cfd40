/**
 * The scalars of Kubernetes' YAML reader, as a js-yaml schema.
 *
 * The API server and kubectl read YAML with go-yaml v2 (through sigs.k8s.io/yaml)
 * into untyped values, then JSON. That is YAML 1.1 with go-yaml's own choices:
 * `yes`/`on`/`y` are booleans and `0400` is octal (256), but base-60 numbers
 * (`1:30`) are deliberately not supported and timestamps stay strings.
 */
import { boolYaml11Tag, defineScalarTag, FAILSAFE_SCHEMA, mergeTag, NOT_RESOLVED, nullYaml11Tag, Schema } from 'js-yaml';

/** What Go's `strconv.ParseInt(s, 0, 64)` accepts once go-yaml has removed every `_`. */
const INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's `yamlStyleFloat`, tried when the text is not an int. */
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: { [text: string]: number } = {};
for (const word of ['inf', 'Inf', 'INF']) {
  SPECIAL_FLOATS[`.${word}`] = SPECIAL_FLOATS[`+.${word}`] = Infinity;
  SPECIAL_FLOATS[`-.${word}`] = -Infinity;
}
for (const word of ['nan', 'NaN', 'NAN']) SPECIAL_FLOATS[`.${word}`] = NaN;

const BASES: { [prefix: string]: number } = { b: 2, o: 8, x: 16 };

/** Go strips `_` before reading digits and signs, so `1_000` is 1000. */
function plain(source: string): string {
  return source.includes('_') ? source.replace(/_/g, '') : source;
}

function resolveInt(source: string): number | typeof NOT_RESOLVED {
  const text = plain(source);
  if (!INT.test(text)) return NOT_RESOLVED;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = /^[-+]/.test(text) ? text.slice(1) : text;
  const base = digits[0] === '0' ? BASES[(digits[1] ?? '').toLowerCase()] : undefined;
  if (base !== undefined) return sign * parseInt(digits.slice(2), base);
  return sign * parseInt(digits, digits.length > 1 && digits[0] === '0' ? 8 : 10);
}

function resolveFloat(source: string): number | typeof NOT_RESOLVED {
  if (source in SPECIAL_FLOATS) return SPECIAL_FLOATS[source];
  // a leading '.' goes straight to Go's ParseFloat, which takes no `_`
  const text = source[0] === '.' ? source : plain(source);
  return FLOAT.test(text) ? Number(text) : NOT_RESOLVED;
}

const SIGNS_AND_DIGITS = ['-', '+', ...'0123456789'];

const intTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: SIGNS_AND_DIGITS,
  resolve: resolveInt,
  identify: () => false,
});

const floatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: [...SIGNS_AND_DIGITS, '.'],
  resolve: resolveFloat,
  identify: () => false,
});

/** Strings, sequences, mappings, YAML 1.1 null and booleans, go-yaml's ints and floats, and merge keys. */
export const KUBERNETES_YAML_SCHEMA = new Schema([...FAILSAFE_SCHEMA.tags, nullYaml11Tag, boolYaml11Tag, intTag, floatTag, mergeTag]);
