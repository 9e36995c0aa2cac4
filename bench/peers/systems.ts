// The systems bench/peers.ts measures side by side: votestream (1 node, 3 nodes), its peers
// (PostgreSQL with and without a synchronous standby, NATS JetStream KV on 1 server and on 3
// with replicas 3, a counter on Redis Cluster) and the empty route. Each `start()` brings up
// only that system's servers, on free ports in temp directories, and `stop()` ends them.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BenchCluster,
  freePort,
  leaderElected,
  startCluster,
  startServer,
  stopServer,
} from '../harness.ts';
import { findNatsServer, startNats } from './nats-instance.ts';
import { findPostgres, startPostgres } from './postgres-instance.ts';

/** A started system: the URLs of its POST /votes and how to stop everything it started. */
export interface RunningSystem {
  urls: string[];
  stop(): Promise<void>;
}

export interface BenchSystem {
  id: SystemId;
  label: string;
  /** Why it cannot run on this machine (a missing binary and its Debian package), if so. */
  missing(): string | undefined;
  start(): Promise<RunningSystem>;
}

export type SystemId =
  | 'votestream-1'
  | 'votestream-3'
  | 'postgres'
  | 'postgres-standby'
  | 'nats-1'
  | 'nats-r3'
  | 'redis-counter'
  | 'empty';

export const SYSTEM_IDS: SystemId[] = [
  'votestream-1',
  'votestream-3',
  'postgres',
  'postgres-standby',
  'nats-1',
  'nats-r3',
  'redis-counter',
  'empty',
];

const ADMIN = 'bench-admin-token-0123456789';
const QUIET = { VS_LOG_LEVEL: 'warn' };

/** Options of the peers: `pgPool`, node-postgres connections of the PostgreSQL peer. */
export interface SystemOptions {
  pgPool: number;
}

/** Every system, in the order of the table. */
export function benchSystems({ pgPool }: SystemOptions): BenchSystem[] {
  const pg = findPostgres();
  const nats = findNatsServer();
  const pgMissing = () => ('missing' in pg ? pg.missing : undefined);
  const natsMissing = () => ('missing' in nats ? nats.missing : undefined);
  const pgVersion = 'missing' in pg ? '' : ` ${pg.version}`;
  const natsVersion = 'missing' in nats ? '' : ` ${nats.version}`;
  const postgres = (standby: boolean) => async (): Promise<RunningSystem> => {
    if ('missing' in pg) throw new Error(pg.missing);
    const db = await startPostgres(pg, { standby });
    return withCleanup(db.stop, async () => {
      const port = await freePort();
      const peer = await startServer(
        peerArgs('postgres-peer.ts', port, ['--url', db.primary.url, '--pool', String(pgPool)]),
        port,
        QUIET,
      );
      return { urls: [`http://127.0.0.1:${port}/votes`], stop: () => stopServer(peer) };
    });
  };
  const jetstream = (size: number) => async (): Promise<RunningSystem> => {
    const cluster = await startNats(size);
    return withCleanup(cluster.stop, async () => {
      const port = await freePort();
      const args = ['--servers', cluster.servers.join(','), '--replicas', String(size)];
      const peer = await startServer(peerArgs('nats-peer.ts', port, args), port, QUIET);
      return { urls: [`http://127.0.0.1:${port}/votes`], stop: () => stopServer(peer) };
    });
  };
  return [
    {
      id: 'votestream-1',
      label: 'votestream, 1 node, Redis Cluster 3 masters + 3 replicas, WAIT 1',
      missing: () => undefined,
      start: () => votestream(1),
    },
    {
      id: 'votestream-3',
      label: 'votestream, 3 member nodes (every node folds every shard), load spread over them',
      missing: () => undefined,
      start: () => votestream(3),
    },
    {
      id: 'postgres',
      label: `PostgreSQL${pgVersion}, unique (poll, voter), synchronous_commit on, no standby`,
      missing: pgMissing,
      start: postgres(false),
    },
    {
      id: 'postgres-standby',
      label: `PostgreSQL${pgVersion} primary + synchronous standby (remote_write)`,
      missing: pgMissing,
      start: postgres(true),
    },
    {
      id: 'nats-1',
      label: `NATS${natsVersion} JetStream KV, create per voter, 1 server`,
      missing: natsMissing,
      start: jetstream(1),
    },
    {
      id: 'nats-r3',
      label: `NATS${natsVersion} JetStream KV, create per voter, 3-server cluster, replicas 3`,
      missing: natsMissing,
      start: jetstream(3),
    },
    {
      id: 'redis-counter',
      label: 'Redis Cluster 3+3, one Lua HSETNX + HINCRBY per vote, then WAIT 1 (no log, no fold)',
      missing: () => undefined,
      start: async () => {
        const cluster = await startCluster(3, 1);
        return withCleanup(cluster.stop, async () => {
          const port = await freePort();
          const args = peerArgs('redis-counter-peer.ts', port, ['--seeds', cluster.seeds]);
          const peer = await startServer(args, port, QUIET);
          return { urls: [`http://127.0.0.1:${port}/votes`], stop: () => stopServer(peer) };
        });
      },
    },
    {
      id: 'empty',
      label: 'the same fastify route with no store (bench/baseline-server.ts)',
      missing: () => undefined,
      start: async () => {
        const port = await freePort();
        const server = await startServer(
          ['--import', 'tsx', 'bench/baseline-server.ts', String(port)],
          port,
          { ...QUIET, VS_HTTP_PORT: String(port) },
        );
        return { urls: [`http://127.0.0.1:${port}/votes`], stop: () => stopServer(server) };
      },
    },
  ];
}

