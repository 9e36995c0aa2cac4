// Nodes as real processes, for what only a process can show: SIGKILL, SIGSTOP, restarts.
import { randomBytes } from 'node:crypto';
import { type NodeProcess, startNodeProcess } from '../../ops/local-nodes.ts';
import { ADMIN_TOKEN, snapshotDir, until } from './node.ts';
import { freeBasePort } from './redis-cluster.ts';

export type { NodeProcess };

const started: NodeProcess[] = [];
process.once('exit', () => {
  for (const n of started) n.child.kill('SIGKILL');
});

/** Starts `ids.length` member nodes on one new prefix; returns them and their shared env. */
export async function startNodes(seeds: string, ids: string[], env: Record<string, string> = {}) {
  const base = await freeBasePort(ids.length);
  const shared = {
    VS_REDIS_CLUSTER: seeds,
    VS_PREFIX: `p${randomBytes(4).toString('hex')}`,
    VS_MEMBERS: ids.join(','),
    VS_ADMIN_TOKEN: ADMIN_TOKEN,
    VS_LOG_LEVEL: 'warn',
    ...env,
  };
  const nodes = await Promise.all(
    ids.map((nodeId, i) =>
      startOne(nodeId, base + i, { ...shared, VS_SNAPSHOT_DIR: snapshotDir() }),
    ),
  );
  return { nodes, env: shared };
}

export async function startOne(
  nodeId: string,
  port: number,
  env: Record<string, string>,
  /** A file for the node's JSON log (default: none). */
  output?: string,
): Promise<NodeProcess> {
  const node = await startNodeProcess({ nodeId, port, env, ...(output ? { output } : {}) });
  started.push(node);
  await until(
    async () => (await fetch(`${node.url}/health`).catch(() => undefined))?.status === 200,
    10_000,
    `${nodeId} did not become ready`,
  );
  return node;
}

/** Restarts a stopped or killed node with the same id, port and snapshot folder. */
export function restart(node: NodeProcess): Promise<NodeProcess> {
  return startOne(node.nodeId, Number(new URL(node.url).port), node.env);
}

/**
 * GETs `path` from a node process. 5 s, as `post`: a node under a loaded CI machine answered
 * its first ranked results (a worker thread loading tsx) in more than 2 s, and the abort
 * failed the test that was waiting for those results.
 */
export async function get<T = Record<string, never>>(node: NodeProcess, path: string): Promise<T> {
  const res = await fetch(`${node.url}${path}`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as T;
}

export async function post(node: NodeProcess, path: string, body: unknown, admin = false) {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, never> };
}

export interface ClusterInfo {
  role: string;
  term: number;
  leader: { nodeId: string; term: number } | null;
  members: { nodeId: string; status: string }[];
}

/** The node that leads, as the given nodes see it (all that answer must agree). */
export async function leaderAmong(
  nodes: NodeProcess[],
  timeoutMs: number,
): Promise<{ node: NodeProcess; term: number }> {
  let found: { node: NodeProcess; term: number } | undefined;
  await until(
    async () => {
      for (const n of nodes) {
        try {
          const view = await get<ClusterInfo>(n, '/cluster');
          if (view.role === 'leader') {
            found = { node: n, term: view.term };
            return true;
          }
        } catch {
          // Stopped or killed: ask the others.
        }
      }
      return false;
    },
    timeoutMs,
    'no leader',
  );
  return found!;
}
