// Command-line flags that override VS_* variables; each flag names the variable it sets.
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';

const FLAGS: [flag: string, variable: string, description: string][] = [
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

/** Adds the configuration flags to a command. */
export function withConfigFlags(cmd: Command): Command {
  for (const [flag, variable, description] of FLAGS)
    cmd.option(flag, `${description} [${variable}]`);
  return cmd;
}

/** Loads the configuration with the command's flags winning over the environment. */
export function configFromFlags(flags: Record<string, unknown>): Config {
  const overrides: Record<string, string> = {};
  for (const [flag, variable] of FLAGS) {
    const key = flag
      .slice(2)
      .split(' ')[0]!
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = flags[key];
    if (typeof value === 'string') overrides[variable] = value;
  }
  return loadConfig(overrides);
}
