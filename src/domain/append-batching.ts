// How the appender (src/log/append-vote.ts) groups the work waiting for one Redis master into
// script calls: the decision alone, so it is tested without Redis. The appender sends the plan
// as one pipeline, in the plan's order: claims, appends, releases, then WAIT.

/** Where a waiting vote goes: its own shard, and the shard that holds its voteId's claim. */
export interface Routed {
  readonly shard: number;
  readonly claimShard: number;
}

/** The work waiting for one master, each list in arrival order. */
export interface Waiting<T extends Routed> {
  /** Votes whose voteId is to be claimed in its claim shard (claim-vote-ids). */
  readonly claims: readonly T[];
  /** Votes to append to their shard (append-votes). */
  readonly appends: readonly T[];
  /** Refused votes whose claim is to be released in its claim shard (release-vote-ids). */
  readonly releases: readonly T[];
}

/** What the appender sends to one master: one script call per group, then maybe a WAIT. */
export interface SendPlan<T extends Routed> {
  claims: T[][];
  appends: T[][];
  releases: T[][];
  /** Whether the pipeline ends with WAIT: something in it must be made durable. */
  wait: boolean;
}

/**
 * Plans one pipeline. Claims and releases go one call per claim shard, appends one call per
 * vote shard; each group keeps its votes in arrival order, the groups come in the order their
 * shard first appears, and a group of more than `maxPerCall` votes is split, in order, into
 * calls of `maxPerCall` (the last one shorter). The pipeline waits for a replica when the
 * writes must be `durable` and it claims or appends anything: a release alone needs no WAIT
 * (losing one leaves a voteId bound to a refused vote, which is harmless).
 * @throws RangeError when `maxPerCall` is not a positive integer.
 */
export function planSend<T extends Routed>(
  waiting: Waiting<T>,
  { maxPerCall, durable }: { maxPerCall: number; durable: boolean },
): SendPlan<T> {
  if (!Number.isInteger(maxPerCall) || maxPerCall < 1) {
    throw new RangeError(`maxPerCall must be a positive integer, not ${maxPerCall}`);
  }
  const claims = callsPerShard(waiting.claims, (v) => v.claimShard, maxPerCall);
  const appends = callsPerShard(waiting.appends, (v) => v.shard, maxPerCall);
  const releases = callsPerShard(waiting.releases, (v) => v.claimShard, maxPerCall);
  return { claims, appends, releases, wait: durable && claims.length + appends.length > 0 };
}

/** Groups `items` by `shardOf` in arrival order, at most `max` a group. */
function callsPerShard<T>(items: readonly T[], shardOf: (item: T) => number, max: number): T[][] {
  const byShard = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(item);
    const list = byShard.get(shard);
    if (list) list.push(item);
    else byShard.set(shard, [item]);
  }
  const calls: T[][] = [];
  for (const list of byShard.values()) {
    if (list.length <= max) calls.push(list);
    else for (let i = 0; i < list.length; i += max) calls.push(list.slice(i, i + max));
  }
  return calls;
}
