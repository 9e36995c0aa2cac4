// The only module that reads process.env. Everything else receives a frozen Config.

import { hostname } from 'node:os';
import { Ajv } from 'ajv';

/** Validated, frozen node configuration. */
export interface Config {
  readonly nodeId: string;
  readonly httpHost: string;
  readonly httpPort: number;
  /** Seeds of a Redis Cluster (host:port pairs); empty when `redisUrl` is used. */
  readonly redisCluster: readonly { host: string; port: number }[];
  /** One standalone Redis, as an alternative to a cluster. */
  readonly redisUrl: string | undefined;
  readonly prefix: string;
  readonly shards: number;
  /** Member node ids that count toward quorum; empty = this node alone. */
  readonly members: readonly string[];
  /** `auto` resolves to `replica` when the master of a shard has a replica, else `local`. */
  readonly durability: 'local' | 'replica' | 'auto';
  readonly waitTimeoutMs: number;
  readonly adminToken: string | undefined;
  /** Cluster-wide key from which each token poll's secret is derived; unset: no token polls. */
  readonly voterSecret: string | undefined;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly failureTimeoutMs: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the node keeps its projection snapshots (one file per shard). */
  readonly snapshotDir: string;
  readonly snapshotMs: number;
  /** Fault injection: milliseconds added to this node's local clock (chaos runs, tests). */
  readonly clockSkewMs: number;
  /** Redis ACL user and password (AUTH); undefined = none. */
  readonly redisUsername: string | undefined;
  readonly redisPassword: string | undefined;
  /** TLS to Redis; `redisTlsCa` is a PEM file path, `redisTlsInsecure` skips verification. */
  readonly redisTls: boolean;
  readonly redisTlsCa: string | undefined;
  readonly redisTlsInsecure: boolean;
  /** Appends (POST /votes, /votes/batch) per client IP per window; 0 = no limit. */
  readonly rateLimit: number;
  readonly rateLimitWindowMs: number;
  /** Load shedding: mean event-loop delay (ms) and heap use (% of V8's limit); 0 = off. */
  readonly shedEventLoopDelayMs: number;
  readonly shedHeapPercent: number;
  /** How long the pressure must last before requests are shed (one pause is not saturation). */
  readonly shedAfterMs: number;
  /** How long a stop (SIGTERM, SIGINT) may take before the process gives up what is left. */
  readonly stopTimeoutMs: number;
}

/** A configuration value that does not meet its contract; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** The shape `validate` guarantees: defaults applied, numbers coerced. */
interface Validated {
  VS_NODE_ID?: string;
  VS_HTTP_HOST: string;
  VS_HTTP_PORT: number;
  VS_REDIS_CLUSTER?: string;
  VS_REDIS_URL?: string;
  VS_PREFIX: string;
  VS_SHARDS: number;
  VS_MEMBERS?: string;
  VS_DURABILITY: Config['durability'];
  VS_WAIT_TIMEOUT_MS: number;
  VS_ADMIN_TOKEN?: string;
  VS_VOTER_SECRET?: string;
  VS_LEASE_MS: number;
  VS_HEARTBEAT_MS: number;
  VS_FAILURE_TIMEOUT_MS: number;
  VS_LOG_LEVEL: Config['logLevel'];
  VS_SNAPSHOT_DIR: string;
  VS_SNAPSHOT_MS: number;
  VS_CLOCK_SKEW_MS: number;
  VS_REDIS_USERNAME?: string;
  VS_REDIS_PASSWORD?: string;
  VS_REDIS_TLS: boolean;
  VS_REDIS_TLS_CA?: string;
  VS_REDIS_TLS_INSECURE: boolean;
  VS_RATE_LIMIT: number;
  VS_RATE_LIMIT_WINDOW_MS: number;
  VS_SHED_EVENT_LOOP_DELAY_MS: number;
  VS_SHED_HEAP_PERCENT: number;
  VS_SHED_AFTER_MS: number;
  VS_STOP_TIMEOUT_MS: number;
}

