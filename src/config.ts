// The only module that reads process.env. Everything else receives a frozen Config, made from
// the description of every variable in config/variables.ts.

import { Ajv } from 'ajv';
import { ConfigError } from './config/config-error.ts';
import type { ConfigOf, Description, ValidatedEnv } from './config/variable.ts';
import { VARIABLES } from './config/variables.ts';

export { ConfigError } from './config/config-error.ts';
export { VARIABLES } from './config/variables.ts';

/** Validated, frozen node configuration: one field per variable of `VARIABLES`. */
export type Config = ConfigOf<typeof VARIABLES>;

type Env = Record<string, string | undefined>;
type Validated = ValidatedEnv<typeof VARIABLES>;

/** The same description, seen variable by variable rather than by name. */
const DESCRIBED: Description = VARIABLES;

/** Fields of Config that hold secrets: printed and logged as `[redacted]`, never in clear. */
export const SECRET_FIELDS: readonly (keyof Config)[] = Object.values(VARIABLES).flatMap((v) =>
  'secret' in v && v.secret ? [v.field] : [],
);

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false });
const validate = ajv.compile<Validated>({
  type: 'object',
  properties: Object.fromEntries(Object.entries(DESCRIBED).map(([k, v]) => [k, v.schema])),
});

/**
 * Reads, validates and freezes the configuration.
 * @param overrides values from command-line flags, by variable name; they win over `env`.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(overrides: Env = {}, env: Env = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(VARIABLES)) {
    const value = overrides[name] ?? env[name];
    // An empty variable means "not set", as in most shells' `VAR=` idiom.
    if (value !== undefined && value !== '') raw[name] = value;
  }
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    const name = error?.instancePath.replace(/^\//, '') ?? '';
    const variable = DESCRIBED[name];
    const given = JSON.stringify(overrides[name] ?? env[name]);
    throw new ConfigError(
      variable
        ? `${name}=${given} is invalid: expected ${variable.expects}`
        : `configuration is invalid: ${ajv.errorsText(validate.errors)}`,
    );
  }
  checkTogether(raw);
  return configFrom(raw);
}

/** The rules that span variables, each of which is valid on its own. */
function checkTogether(v: Validated): void {
  if (v.VS_REDIS_CLUSTER && v.VS_REDIS_URL) {
    throw new ConfigError('VS_REDIS_CLUSTER and VS_REDIS_URL are both set: choose one');
  }
  const lease = v.VS_LEASE_MS;
  const heartbeat = v.VS_HEARTBEAT_MS;
  if (heartbeat * 2 > lease) {
    throw new ConfigError(
      `VS_HEARTBEAT_MS=${heartbeat} is too long for VS_LEASE_MS=${lease}: expected at most half the lease`,
    );
  }
}

/** Each field from its own variable: the validated value, or what the variable's parse makes. */
function configFrom(env: Validated): Config {
  const values: Readonly<Record<string, unknown>> = env;
  const fields: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(DESCRIBED)) {
    const value = values[name];
    fields[variable.field] = variable.parse ? variable.parse(value, values) : value;
  }
  // The loop cannot carry the mapped type: ConfigOf<typeof VARIABLES> says per field what it
  // yields, and test/config.test.ts checks the values.
  return Object.freeze(fields) as Config;
}

/** True when the CLI runs under CI or with a person at a terminal; decides log formatting. */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI;
}
