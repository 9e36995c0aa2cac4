// Connections to Redis: a Cluster from VS_REDIS_CLUSTER or one standalone Redis from
// VS_REDIS_URL, with the scripts defined. Blocking reads get their own connections.
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type Config, ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { defineScripts } from './scripts.ts';

/** A client with the scripts of streams/lua defined (defineScripts); typed in script-commands.ts. */
export type Client = Redis | Cluster;

/** Where and how a node writes: shared by the appender and the poll store. */
export interface LogTarget {
  client: Client;
  prefix: string;
  shards: number;
  /** WAIT for a replica after each write; resolved from `auto` once Redis answers. */
  durable: boolean;
  waitTimeoutMs: number;
  /**
   * Told what each WAIT counted: the shards whose writes it covered (all of one master) and
   * the replicas that confirmed them. The node's durability view listens (shard-durability.ts).
   */
  onWait?: (shards: readonly number[], replicas: number) => void;
  /**
   * Whether the shard's master is known to have no replica in sync now, so no WAIT can
   * succeed there: the appender then refuses the shard's votes at once (503 NOT_DURABLE)
   * instead of writing each and waiting VS_WAIT_TIMEOUT_MS to refuse it anyway.
   */
  cannotReplicate?: (shard: number) => boolean;
}

/** Opens the client for commands. It reconnects by itself; callers check `isReady`. */
export function connectRedis(config: Config, log?: Logger): Client {
  const access = redisAccessOptions(config);
  const client = config.redisUrl
    ? new Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
        ...access,
      })
    : new Cluster(
        config.redisCluster.length ? [...config.redisCluster] : [{ host: '127.0.0.1', port: 7000 }],
        {
          clusterRetryStrategy: (times) => Math.min(50 * times, 1000),
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          slotsRefreshTimeout: 2000,
          redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000, ...access },
        },
      );
  let healthy = true;
  client.on('error', (error: Error) => {
    // ioredis retries by itself; log once per outage, not once per attempt.
    if (healthy) {
      const refused = credentialsRefused(error);
      if (refused)
        log?.error({ err: refused.message, event: 'redis_auth_failed' }, refused.message);
      else log?.error({ err: error.message, event: 'redis_error' }, 'redis connection error');
    }
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) log?.info({ event: 'redis_ready' }, 'redis connection restored');
    healthy = true;
  });
  return defineScripts(client);
}

/**
 * AUTH (ACL user and password) and TLS options for ioredis, from VS_REDIS_USERNAME,
 * VS_REDIS_PASSWORD and VS_REDIS_TLS*. Every connection gets them: the command client, its
 * `duplicate()`s for blocking reads, and each node connection of a Cluster (`redisOptions`).
 * @throws ConfigError when the CA file cannot be read.
 */
export function redisAccessOptions(config: Config): Partial<RedisOptions> {
  const options: Partial<RedisOptions> = {};
  if (config.redisUsername) options.username = config.redisUsername;
  if (config.redisPassword) options.password = config.redisPassword;
  if (config.redisTls) {
    options.tls = {
      ...(config.redisTlsCa ? { ca: readCa(config.redisTlsCa) } : {}),
      rejectUnauthorized: !config.redisTlsInsecure,
    };
  }
  return options;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `VS_REDIS_TLS_CA=${JSON.stringify(path)} is invalid: ${(error as Error).message}`,
    );
  }
}

const AUTH_REFUSED = /WRONGPASS|NOAUTH|NOPERM|invalid username-password|Authentication required/i;
/** Node's TLS errors that retrying cannot fix: the certificate is not trusted or not valid. */
const TLS_REFUSED = /certificate|CERT_|self[- ]signed|ERR_SSL|ERR_TLS|wrong version number/i;

/**
 * A clear error when `error` says Redis refused this client's credentials, or its TLS
 * certificate was not trusted; else undefined (an outage ioredis will retry).
 */
