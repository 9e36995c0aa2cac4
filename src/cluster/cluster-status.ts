// GET /cluster's body, assembled in this one place: the coordinator's status (roles, terms,
// members, clock), then per shard what the shard readers, the coordinator's Applied reports
// and the durability watch expose, with the two things only Redis knows (the chain head's seq
// and the consumer groups' lag), which the route reads first.
import type { ShardReader } from '../log/shard-reader.ts';
import {
  type CoordinatorSource,
  type CoordinatorStatus,
  coordinatorStatus,
} from './coordinator-status.ts';
import type { DurabilityWatch, ShardDurability } from './shard-durability.ts';

/** What Redis says about a shard's log, read just before the status is assembled. */
export interface ShardLogFacts {
  /** The chain head's seq; 0 before the first entry, null when Redis could not say. */
  headSeq: number | null;
  /** Each consumer group's (node's) lag, `[group, lag]`; empty when Redis could not say. */
  lag: [string, number | null][];
}

export interface ShardStatus {
  shard: number;
  headSeq: number | null;
  /** This node's fold. */
  appliedSeq: number;
  committedSeq: number;
  lag: Record<string, number | null>;
  /** Each node's applied seq, from its Applied reports (this node's from its fold). */
  appliedBy: Record<string, number>;
  /** Chain breaks this node's reader met since it started. */
  chainBreaks: number;
  /** Present only while the log itself is broken (the same break after a refold from zero). */
  broken?: ShardReader['broken'];
  /** Whether a vote of this shard can be acknowledged as durable now (null: not checked yet). */
  durable: ShardDurability['durable'];
  durableReason: ShardDurability['reason'];
  replicasInSync: ShardDurability['replicas'];
}

export type ClusterStatus = CoordinatorStatus & { shards: ShardStatus[] };

/** What the status is read from: the node's parts, none of which reads Redis here. */
export interface ClusterSources {
  coordinator: CoordinatorSource;
  readers: readonly Pick<ShardReader, 'shard' | 'state' | 'breaks' | 'broken'>[];
  durability: Pick<DurabilityWatch, 'shard'>;
}

/**
 * GET /cluster's body. `logFacts[i]` is what Redis said about `readers[i]`'s shard; `now` is
 * performance.now() (heartbeat ages). Key order is part of the contract (the dashboard, `up`
 * and operators' scripts read it).
 */
export function clusterStatus(
  { coordinator, readers, durability }: ClusterSources,
  logFacts: readonly ShardLogFacts[],
  now = performance.now(),
): ClusterStatus {
  const shards = readers.map((r, i): ShardStatus => {
    const facts = logFacts[i];
    const shardDurability = durability.shard(r.shard);
    return {
      shard: r.shard,
      headSeq: facts?.headSeq ?? null,
      appliedSeq: r.state.appliedSeq,
      committedSeq: r.state.committedSeq,
      lag: Object.fromEntries(facts?.lag ?? []),
      appliedBy: appliedBy(coordinator, r.shard, r.state.appliedSeq),
      chainBreaks: r.breaks,
      ...(r.broken ? { broken: r.broken } : {}),
      // From the node's durability watch (no Redis read here): can a vote of this shard be
      // acknowledged as durable now, and why not.
      durable: shardDurability.durable,
      durableReason: shardDurability.reason,
      replicasInSync: shardDurability.replicas,
    };
  });
  return { ...coordinatorStatus(coordinator, now), shards };
}

/**
 * Each node's applied seq in a shard, from the Applied reports the coordinator folds (this
 * node's own from its fold, which is fresher). A node that never reported is absent.
 */
function appliedBy(
  { view, nodeId }: CoordinatorSource,
  shard: number,
  own: number,
): Record<string, number> {
  const bySeq: Record<string, number> = {};
  for (const [id, report] of view.applied) {
    const seq = report.shards.get(shard)?.seq;
    if (seq !== undefined) bySeq[id] = seq;
  }
  bySeq[nodeId] = own;
  return bySeq;
}
