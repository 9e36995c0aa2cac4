// What describing one environment variable takes, and the types derived from a description.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** One environment variable, described once: everything else about it is derived from this. */
export interface Variable {
  /** The `Config` field it becomes (camelCase of the name without `VS_`). */
  readonly field: string;
  /**
   * Type, bounds and `default` as JSON Schema: ajv validates the variable's string with it
   * (coercing numbers and booleans) and the field's type is inferred from it. Without a
   * `default` an unset variable leaves the field undefined (unless `parse` decides).
   */
  readonly schema: Exclude<JSONSchema, boolean>;
  /** One line for the operations guide's table. */
  readonly doc: string;
  /**
   * What a valid value looks like: it ends the `ConfigError` for an invalid one. `integer` and
   * `oneOf` make it, with the schema, from the bounds or the choices.
   */
  readonly expects: string;
  /** A secret is printed and logged as `[redacted]`, never in clear. */
  readonly secret?: boolean;
  /**
   * Makes the field from the validated value (undefined when unset and without default) and,
   * for a default computed from another variable, the other validated values.
   */
  // A method, not a function property: its parameters are checked bivariantly, so each
  // variable's parse can name the narrow types it takes.
  parse?(value: unknown, env: Readonly<Record<string, unknown>>): unknown;
}

/** The bounds of an integer variable, and its default if it has one. */
export interface IntegerBounds {
  readonly minimum: number;
  readonly maximum: number;
  readonly default?: number;
}

/**
 * The schema of an integer variable and what it expects, said from the schema's own bounds so
 * that none is written twice: `an integer <unit> from <minimum> (<zero>) to <maximum>`.
 * @param unit what the integer counts (`number of milliseconds`, `port`); none: a bare integer.
 * @param zero what 0 means (`off`, `no limit`): only where the minimum is 0.
 */
export function integer<const B extends IntegerBounds>(
  bounds: B,
  unit?: string,
  zero?: string,
): { readonly schema: { readonly type: 'integer' } & B; readonly expects: string } {
  if (zero !== undefined && bounds.minimum !== 0) {
    throw new Error(`0 means ${zero} only where it is allowed: the minimum is ${bounds.minimum}`);
  }
  const what = unit === undefined ? 'an integer' : `an integer ${unit}`;
  const from = zero === undefined ? `${bounds.minimum}` : `0 (${zero})`;
  return {
    schema: { type: 'integer', ...bounds },
    expects: `${what} from ${from} to ${bounds.maximum}`,
  };
}

/** The schema of a variable that takes one of `choices` and what it expects: their list. */
export function oneOf<const C extends readonly [string, ...string[]], const D extends C[number]>(
  choices: C,
  fallback: D,
): {
  readonly schema: { readonly type: 'string'; readonly enum: C; readonly default: D };
  readonly expects: string;
} {
  return {
    schema: { type: 'string', enum: choices, default: fallback },
    expects: `one of ${choices.join(', ')}`,
  };
}

/** A description of every variable: its name (`VS_*`) to what it is. */
export type Description = Readonly<Record<string, Variable>>;

/** The values ajv leaves for a description: defaults applied, strings coerced. */
export type ValidatedEnv<D extends Description> = {
  [K in keyof D]: D[K]['schema'] extends { default: unknown }
    ? FromSchema<D[K]['schema']>
    : FromSchema<D[K]['schema']> | undefined;
};

/** The typed configuration a description yields: one read-only field per variable. */
export type ConfigOf<D extends Description> = {
  readonly [K in keyof D as D[K]['field']]: D[K] extends {
    parse(value: never, env: never): infer T;
  }
    ? T
    : ValidatedEnv<D>[K];
};
