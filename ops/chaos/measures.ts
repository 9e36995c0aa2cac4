// What a chaos run reports, computed from the observer's samples: pure functions, so the
// arithmetic is tested without a cluster (test/ops/chaos-measures.test.ts).

/** One answer of GET /cluster from one node, timed on the runner's monotonic clock. */
export interface ClusterSample {
  /** performance.now() when the answer arrived. */
  at: number;
  nodeId: string;
  leader: string | null;
  term: number;
  /** Sum of committedSeq over every shard in this node's fold. */
  committed: number;
}

/**
 * When the cluster's commits first moved on or after `from`: the first sample whose committed
 * total exceeds everything any node reported before `from`.
 */
export function firstCommitAt(samples: ClusterSample[], from: number): number | undefined {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  let base = 0;
  for (const s of sorted) {
    if (s.at < from) base = Math.max(base, s.committed);
    else if (s.committed > base) return s.at;
  }
  return undefined;
}

/**
 * The longest time in [from, to] during which no node's committed total rose above the highest
 * one reported so far (a restarted node refolding from a snapshot reports lower totals for a
 * while; that is not progress). The clock starts at `from`, counting a gap before the first
 * advance, and a gap still open at `to` counts up to `to`.
 */
export function maxCommitGapMs(samples: ClusterSample[], from: number, to: number): number {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  let high = 0;
  for (const s of sorted) if (s.at < from) high = Math.max(high, s.committed);
  let last = from;
  let gap = 0;
  for (const s of sorted) {
    if (s.at < from || s.at > to) continue;
    if (s.committed > high) {
      high = s.committed;
      gap = Math.max(gap, s.at - last);
      last = s.at;
    }
  }
  return Math.max(gap, to - last);
}

/**
 * Time from `since` to the first answer (before `before`) of a node other than `old.nodeId`
 * that names a different leader with a higher term than `old.term`; undefined if none came.
 */
export function newLeaderAfterMs(
  samples: ClusterSample[],
  since: number,
  old: { nodeId: string; term: number },
  before = Number.POSITIVE_INFINITY,
): { ms: number; leader: string; term: number } | undefined {
  return firstAfter(
    samples,
    since,
    before,
    (s) =>
      s.nodeId !== old.nodeId && s.leader !== null && s.leader !== old.nodeId && s.term > old.term,
  );
}

/**
 * Time from `since` to the first answer (before `before`) naming any leader with a term above
 * `term`, the old leader included (it may win the lease again, say after a Redis failover).
 */
export function higherTermAfterMs(
  samples: ClusterSample[],
  since: number,
  term: number,
  before = Number.POSITIVE_INFINITY,
): { ms: number; leader: string; term: number } | undefined {
  return firstAfter(samples, since, before, (s) => s.leader !== null && s.term > term);
}

function firstAfter(
  samples: ClusterSample[],
  since: number,
  before: number,
  matches: (s: ClusterSample) => boolean,
): { ms: number; leader: string; term: number } | undefined {
  const hit = [...samples]
    .sort((a, b) => a.at - b.at)
    .find((s) => s.at >= since && s.at < before && matches(s));
  return hit ? { ms: hit.at - since, leader: hit.leader!, term: hit.term } : undefined;
}

/** Every leader (and its term) that any node reported, in the order they first appeared. */
export function leadersSeen(samples: ClusterSample[]): { leader: string; term: number }[] {
  const seen = new Map<string, { leader: string; term: number }>();
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    if (s.leader === null) continue;
    const key = `${s.leader}:${s.term}`;
    if (!seen.has(key)) seen.set(key, { leader: s.leader, term: s.term });
  }
  return [...seen.values()];
}
