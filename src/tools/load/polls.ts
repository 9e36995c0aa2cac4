// The polls a load run votes in: created fresh (admin token), or one named with --poll.
import { VotestreamClient, VotestreamError } from '../../client/index.ts';
import { ConfigError } from '../../config.ts';
import { ToolFailure } from '../tool-failure.ts';

/** The polls to vote in and each one's option ids. */
export interface LoadPolls {
  polls: string[];
  options: Map<string, string[]>;
}

/**
 * Reads poll `poll` from `targets[0]`, or creates `count` fresh polls (options a–d, revote
 * replace) with `adminToken`. Throws with the node's answer when it refuses.
 */
export async function preparePolls(o: {
  targets: string[];
  polls: number;
  seed: number;
  poll?: string;
  adminToken?: string;
  signal?: AbortSignal;
}): Promise<LoadPolls> {
  const client = new VotestreamClient({ nodes: [o.targets[0]!], adminToken: o.adminToken });
  try {
    return await loadPolls(client, o);
  } finally {
    await client.close();
  }
}

async function loadPolls(
  client: VotestreamClient,
  o: Parameters<typeof preparePolls>[0],
): Promise<LoadPolls> {
  const call = o.signal ? { signal: o.signal } : {};
  const options = new Map<string, string[]>();
  if (o.poll) {
    const { poll } = await client.getPoll(o.poll, call).catch(refused(`poll ${o.poll}`));
    options.set(
      poll.id,
      poll.options.map((x) => x.id),
    );
    return { polls: [poll.id], options };
  }
  if (!o.adminToken)
    throw new ConfigError(
      'creating polls needs an admin token (--admin-token or VS_ADMIN_TOKEN), or name one with --poll',
    );
  const polls: string[] = [];
  for (let i = 0; i < o.polls; i++) {
    // Fresh polls per run (the votes themselves repeat per --seed).
    const id = `load-${o.seed}-${Date.now().toString(36)}-${i}`;
    await client
      .createPoll(
        { id, title: `Load ${id}`, options: ['a', 'b', 'c', 'd'], revote: 'replace' },
        call,
      )
      .catch(refused('poll create'));
    polls.push(id);
    options.set(id, ['a', 'b', 'c', 'd']);
  }
  return { polls, options };
}

/** The deployment's shard count, from GET /cluster; undefined if the target does not say. */
export async function shardCount(target: string): Promise<number | undefined> {
  const client = new VotestreamClient({ nodes: [target] });
  try {
    const view = await client.cluster({ retry: false });
    return Array.isArray(view.shards) && view.shards.length > 0 ? view.shards.length : undefined;
  } catch {
    // An older node or a failed read: the run goes on without per-shard outage figures.
    return undefined;
  } finally {
    await client.close();
  }
}

/** Rethrows a node's refusal as the error the load command prints: what, status, code. */
function refused(what: string) {
  return (error: unknown): never => {
    if (error instanceof VotestreamError)
      throw new ToolFailure(`${what}: ${error.status} ${error.code}: ${error.message}`, {
        cause: error,
      });
    throw error;
  };
}