interface Variable {
  schema: Record<string, unknown>;
  /** What a valid value looks like, for the error message. */
  expects: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ID = '^[A-Za-z0-9_-]{1,64}$';

/** The contract of every VS_* variable: type, range and default. `.env.example` mirrors it. */
export const VARIABLES: Record<string, Variable> = {
  VS_NODE_ID: {
    schema: { type: 'string', pattern: ID },
    expects: 'a node id of 1-64 letters, digits, "_" or "-"',
  },
  VS_HTTP_HOST: {
    // At most a DNS name's 253 characters: the node's URL goes into every Heartbeat.
    schema: { type: 'string', minLength: 1, maxLength: 253, default: '127.0.0.1' },
    expects: 'a host name or address of at most 253 characters',
  },
  VS_HTTP_PORT: {
    schema: { type: 'integer', minimum: 0, maximum: 65535, default: 3001 },
    expects: 'an integer port from 0 to 65535',
  },
  VS_REDIS_CLUSTER: {
    schema: {
      type: 'string',
      pattern: '^\\s*[^\\s:,]+:\\d{1,5}\\s*(,\\s*[^\\s:,]+:\\d{1,5}\\s*)*$',
    },
    expects: 'comma-separated host:port seeds, e.g. 127.0.0.1:7000,127.0.0.1:7001',
  },
  VS_REDIS_URL: {
    schema: { type: 'string', pattern: '^rediss?://' },
    expects: 'a redis:// or rediss:// URL',
  },
  VS_PREFIX: {
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$', default: 'vs' },
    expects: '1-32 letters, digits, "_", "." or "-" (no braces or colons)',
  },
  VS_SHARDS: {
    schema: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
    expects: 'an integer from 1 to 1024',
  },
  VS_MEMBERS: {
    schema: {
      type: 'string',
      pattern: '^\\s*([A-Za-z0-9_-]{1,64}\\s*(,\\s*[A-Za-z0-9_-]{1,64}\\s*)*)?$',
    },
    expects: 'comma-separated node ids',
  },
  VS_DURABILITY: {
    schema: { type: 'string', enum: ['local', 'replica', 'auto'], default: 'auto' },
    expects: 'one of local, replica, auto',
  },
  VS_WAIT_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60000, default: 500 },
    expects: 'an integer number of milliseconds from 1 to 60000',
  },
  VS_ADMIN_TOKEN: {
    schema: { type: 'string', minLength: 16 },
    expects: 'a secret of at least 16 characters',
  },
  VS_VOTER_SECRET: {
    // An HMAC-SHA256 key: 32 characters of base64 (e.g. `openssl rand -base64 32`) or more.
    schema: { type: 'string', minLength: 32 },
    expects: 'a secret of at least 32 characters, the same on every node',
  },
  VS_LEASE_MS: {
    schema: { type: 'integer', minimum: 200, maximum: 600000, default: 2000 },
    expects: 'an integer number of milliseconds from 200 to 600000',
  },
  VS_HEARTBEAT_MS: {
    schema: { type: 'integer', minimum: 20, maximum: 60000, default: 250 },
    expects: 'an integer number of milliseconds from 20 to 60000',
  },
  VS_FAILURE_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 600000, default: 1500 },
    expects: 'an integer number of milliseconds from 100 to 600000',
  },
  VS_LOG_LEVEL: {
    schema: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    expects: `one of ${LOG_LEVELS.join(', ')}`,
  },
  VS_SNAPSHOT_DIR: {
    schema: { type: 'string', minLength: 1, default: '.data/snapshots' },
    expects: 'a directory path',
  },
  VS_CLOCK_SKEW_MS: {
    schema: { type: 'integer', minimum: -3600000, maximum: 3600000, default: 0 },
    expects: 'an integer number of milliseconds from -3600000 to 3600000',
  },
  VS_SNAPSHOT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 3600000, default: 5000 },
    expects: 'an integer number of milliseconds from 100 to 3600000',
  },
  VS_REDIS_USERNAME: {
    schema: { type: 'string', pattern: '^\\S{1,128}$' },
    expects: 'a Redis ACL user name of 1-128 characters without spaces',
  },
  VS_REDIS_PASSWORD: {
    schema: { type: 'string', minLength: 1, maxLength: 512 },
    expects: 'a password of 1-512 characters',
  },
  VS_REDIS_TLS: {
    schema: { type: 'boolean', default: false },
    expects: 'true or false',
  },
  VS_REDIS_TLS_CA: {
    schema: { type: 'string', minLength: 1 },
    expects: 'the path of a PEM file of CA certificates',
  },
  VS_REDIS_TLS_INSECURE: {
    schema: { type: 'boolean', default: false },
    expects: 'true or false',
  },
  VS_RATE_LIMIT: {
    schema: { type: 'integer', minimum: 0, maximum: 100000000, default: 0 },
    expects: 'an integer number of requests from 0 (no limit) to 100000000',
  },
  VS_RATE_LIMIT_WINDOW_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 86400000, default: 60000 },
    expects: 'an integer number of milliseconds from 100 to 86400000',
  },
  VS_SHED_EVENT_LOOP_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 600000, default: 1000 },
    expects: 'an integer number of milliseconds from 0 (off) to 600000',
  },
  VS_SHED_HEAP_PERCENT: {
    schema: { type: 'integer', minimum: 0, maximum: 100, default: 95 },
    expects: 'an integer percentage from 0 (off) to 100',
  },
  VS_SHED_AFTER_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 600000, default: 3000 },
    expects: 'an integer number of milliseconds from 0 to 600000',
  },
  VS_STOP_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 },
    expects: 'an integer number of milliseconds from 100 to 600000',
  },
};