export function credentialsRefused(error: Error): ConfigError | undefined {
  // A Cluster wraps the node's reply: "Failed to refresh slots cache", lastNodeError WRONGPASS.
  const cause = (error as Error & { lastNodeError?: Error }).lastNodeError ?? error;
  const said = `${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message.split('\n')[0]}`;
  if (AUTH_REFUSED.test(said))
    return new ConfigError(
      `Redis refused the credentials (${said.trim()}): check VS_REDIS_USERNAME and VS_REDIS_PASSWORD`,
    );
  if (TLS_REFUSED.test(said))
    return new ConfigError(
      `TLS to Redis failed (${said.trim()}): check VS_REDIS_TLS, VS_REDIS_TLS_CA and VS_REDIS_TLS_INSECURE`,
    );
  return undefined;
}

/**
 * Waits up to `timeoutMs` for the client's first connection and rejects at once if Redis
 * refuses its credentials — a wrong password is a configuration error, not an outage to
 * wait out. A Redis that does not answer is not an error here: a node starts anyway and
 * answers 503 until Redis is back.
 */
export function checkCredentials(client: Client, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => {
      const refused = credentialsRefused(error);
      if (refused) settle(refused);
    };
    const timer = setTimeout(() => settle(), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

export function isReady(client: Client): boolean {
  return client.status === 'ready';
}

/** A second connection for blocking reads, so they never hold up appends. */
export function dedicatedConnection(client: Client): Client {
  return defineScripts(client.duplicate());
}

/**
 * Which master serves a slot, by the client's slot map: pipelines group their commands by it,
 * since a cluster pipeline goes to one node. A standalone Redis is one group. Before the map
 * has loaded, each slot is a group of its own, so a pipeline never mixes masters.
 */
export function masterOf(client: Client, slot: number): string {
  const slots = (client as { slots?: string[][] }).slots;
  if (!slots) return 'standalone';
  return slots[slot]?.[0] ?? `slot ${slot}`;
}

/**
 * After a MOVED or ASK, refreshes a cluster client's slot map. ioredis does this for commands
 * sent one by one, but not for auto-pipelined ones: a failover would leave them redirected
 * forever. (ioredis merges concurrent refreshes.)
 */
export function refreshSlotsAfterRedirect(client: Client, error: unknown): void {
  if (client instanceof Cluster && /^(MOVED|ASK) /.test((error as Error)?.message ?? '')) {
    client.refreshSlotsCache();
  }
}

/**
 * A connection for a node's fold reads, apart from its appends (a page of entries in the way
 * would delay their replies), with auto-pipelining: the reads of one tick leave as one write
 * per master.
 */
export function readConnection(client: Client): Client {
  if (client instanceof Cluster) {
    return defineScripts(client.duplicate(undefined, { enableAutoPipelining: true }));
  }
  return defineScripts((client as Redis).duplicate({ enableAutoPipelining: true }));
}

/** Whether the masters have replicas, which makes `auto` durability mean `replica`. */
export async function hasReplicas(client: Client): Promise<boolean> {
  if (client instanceof Cluster) {
    const nodes = (await client.cluster('NODES')) as string;
    return nodes.split('\n').some((line) => line.split(' ')[2]?.includes('slave'));
  }
  const info = await client.info('replication');
  return Number(info.match(/^connected_slaves:(\d+)/m)?.[1] ?? 0) > 0;
}

/** Rejects with `onTimeout()` if `promise` has not settled within `ms`. */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Connects to `address` (`redis://host:port`, or `host:port[,host:port…]` seeds), as a
 * Cluster client when the server runs in cluster mode and as a standalone client otherwise.
 */
export async function connectAddress(address: string): Promise<Client> {
  const seeds = address
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((a) => new URL(a.includes('://') ? a : `redis://${a}`));
  const first = seeds[0];
  if (!first) throw new RangeError(`no Redis address in "${address}"`);
  const probe = new Redis(first.href, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  let clustered: boolean;
  try {
    await probe.connect();
    clustered = /^cluster_enabled:1/m.test(await probe.info('cluster'));
  } finally {
    probe.disconnect();
  }
  if (!clustered) {
    return defineScripts(new Redis(first.href, { maxRetriesPerRequest: 1 }));
  }
  return defineScripts(
    new Cluster(
      seeds.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
      { redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000 } },
    ),
  );
}
