// Command-line flags that override VS_* variables; each flag names the variable it sets. A
// command declares the Config fields it reads: it offers the flags of those fields only (any
// other is an unknown option), and its configuration is typed to those fields only.
import type { Command } from 'commander';
import { type Config, loadConfig, VARIABLES } from '../config.ts';

type Variable = keyof typeof VARIABLES;

const FLAGS: [flag: string, variable: Variable, description: string][] = [
  ['--node-id <id>', 'VS_NODE_ID', 'node id (default: <hostname>-<port>)'],
  ['--host <address>', 'VS_HTTP_HOST', 'HTTP address (default 127.0.0.1)'],
  ['--port <port>', 'VS_HTTP_PORT', 'HTTP port (default 3001)'],
  ['--redis-cluster <seeds>', 'VS_REDIS_CLUSTER', 'Redis Cluster seeds host:port,…'],
  ['--redis-url <url>', 'VS_REDIS_URL', 'one standalone Redis instead of a cluster'],
  ['--prefix <prefix>', 'VS_PREFIX', 'key prefix (default vs)'],
  ['--shards <n>', 'VS_SHARDS', 'shard count, fixed for a deployment (default 16)'],
  ['--members <ids>', 'VS_MEMBERS', 'member node ids that count toward quorum'],
  ['--durability <mode>', 'VS_DURABILITY', 'local | replica | auto (default auto)'],
  ['--log-level <level>', 'VS_LOG_LEVEL', 'pino level (default info)'],
  // No flag for VS_REDIS_PASSWORD or VS_ADMIN_TOKEN: a secret on the command line shows in ps.
  ['--redis-username <user>', 'VS_REDIS_USERNAME', 'Redis ACL user (password: env only)'],
  ['--redis-tls <bool>', 'VS_REDIS_TLS', 'TLS to Redis: true | false (default false)'],
  ['--redis-tls-ca <file>', 'VS_REDIS_TLS_CA', "PEM file of the Redis servers' CA"],
  ['--rate-limit <n>', 'VS_RATE_LIMIT', 'appends per client per window, 0 = off (default 0)'],
  ['--rate-limit-window-ms <ms>', 'VS_RATE_LIMIT_WINDOW_MS', 'rate limit window (default 60000)'],
];

/** Every field of Config, in the description's order: what `node` and `config` read. */
export const EVERY_FIELD = Object.values(VARIABLES).map((v) => v.field);

/** The fields of a connection to Redis (`connectTool`, `connectRedis`). */
export const REDIS_FIELDS = [
  'redisCluster',
  'redisUrl',
  'redisUsername',
  'redisPassword',
  'redisTls',
  'redisTlsCa',
  'redisTlsInsecure',
  'redisConnectTimeoutMs',
] as const satisfies readonly (keyof Config)[];

/** A command's part of the configuration: the fields it reads, and the flags that set them. */
export interface ConfigFlags<F extends keyof Config> {
  /** Adds the flags of the command's fields to it, in the table's order. */
  addTo(cmd: Command): Command;
  /** Loads the configuration with the command's flags winning over the environment. */
  load(flags: Record<string, unknown>): Pick<Config, F>;
}

/**
 * The configuration a command reads. Its flags are those of `fields` (the rest of the table is
 * an unknown option to it), and what it loads is typed to `fields`, so reading another field
 * does not typecheck. Every variable is still validated: the environment is shared.
 */
export function configFlags<const F extends keyof Config>(fields: readonly F[]): ConfigFlags<F> {
  const read = new Set<string>(fields);
  const offered = FLAGS.filter(([, variable]) => read.has(VARIABLES[variable].field));
  return {
    addTo(cmd) {
      for (const [flag, variable, description] of offered)
        cmd.option(flag, `${description} [${variable}]`);
      return cmd;
    },
    load(flags) {
      const overrides: Record<string, string> = {};
      for (const [flag, variable] of offered) {
        const value = flags[optionKey(flag)];
        if (typeof value === 'string') overrides[variable] = value;
      }
      return loadConfig(overrides);
    },
  };
}

/** The key commander stores a flag's value under: `--rate-limit-window-ms` → `rateLimitWindowMs`. */
function optionKey(flag: string): string {
  return flag
    .slice(2)
    .split(' ')[0]!
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
