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

/** The local cluster of `votestream redis up`: where nodes and tools look when told nowhere. */
const DEFAULT_SEED = { host: '127.0.0.1', port: 7000 };

/** Opens the client for commands. It reconnects by itself; callers check `isReady`. */
export function connectRedis(
  config: Omit<RedisSettings, 'redisConnectTimeoutMs'>,
  log?: Logger,
): Client {
  const access = redisAccessOptions(config);
  const client = config.redisUrl
    ? new Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
        ...access,
      })
    : new Cluster(config.redisCluster.length ? [...config.redisCluster] : [DEFAULT_SEED], {
        clusterRetryStrategy: (times) => Math.min(50 * times, 1000),
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: 2000,
        redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000, ...access },
      });
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
export function redisAccessOptions(
  config: Omit<RedisSettings, 'redisCluster' | 'redisUrl' | 'redisConnectTimeoutMs'>,
): Partial<RedisOptions> {
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
 * answers 503 until Redis is back. (A tool that runs once waits with `awaitRedis` instead.)
 */
export function checkCredentials(client: Client, timeoutMs = 5000): Promise<void> {
  return firstConnection(client, timeoutMs, () => undefined);
}

/** Redis did not answer a tool that runs once and exits: it says so and exits, never waits on. */
export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/**
 * Waits up to `timeoutMs` (VS_REDIS_CONNECT_TIMEOUT_MS) for the client's first connection, as
 * `checkCredentials` does, but a Redis that has not answered by then is an error too: a tool
 * (replay, rebuild) would otherwise queue its reads and wait for them forever.
 * @param where the Redis asked and the settings that name it, for the message.
 * @throws ConfigError when Redis refuses the credentials or the TLS certificate.
 * @throws RedisUnreachableError when it has not answered within `timeoutMs`.
 */
export function awaitRedis(client: Client, timeoutMs: number, where: string): Promise<void> {
  return firstConnection(
    client,
    timeoutMs,
    (last) =>
      new RedisUnreachableError(
        `Redis at ${where} did not answer within ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}; VS_REDIS_CONNECT_TIMEOUT_MS sets the wait`,
      ),
  );
}

/** What went wrong last, in one line: a Cluster's "Failed to refresh slots cache" names its cause. */
function causeOf(error: Error): string {
  const cause = (error as Error & { lastNodeError?: Error }).lastNodeError ?? error;
  return (cause.message.split('\n')[0] ?? '').replace(/\.$/, '');
}

/** Settles at the first `ready`, at refused credentials, or after `timeoutMs` with `silence`. */
function firstConnection(
  client: Client,
  timeoutMs: number,
  silence: (lastError: string | undefined) => Error | undefined,
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last: string | undefined;
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
      last = causeOf(error) || last;
    };
    const timer = setTimeout(() => settle(silence(last)), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** The settings a tool's connection to Redis is made from. */
export type RedisSettings = Pick<
  Config,
  | 'redisCluster'
  | 'redisUrl'
  | 'redisUsername'
  | 'redisPassword'
  | 'redisTls'
  | 'redisTlsCa'
  | 'redisTlsInsecure'
  | 'redisConnectTimeoutMs'
>;

/**
 * Opens the client of a tool that runs once and exits (replay, rebuild) and waits for Redis's
 * first answer, at most VS_REDIS_CONNECT_TIMEOUT_MS. A node uses `connectRedis` and
 * `checkCredentials` instead: it starts anyway and recovers by itself.
 * @throws ConfigError for refused credentials or TLS; RedisUnreachableError for no answer.
 */
export async function connectTool(config: RedisSettings): Promise<Client> {
  const client = connectRedis(config);
  try {
    await awaitRedis(client, config.redisConnectTimeoutMs, redisAddress(config));
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/** Where the configuration points, and the variable that says so (URL credentials hidden). */
function redisAddress(config: RedisSettings): string {
  if (config.redisUrl)
    return `${config.redisUrl.replace(/\/\/[^/@]*@/, '//')} (VS_REDIS_URL, --redis-url)`;
  const seeds = config.redisCluster.length
    ? config.redisCluster.map((s) => `${s.host}:${s.port}`).join(',')
    : `${DEFAULT_SEED.host}:${DEFAULT_SEED.port}`;
  return `${seeds} (VS_REDIS_CLUSTER, --redis-cluster)`;
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
 * @param timeoutMs how long to wait for the first answer, as `connectTool` waits.
 * @param named what gave the address (a flag), for the message.
 * @throws RedisUnreachableError when `address` does not answer within `timeoutMs`.
 */
export async function connectAddress(
  address: string,
  { timeoutMs = 5000, named }: { timeoutMs?: number; named?: string } = {},
): Promise<Client> {
  const where = named ? `${address} (${named})` : address;
  const seeds = address
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((a) => new URL(a.includes('://') ? a : `redis://${a}`));
  const first = seeds[0];
  if (!first) throw new RangeError(`no Redis address in "${address}"`);
  const probe = quiet(
    new Redis(first.href, {
      maxRetriesPerRequest: 1,
      connectTimeout: Math.min(2000, timeoutMs),
      retryStrategy: (times) => Math.min(50 * times, 1000),
    }),
  );
  let clustered: boolean;
  try {
    await awaitRedis(probe, timeoutMs, where);
    clustered = /^cluster_enabled:1/m.test(await probe.info('cluster'));
  } finally {
    probe.disconnect();
  }
  const client = quiet(
    clustered
      ? new Cluster(
          seeds.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
          { redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000 } },
        )
      : new Redis(first.href, { maxRetriesPerRequest: 1 }),
  );
  try {
    await awaitRedis(client, timeoutMs, where);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return defineScripts(client);
}

/**
 * The client with its connection errors left to the commands that meet them (ioredis retries
 * meanwhile), instead of printed by ioredis as "Unhandled error event" on every attempt.
 */
function quiet<C extends Client>(client: C): C {
  client.on('error', () => {});
  return client;
}
