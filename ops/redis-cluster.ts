// A local Redis Cluster for development, tests and chaos runs: its layout (ports, folder),
// formed with `redis-cli --cluster create` from servers that ops/redis-processes.ts starts,
// and its status read from any node (parsed by ops/cluster-nodes.ts).
import { resolve } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import {
  type ClusterStatus,
  describeCluster,
  isReady,
  parseClusterNodes,
  portOf,
  replicasOf,
} from './cluster-nodes.ts';
import {
  clearStopMarker,
  lastLines,
  ownedPid,
  RedisClusterError,
  requireRedisTools,
  startServer,
  waitFor,
} from './redis-processes.ts';

export interface ClusterLayout {
  host?: string;
  /** First port; nodes use port … port + masters × (1 + replicas) − 1. */
  port: number;
  masters: number;
  replicas: number;
  /** Data, configuration, pid files and logs, one subfolder per port. */
  dir: string;
  /** cluster-node-timeout: how long a silent master has before its replica takes over. */
  nodeTimeoutMs?: number;
  /**
   * Password of the `default` user (requirepass; replicas use it as masterauth). It is
   * written to each server's redis.conf in `dir`, so keep that folder private.
   */
  password?: string;
  /**
   * Redis 7's protected mode (default on) refuses clients that do not come over loopback when
   * no password is set. Turn it off only for a private address, such as the veth pair of the
   * chaos runner's partition scenario.
   */
  protectedMode?: boolean;
}

const HOST = '127.0.0.1';

/** The ports of the layout's servers, masters first as `redis-cli --cluster create` takes them. */
export function layoutPorts(layout: ClusterLayout): number[] {
  const count = layout.masters * (1 + layout.replicas);
  return Array.from({ length: count }, (_, i) => layout.port + i);
}

/**
 * Starts (or finds running) a local Redis Cluster and returns once every slot is served
 * and every replica's link is up — before that, WAIT would report 0 replicas.
 */
export async function redisUp(
  layout: ClusterLayout,
  timeoutMs = 30_000,
): Promise<{ alreadyRunning: boolean; status: ClusterStatus }> {
  const { server, cli } = requireRedisTools();
  const host = layout.host ?? HOST;
  const ports = layoutPorts(layout);
  const dir = resolve(layout.dir);
  const expected = { masters: layout.masters, replicas: layout.masters * layout.replicas };

  // From here on the folder's servers are meant to run: a supervisor may restart them again.
  clearStopMarker(dir);
  const { password } = layout;
  const answering = await Promise.all(ports.map((p) => ping(host, p, password)));
  if (answering.every(Boolean)) {
    const status = await clusterStatus(host, ports, password);
    if (isReady(status, expected)) return { alreadyRunning: true, status };
  }
  for (const [i, port] of ports.entries()) {
    if (answering[i] && !ownedPid(dir, port)) {
      throw new RedisClusterError(
        `port ${port} is already in use by a Redis that this cluster (${dir}) did not start; choose another --port`,
      );
    }
  }

  const started = ports.filter((_, i) => !answering[i]);
  await Promise.all(started.map((port) => startServer(server, dir, host, port, layout)));
  await waitFor(
    async () => (await Promise.all(ports.map((p) => ping(host, p, password)))).every(Boolean),
    5_000,
    () => `redis-server did not answer on ports ${ports.join(', ')}: see the logs in ${dir}`,
  );

  if (await isFresh(host, ports, password)) {
    const nodes = ports.map((p) => `${host}:${p}`);
    const created = await execa(
      cli,
      [
        '--cluster',
        'create',
        ...nodes,
        '--cluster-replicas',
        String(layout.replicas),
        '--cluster-yes',
      ],
      // REDISCLI_AUTH rather than -a: a password on the command line shows in `ps`.
      { reject: false, timeout: 30_000, env: password ? { REDISCLI_AUTH: password } : {} },
    );
    if (created.exitCode !== 0) {
      throw new RedisClusterError(
        `redis-cli --cluster create failed: ${lastLines(String(created.stdout) + String(created.stderr))}`,
      );
    }
  }

  let status: ClusterStatus | undefined;
  await waitFor(
    async () => {
      status = await clusterStatus(host, ports, password);
      return isReady(status, expected) && (await allNodesOk(host, ports, password));
    },
    timeoutMs,
    () => `the cluster did not become ready in ${timeoutMs} ms: ${JSON.stringify(status)}`,
  );
  return { alreadyRunning: false, status: status! };
}

/** Reads the cluster's topology and replication state from any answering node. */
export async function clusterStatus(
  host: string,
  ports: number[],
  password?: string,
): Promise<ClusterStatus> {
  let lastError: unknown;
  for (const port of ports) {
    const redis = connect(host, port, password);
    try {
      const [info, nodes] = await Promise.all([
        redis.cluster('INFO') as Promise<string>,
        redis.cluster('NODES') as Promise<string>,
      ]);
      return await statusOf(host, info, nodes, password);
    } catch (error) {
      lastError = error;
    } finally {
      redis.disconnect();
    }
  }
  throw new RedisClusterError(
    `no Redis Cluster node answers on ${host}:${ports.join(',')}: ${(lastError as Error)?.message}`,
  );
}

/** Parses the replies and asks each replica for its link to its master. */
async function statusOf(
  host: string,
  info: string,
  nodesText: string,
  password: string | undefined,
): Promise<ClusterStatus> {
  const nodes = parseClusterNodes(nodesText);
  const links = await Promise.all(
    replicasOf(nodes).map(async (r) => {
      const redis = connect(host, portOf(r.address), password);
      try {
        const text = (await redis.info('replication')) as string;
        return text.match(/^master_link_status:(\w+)/m)?.[1] ?? 'unknown';
      } catch {
        return 'unreachable';
      } finally {
        redis.disconnect();
      }
    }),
  );
  return describeCluster(info, nodes, links);
}

/** Each node must see the cluster as ok, not just the one that answered first. */
async function allNodesOk(host: string, ports: number[], password?: string): Promise<boolean> {
  const states = await Promise.all(
    ports.map(async (port) => {
      const redis = connect(host, port, password);
      try {
        return /cluster_state:ok/.test((await redis.cluster('INFO')) as string);
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    }),
  );
  return states.every(Boolean);
}

async function isFresh(host: string, ports: number[], password?: string): Promise<boolean> {
  const redis = connect(host, ports[0]!, password);
  try {
    const info = (await redis.cluster('INFO')) as string;
    return /cluster_known_nodes:1\b/.test(info) && /cluster_slots_assigned:0\b/.test(info);
  } finally {
    redis.disconnect();
  }
}

function connect(host: string, port: number, password?: string): Redis {
  return new Redis({
    host,
    port,
    ...(password ? { password } : {}),
    lazyConnect: false,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: true,
  }).on('error', () => {
    // Connection errors surface through the command's rejected promise.
  });
}

async function ping(host: string, port: number, password?: string): Promise<boolean> {
  const redis = connect(host, port, password);
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
