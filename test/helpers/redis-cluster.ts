// A private Redis Cluster for tests: random free ports, a temp folder, torn down at exit
// even when tests fail or the run is interrupted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ClusterStatus } from '../../ops/cluster-nodes.ts';
import { freeBasePort } from '../../ops/free-ports.ts';
import { layoutPorts, redisUp } from '../../ops/redis-cluster.ts';
import { killClusterSync, redisDown } from '../../ops/redis-processes.ts';

export interface TestCluster {
  /** host:port of every master, as VS_REDIS_CLUSTER wants them. */
  seeds: string;
  nodes: { host: string; port: number }[];
  ports: number[];
  dir: string;
  status: ClusterStatus;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const running = new Set<string>();

process.once('exit', () => {
  for (const dir of running) {
    killClusterSync(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => process.exit(130));
}

/** Starts a Redis Cluster of `masters` masters with `replicas` replicas each on free ports. */
export async function startTestCluster({
  masters = 3,
  replicas = 1,
  nodeTimeoutMs = 3000,
  password = undefined as string | undefined,
} = {}): Promise<TestCluster> {
  const count = masters * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'votestream-redis-'));
  running.add(dir);
  const port = await freeBasePort(count);
  const layout = { host: HOST, port, masters, replicas, dir, nodeTimeoutMs, password };
  const { status } = await redisUp(layout);
  const nodes = status.masters.map((m) => ({ host: HOST, port: m.port }));
  return {
    seeds: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    nodes,
    ports: layoutPorts(layout),
    dir,
    status,
    async stop() {
      await redisDown({ dir });
      rmSync(dir, { recursive: true, force: true });
      running.delete(dir);
    },
  };
}

let shared: Promise<TestCluster> | undefined;

/** One cluster for the whole test run (uvu runs every file in one process). */
export function sharedCluster(): Promise<TestCluster> {
  shared ??= startTestCluster();
  return shared;
}

/** Empties every master (replicas follow), so a test starts from an empty log. */
export async function flushCluster(cluster: TestCluster): Promise<void> {
  await Promise.all(
    cluster.nodes.map(async ({ host, port }) => {
      const redis = new Redis({ host, port, lazyConnect: true });
      try {
        await redis.connect();
        // A failover may have turned a seed into a replica; only masters take FLUSHALL.
        if ((await redis.role())[0] === 'master') await redis.flushall();
      } finally {
        redis.disconnect();
      }
    }),
  );
}

// Moved to ops/ so the chaos runner can use them too; re-exported for the tests.
export { freeBasePort, isFree } from '../../ops/free-ports.ts';
