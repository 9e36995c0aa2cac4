// Connections to Redis: a Cluster from VS_REDIS_CLUSTER or one standalone Redis from
// VS_REDIS_URL, with the scripts defined. Blocking reads get their own connections.
import { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { defineScripts, type ScriptedClient } from './scripts.ts';

export type Client = ScriptedClient;

/** Where and how a node writes: shared by the appender and the poll store. */
export interface LogTarget {
  client: Client;
  prefix: string;
  shards: number;
  /** WAIT for a replica after each write; resolved from `auto` once Redis answers. */
  durable: boolean;
  waitTimeoutMs: number;
}

/** Opens the client for commands. It reconnects by itself; callers check `isReady`. */
export function connectRedis(config: Config, log?: Logger): Client {
  const client = config.redisUrl
    ? new Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
      })
    : new Cluster(
        config.redisCluster.length ? [...config.redisCluster] : [{ host: '127.0.0.1', port: 7000 }],
        {
          clusterRetryStrategy: (times) => Math.min(50 * times, 1000),
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          slotsRefreshTimeout: 2000,
          redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000 },
        },
      );
  let healthy = true;
  client.on('error', (error: Error) => {
    // ioredis retries by itself; log once per outage, not once per attempt.
    if (healthy) log?.error({ err: error.message, event: 'redis_error' }, 'redis connection error');
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) log?.info({ event: 'redis_ready' }, 'redis connection restored');
    healthy = true;
  });
  return defineScripts(client);
}

export function isReady(client: Client): boolean {
  return client.status === 'ready';
}

/** A second connection for blocking reads, so they never hold up appends. */
export function dedicatedConnection(client: Client): Client {
  return defineScripts(client.duplicate());
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
