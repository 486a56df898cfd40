/**
 * How the agent reads one environment variable: what each kind of variable (seconds, path,
 * integer, ...) accepts, and how its entry describes itself to the help text and the docs.
 */
import type { CommandName } from './commands';

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem; `variable` is the environment variable (or file) to fix. */
export class ConfigError extends Error {
  constructor(public readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** What every variable declares about itself. */
export interface VariableSpec {
  readonly name: string;
  /** The value used when it is unset or empty, written as one would set it. */
  readonly default?: string;
  /** When the default is not a constant: how it is derived. */
  readonly derivedDefault?: string;
  /** The commands that read it. */
  readonly usedBy: readonly CommandName[];
  /** One sentence or a few, plain text (backticks allowed). */
  readonly description: string;
}

export interface Variable<T> extends VariableSpec {
  /** The kind of value, for people: `seconds`, `path`, `integer`, ... */
  readonly type: string;
  /** The values accepted, for people. */
  readonly allowed: string;
  /** The value of a set variable; throws a `ConfigError` naming the variable. */
  parse(raw: string): T;
}

/** The raw value of `name`, trimmed, or `undefined` when unset or empty. */
function get(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Whether `name` is set to a non-empty value. */
export function isSet(env: Env, v: VariableSpec): boolean {
  return get(env, v.name) !== undefined;
}

/** The parsed value of `v`: its own, else its default, else `undefined`. */
export function read<T>(env: Env, v: Variable<T> & { readonly default: string }): T;
export function read<T>(env: Env, v: Variable<T>): T | undefined;
export function read<T>(env: Env, v: Variable<T>): T | undefined {
  const raw = get(env, v.name) ?? v.default;
  return raw === undefined ? undefined : v.parse(raw);
}

/** A duration in (possibly fractional) seconds, read in milliseconds. */
export function seconds<S extends VariableSpec>(spec: S & { readonly min: number; readonly max: number }): S & Variable<number> {
  return {
    ...spec,
    type: 'seconds',
    allowed: `${spec.min}–${spec.max}`,
    parse: (raw) => {
      if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(spec.name, `expected a number of seconds, got ${JSON.stringify(raw)}`);
      const value = Number(raw);
      if (value < spec.min || value > spec.max) throw new ConfigError(spec.name, `must be between ${spec.min} and ${spec.max} seconds, got ${raw}`);
      return Math.round(value * 1000);
    },
  };
}

export function integer<S extends VariableSpec>(spec: S & { readonly min: number; readonly max: number }): S & Variable<number> {
  return {
    ...spec,
    type: 'integer',
    allowed: `${spec.min}–${spec.max}`,
    parse: (raw) => {
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < spec.min || value > spec.max) {
        throw new ConfigError(spec.name, `must be a whole number between ${spec.min} and ${spec.max}, got ${JSON.stringify(raw)}`);
      }
      return value;
    },
  };
}

export function choice<S extends VariableSpec, C extends string>(spec: S & { readonly choices: readonly C[] }): S & Variable<C> {
  const words = spec.choices.join(' or ');
  return {
    ...spec,
    type: 'word',
    allowed: spec.choices.map((c) => `\`${c}\``).join(' or '),
    parse: (raw) => {
      if (!(spec.choices as readonly string[]).includes(raw)) throw new ConfigError(spec.name, `must be ${words}, got ${JSON.stringify(raw)}`);
      return raw as C;
    },
  };
}

export interface TextRule {
  readonly pattern: RegExp;
  /** What a value must be, for people. */
  readonly allowed: string;
  /** Never echo a wrong value (credentials). */
  readonly secret?: boolean;
}

/** `raw` when it follows `rule`; else a `ConfigError` naming `source`. */
export function checkText(source: string, rule: TextRule, raw: string): string {
  if (!rule.pattern.test(raw)) {
    throw new ConfigError(source, `must be ${rule.allowed.replace(/`/g, '')}${rule.secret ? '' : `, got ${JSON.stringify(raw)}`}`);
  }
  return raw;
}

export function text<S extends VariableSpec>(spec: S & TextRule): S & Variable<string> {
  return { ...spec, type: 'text', parse: (raw) => checkText(spec.name, spec, raw) };
}

export function filePath<S extends VariableSpec>(spec: S): S & Variable<string> {
  return {
    ...spec,
    type: 'path',
    allowed: 'absolute file path',
    parse: (raw) => {
      if (!raw.startsWith('/') || raw.endsWith('/')) throw new ConfigError(spec.name, `must be an absolute file path, got ${JSON.stringify(raw)}`);
      return raw;
    },
  };
}

/** A directory; whether it exists is checked where it is used. */
export function directory<S extends VariableSpec>(spec: S): S & Variable<string> {
  return { ...spec, type: 'path', allowed: 'an existing directory', parse: (raw) => raw };
}