const peerArgs = (file: string, port: number, args: string[]) => [
  '--import',
  'tsx',
  `bench/peers/${file}`,
  '--port',
  String(port),
  ...args,
];

/**
 * Runs `start` (the front of a system whose store is up) and, if it fails, stops the store
 * before rethrowing; on success, the system's stop() ends the front, then the store.
 */
async function withCleanup(
  stopStore: () => Promise<void>,
  start: () => Promise<RunningSystem>,
): Promise<RunningSystem> {
  let front: RunningSystem;
  try {
    front = await start();
  } catch (error) {
    await stopStore();
    throw error;
  }
  return {
    urls: front.urls,
    async stop() {
      try {
        await front.stop();
      } finally {
        await stopStore();
      }
    },
  };
}

/** `nodes` votestream nodes (members of one cluster when 3) on a fresh Redis Cluster 3+3. */
async function votestream(nodes: number): Promise<RunningSystem> {
  const cluster = await startCluster(3, 1);
  return withCleanup(cluster.stop, async () => {
    const ids = nodes === 1 ? ['bench'] : Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
    const started: Awaited<ReturnType<typeof startServer>>[] = [];
    const stopNodes = async () => {
      await Promise.all(started.map((s) => stopServer(s)));
    };
    try {
      const urls: string[] = [];
      for (const id of ids) {
        const port = await freePort();
        started.push(
          await startServer(['bin/votestream.js', 'node'], port, nodeEnv(cluster, id, ids, port)),
        );
        urls.push(`http://127.0.0.1:${port}`);
      }
      await createPoll(urls[0]!);
      if (nodes > 1) await leaderElected(urls[0]!);
      return { urls: urls.map((u) => `${u}/votes`), stop: stopNodes };
    } catch (error) {
      await stopNodes();
      throw error;
    }
  });
}

function nodeEnv(cluster: BenchCluster, id: string, ids: string[], port: number) {
  return {
    ...QUIET,
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_HTTP_PORT: String(port),
    VS_NODE_ID: id,
    VS_ADMIN_TOKEN: ADMIN,
    VS_DURABILITY: 'replica',
    ...(ids.length > 1 ? { VS_MEMBERS: ids.join(',') } : {}),
    // Its own snapshots, thrown away with the cluster: never ones of an earlier run's log.
    VS_SNAPSHOT_DIR: mkdtempSync(join(cluster.dir, `snap-${id}-`)),
  };
}

async function createPoll(url: string): Promise<void> {
  const res = await fetch(`${url}/polls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
  });
  if (!res.ok) throw new Error(`poll create: ${res.status} ${await res.text()}`);
}