/** Fields of Config that hold secrets: printed and logged as `[redacted]`, never in clear. */
export const SECRET_FIELDS = [
  'adminToken',
  'redisPassword',
  'voterSecret',
] as const satisfies (keyof Config)[];

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false });
const validate = ajv.compile({
  type: 'object',
  properties: Object.fromEntries(Object.entries(VARIABLES).map(([k, v]) => [k, v.schema])),
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
    const variable = VARIABLES[name];
    const given = JSON.stringify(overrides[name] ?? env[name]);
    throw new ConfigError(
      variable
        ? `${name}=${given} is invalid: expected ${variable.expects}`
        : `configuration is invalid: ${ajv.errorsText(validate.errors)}`,
    );
  }
  const v = raw as unknown as Validated;
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
  return Object.freeze({
    nodeId: v.VS_NODE_ID ?? defaultNodeId(v.VS_HTTP_PORT),
    httpHost: v.VS_HTTP_HOST,
    httpPort: v.VS_HTTP_PORT,
    redisCluster: Object.freeze(parseSeeds(v.VS_REDIS_CLUSTER)),
    redisUrl: v.VS_REDIS_URL,
    prefix: v.VS_PREFIX,
    shards: v.VS_SHARDS,
    members: Object.freeze(parseList(v.VS_MEMBERS)),
    durability: v.VS_DURABILITY,
    waitTimeoutMs: v.VS_WAIT_TIMEOUT_MS,
    adminToken: v.VS_ADMIN_TOKEN,
    voterSecret: v.VS_VOTER_SECRET,
    leaseMs: lease,
    heartbeatMs: heartbeat,
    failureTimeoutMs: v.VS_FAILURE_TIMEOUT_MS,
    logLevel: v.VS_LOG_LEVEL,
    snapshotDir: v.VS_SNAPSHOT_DIR,
    snapshotMs: v.VS_SNAPSHOT_MS,
    clockSkewMs: v.VS_CLOCK_SKEW_MS,
    redisUsername: v.VS_REDIS_USERNAME,
    redisPassword: v.VS_REDIS_PASSWORD,
    redisTls: v.VS_REDIS_TLS,
    redisTlsCa: v.VS_REDIS_TLS_CA,
    redisTlsInsecure: v.VS_REDIS_TLS_INSECURE,
    rateLimit: v.VS_RATE_LIMIT,
    rateLimitWindowMs: v.VS_RATE_LIMIT_WINDOW_MS,
    shedEventLoopDelayMs: v.VS_SHED_EVENT_LOOP_DELAY_MS,
    shedHeapPercent: v.VS_SHED_HEAP_PERCENT,
    shedAfterMs: v.VS_SHED_AFTER_MS,
    stopTimeoutMs: v.VS_STOP_TIMEOUT_MS,
  });
}

function defaultNodeId(port: number): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40);
  return `${host}-${port}`;
}

function parseList(value: string | undefined): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

function parseSeeds(value: string | undefined): { host: string; port: number }[] {
  return parseList(value).map((seed) => {
    const at = seed.lastIndexOf(':');
    const port = Number(seed.slice(at + 1));
    if (port < 1 || port > 65535) {
      throw new ConfigError(
        `VS_REDIS_CLUSTER=${JSON.stringify(value)} is invalid: port ${port} is out of range`,
      );
    }
    return { host: seed.slice(0, at), port };
  });
}

/** True when the CLI runs under CI or with a person at a terminal; decides log formatting. */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI;
}
