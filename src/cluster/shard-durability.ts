// What this node knows about each shard's durability: whether a vote of the shard could be
// made durable now, and if not, why. With durability `replica` a vote is acknowledged only
// after WAIT 1, which needs an online replica of the shard's master; a master that lost its
// replica (say after its own failover, until the dead server is back as a replica) answers
// 503 NOT_DURABLE for every vote of its shards. GET /cluster, GET /metrics and the dashboard
// show it from here.
//
// Two sources, the fresher wins: a poll of each shard's master (INFO replication, once a
// second, through the shard's own key so it meets what an append would meet), and the WAITs
// the node does anyway (appends, commit markers), which say at once when a master's replicas
// stop confirming writes — and when they confirm again.
import type { LogTarget } from '../log/redis-client.ts';
import { replicationInfo } from '../log/view-reads.ts';

/** Why a shard cannot be made durable now (or, with `local durability`, how it is). */
export type DurabilityReason =
  /** Its master has no online replica: WAIT 1 cannot succeed. */
  | 'no replica in sync'
  /** A WAIT after a write to its master counted no replica within VS_WAIT_TIMEOUT_MS. */
  | 'no replica acknowledged in time'
  /** The cluster says nobody serves the shard's slot (a failover under way). */
  | 'slot not served'
  /** Its master did not answer (down, unreachable, or slow). */
  | 'master unreachable'
  /** VS_DURABILITY=local: a vote is acknowledged once its master has it; no replica awaited. */
  | 'local durability'
  | 'not checked yet';

export interface ShardDurability {
  /** Whether a vote of the shard can be acknowledged as durable now; null before the first check. */
  durable: boolean | null;
  /** Why not; with durable true only `local durability`; null when replicated. */
  reason: DurabilityReason | null;
  /** Online replicas of its master at the last poll; null when unknown. */
  replicas: number | null;
  /** When this was learned (Date.now()). */
  at: number;
}

/** Online replicas in a master's INFO replication (`slaveN:…,state=online,…`). */
export function onlineReplicas(info: string): number {
  return info.split('\n').filter((line) => /^slave\d+:.*\bstate=online\b/.test(line)).length;
}

/**
 * The verdict on one shard from one poll of its master: its INFO replication text, or the
 * error the call met. `replicaDurability`: the node waits for a replica (VS_DURABILITY).
 */
export function judgeShard(
  answer: { info: string } | { error: Error },
  replicaDurability: boolean,
  at: number,
): ShardDurability {
  if ('error' in answer) {
    const reason = /CLUSTERDOWN/.test(answer.error.message)
      ? 'slot not served'
      : 'master unreachable';
    return { durable: false, reason, replicas: null, at };
  }
  const replicas = onlineReplicas(answer.info);
  if (!replicaDurability) return { durable: true, reason: 'local durability', replicas, at };
  return replicas > 0
    ? { durable: true, reason: null, replicas, at }
    : { durable: false, reason: 'no replica in sync', replicas, at };
}

/**
 * The verdict after a WAIT on a master's connection that counted `acknowledged` replicas:
 * durable again, or not, keeping the replica count of the last poll.
 */
export function judgeWait(
  before: ShardDurability,
  acknowledged: number,
  at: number,
): ShardDurability {
  if (acknowledged > 0)
    return { durable: true, reason: null, replicas: Math.max(before.replicas ?? 0, 1), at };
  // A master already seen without a replica: the WAIT confirms it, and says no more.
  if (before.reason === 'no replica in sync') return { ...before, at };
  return {
    durable: false,
    reason: 'no replica acknowledged in time',
    replicas: before.replicas,
    at,
  };
}

/**
 * What to keep when a poll's verdict comes back: `current` may be a WAIT's that came back
 * while the poll was on its way (its `at` is after `askedAt`). A WAIT is fresher and wins —
 * except that a poll finding no online replica explains a WAIT that counted none, and stays.
 */
export function mergePoll(
  current: ShardDurability,
  polled: ShardDurability,
  askedAt: number,
): ShardDurability {
  if (current.at <= askedAt) return polled;
  if (current.durable === false && polled.reason === 'no replica in sync') return polled;
  return current;
}

const POLL_MS = 1000;

/** Polls each shard's master once a second and takes in the node's WAIT results. */
export class DurabilityWatch {
  readonly #target: LogTarget;
  readonly #shards: ShardDurability[];
  readonly #polling = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(target: LogTarget) {
    this.#target = target;
    this.#shards = Array.from({ length: target.shards }, () => ({
      durable: null,
      reason: 'not checked yet',
      replicas: null,
      at: 0,
    }));
  }

  start(): void {
    this.poll();
    this.#timer = setInterval(() => this.poll(), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The shard's durability as last learned. */
  shard(shard: number): ShardDurability {
    return this.#shards[shard]!;
  }

  /**
   * True while the shard's master was seen, within the last two polls, with no online replica:
   * a WAIT there cannot succeed, so an append would only be written and refused after
   * VS_WAIT_TIMEOUT_MS. (Not for a WAIT that merely timed out: a slow replica recovers.)
   */
  cannotReplicate(shard: number, now = Date.now()): boolean {
    const s = this.#shards[shard];
    return s?.reason === 'no replica in sync' && now - s.at < 2 * POLL_MS;
  }

  /** A WAIT covering writes to these shards (one master's) counted `acknowledged` replicas. */
  noteWait(shards: readonly number[], acknowledged: number): void {
    const at = Date.now();
    for (const shard of shards) {
      const before = this.#shards[shard];
      if (before) this.#shards[shard] = judgeWait(before, acknowledged, at);
    }
  }

  /** One check of every shard whose last check has come back. */
  poll(): void {
    const { client, prefix } = this.#target;
    for (let shard = 0; shard < this.#shards.length; shard++) {
      if (this.#polling.has(shard)) continue;
      this.#polling.add(shard);
      const asked = Date.now();
      void replicationInfo(client, prefix, shard)
        .then(
          (info) => ({ info }),
          (error: Error) => ({ error }),
        )
        .then((answer) => {
          this.#polling.delete(shard);
          const polled = judgeShard(answer, this.#target.durable, Date.now());
          this.#shards[shard] = mergePoll(this.#shards[shard]!, polled, asked);
        });
    }
  }
}
