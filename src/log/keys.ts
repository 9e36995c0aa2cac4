// The only place that builds Redis key names. Every key a script touches shares a hash tag
// ({s<N>} for a shard, {ctl} for coordination) so each script runs in one cluster slot.
import calculateSlot from 'cluster-key-slot';

export interface ShardKeys {
  /** Stream: VoteCast, PollClosed (chained) and CommitMarked entries. */
  log: string;
  /** Hash: seq and hash of the chain head, committed seq. */
  head: string;
  /** Hash: voteId → "seq entryId hash fingerprint" (idempotent append, receipt lookup). */
  ids: string;
  /**
   * Hash: voteId → "shard fingerprint", for the voteIds whose claim shard this is: the part of
   * the voteId registry in this shard's slot. A voteId is claimed before its vote is appended
   * (in the same script when the vote's shard is its claim shard), so it is recorded once in
   * the deployment, not once per shard.
   */
  claims: string;
  /** Hash: pollId → seq of the poll's PollClosed barrier in this shard. */
  closed: string;
  /** String: highest term that wrote a commit marker here. */
  fence: string;
  /** Counter the committer bumps so its WAIT covers every earlier write of the shard. */
  sync: string;
  /** Hash per poll: voterId → seq of the counted vote. */
  voters(pollId: string): string;
  /**
   * Hash per poll: voterId → weight (a decimal integer), the poll's roll entries of the voters
   * whose shard this is; the append script checks a vote against it.
   */
  roll(pollId: string): string;
}

export interface ControlKeys {
  /** Stream: PollCreated, PollClosed — the poll catalogue. */
  polls: string;
  /** Hash: pollId → "fingerprint\npayload" of its PollCreated (unique poll ids). */
  pollIds: string;
  /** Hash: pollId → entry id of its PollClosed in the catalogue. */
  pollsClosed: string;
  /**
   * Hash: pollId → the total weight reserved for its roll (weighted polls), so the roll never
   * weighs more than 2^53 − 1 across the shards that hold it.
   */
  rollWeights: string;
  heartbeats: string;
  election: string;
  acks: string;
  lease: string;
  term: string;
  /** String: the deployment's shard count, recorded by the first node (shard-count.ts). */
  shards: string;
}

/** The cluster slot of a shard's hash tag: every key of the shard lives in it. */
export function shardSlot(prefix: string, shard: number): number {
  return calculateSlot(shardKeys(prefix, shard).head);
}

export function shardKeys(prefix: string, shard: number): ShardKeys {
  const tag = `${prefix}:{s${shard}}`;
  return {
    log: `${tag}:log`,
    head: `${tag}:head`,
    ids: `${tag}:ids`,
    claims: `${tag}:claims`,
    closed: `${tag}:closed`,
    fence: `${tag}:fence`,
    sync: `${tag}:sync`,
    voters: (pollId) => `${tag}:voters:${pollId}`,
    roll: (pollId) => `${tag}:roll:${pollId}`,
  };
}

export function controlKeys(prefix: string): ControlKeys {
  const tag = `${prefix}:{ctl}`;
  return {
    polls: `${tag}:polls`,
    pollIds: `${tag}:poll-ids`,
    pollsClosed: `${tag}:polls-closed`,
    rollWeights: `${tag}:roll-weights`,
    heartbeats: `${tag}:heartbeats`,
    election: `${tag}:election`,
    acks: `${tag}:acks`,
    lease: `${tag}:lease`,
    term: `${tag}:term`,
    shards: `${tag}:shards`,
  };
}
