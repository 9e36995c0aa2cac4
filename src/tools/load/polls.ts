// The polls a load run votes in: created fresh (admin token), or one named with --poll.

/** The polls to vote in and each one's option ids. */
export interface LoadPolls {
  polls: string[];
  options: Map<string, string[]>;
}

/**
 * Reads poll `poll` from `target`, or creates `count` fresh polls (options a–d, revote
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
  const target = o.targets[0]!;
  const options = new Map<string, string[]>();
  if (o.poll) {
    const res = await fetch(`${target}/polls/${encodeURIComponent(o.poll)}`, {
      signal: o.signal ?? null,
    });
    if (!res.ok) throw new Error(`poll ${o.poll}: ${res.status} ${await res.text()}`);
    const { poll } = (await res.json()) as { poll: { id: string; options: { id: string }[] } };
    options.set(
      poll.id,
      poll.options.map((x) => x.id),
    );
    return { polls: [poll.id], options };
  }
  if (!o.adminToken)
    throw new Error(
      'creating polls needs an admin token (--admin-token or VS_ADMIN_TOKEN), or name one with --poll',
    );
  const polls: string[] = [];
  for (let i = 0; i < o.polls; i++) {
    // Fresh polls per run (the votes themselves repeat per --seed).
    const id = `load-${o.seed}-${Date.now().toString(36)}-${i}`;
    const res = await fetch(`${target}/polls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.adminToken}` },
      body: JSON.stringify({
        id,
        title: `Load ${id}`,
        options: ['a', 'b', 'c', 'd'],
        revote: 'replace',
      }),
      signal: o.signal ?? null,
    });
    if (!res.ok) throw new Error(`poll create: ${res.status} ${await res.text()}`);
    polls.push(id);
    options.set(id, ['a', 'b', 'c', 'd']);
  }
  return { polls, options };
}

/** The deployment's shard count, from GET /cluster; undefined if the target does not say. */
export async function shardCount(target: string): Promise<number | undefined> {
  try {
    const view = (await (await fetch(`${target}/cluster`)).json()) as { shards?: unknown[] };
    return Array.isArray(view.shards) && view.shards.length > 0 ? view.shards.length : undefined;
  } catch {
    return undefined;
  }
}
