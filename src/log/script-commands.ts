// The Lua scripts of streams/lua as ioredis commands, typed once. ioredis's own way: augment its
// RedisCommander, which both clients (Redis, Cluster) implement and which ChainableCommander,
// the pipeline, extends with the pipeline context; so `client.markCommit(…)` resolves to the
// reply and `client.pipeline().markCommit(…)` chains, and no call site casts. src/log/scripts.ts
// defines the commands on each client at run time; test/log/scripts.test.ts holds this list to
// the files in streams/lua. Arguments follow each script's header: KEYS first, then ARGV.
import type { ClientContext, RedisKey, Result } from 'ioredis';
import type {
  ACQUIRE_LEASE,
  ADD_TO_ROLL,
  CLOSE_POLL,
  CLOSE_SHARD,
  CodeOf,
  CREATE_POLL,
  MARK_COMMIT,
  RELEASE_LEASE,
  RENEW_LEASE,
  RESERVE_ROLL_WEIGHT,
} from './script-codes.ts';

/** create-poll-2.lua: the code and the payload given or stored. */
export type CreatePollReply = [code: CodeOf<typeof CREATE_POLL>, payload: string];

/** close-poll-3.lua: the code and the PollClosed's entry id (none when the poll is unknown). */
export type ClosePollReply =
  | [code: typeof CLOSE_POLL.closed | typeof CLOSE_POLL.alreadyClosed, entryId: string]
  | [code: typeof CLOSE_POLL.notFound];

/** close-shard-3.lua: the code and the barrier's seq. */
export type CloseShardReply = [code: CodeOf<typeof CLOSE_SHARD>, seq: number];

/** add-to-roll-4.lua: the code and the RollChanged's seq, the barrier's seq, or how many are on the roll. */
export type AddToRollReply = [code: CodeOf<typeof ADD_TO_ROLL>, detail: number];

/** reserve-roll-weight-1.lua: the code and the poll's reserved weight. */
export type ReserveRollWeightReply = [code: CodeOf<typeof RESERVE_ROLL_WEIGHT>, total: number];

/** mark-commit-3.lua: the code and what it found. */
export type MarkCommitReply =
  | [code: typeof MARK_COMMIT.marked, entryId: string]
  | [code: typeof MARK_COMMIT.unchanged, committed: number]
  | [code: typeof MARK_COMMIT.fenced, fence: number]
  | [code: typeof MARK_COMMIT.beyondHead, headSeq: number]
  | [code: typeof MARK_COMMIT.hashMismatch, headHash: string];

/** acquire-lease-3.lua: the new term, or the holder's "nodeId:term". */
export type AcquireLeaseReply =
  | [code: typeof ACQUIRE_LEASE.acquired, term: number]
  | [code: typeof ACQUIRE_LEASE.held, holder: string];

/** Every script as a command; `Context` makes it a promise on a client, a chain on a pipeline. */
interface ScriptCommands<Context extends ClientContext> {
  /**
   * append-votes.lua: `numberOfKeys` (5 + twice the group's polls), the keys (head, ids,
   * closed, log, claims, a voters hash per poll, a roll hash per poll), then the arguments.
   * Replies 5 fields per vote.
   */
  appendVotes(
    numberOfKeys: number,
    ...keysThenArgs: (RedisKey | number)[]
  ): Result<string, Context>;
  /** claim-vote-ids-2.lua: voteId and claim, per vote. Replies one code per vote. */
  claimVoteIds(
    claims: RedisKey,
    ids: RedisKey,
    ...voteIdThenClaim: string[]
  ): Result<string, Context>;
  /** release-vote-ids-1.lua: voteId and claim, per vote. Replies how many were released. */
  releaseVoteIds(registry: RedisKey, ...voteIdThenClaim: string[]): Result<number, Context>;
  addToRoll(
    head: RedisKey,
    closed: RedisKey,
    log: RedisKey,
    roll: RedisKey,
    pollId: string,
    payload: string,
    ...voterIdThenWeight: string[]
  ): Result<AddToRollReply, Context>;
  reserveRollWeight(
    rollWeights: RedisKey,
    pollId: string,
    weight: string,
    bound: string,
  ): Result<ReserveRollWeightReply, Context>;
  closeShard(
    head: RedisKey,
    closed: RedisKey,
    log: RedisKey,
    pollId: string,
    payload: string,
  ): Result<CloseShardReply, Context>;
  createPoll(
    pollIds: RedisKey,
    polls: RedisKey,
    pollId: string,
    fingerprint: string,
    payload: string,
  ): Result<CreatePollReply, Context>;
  closePoll(
    pollIds: RedisKey,
    pollsClosed: RedisKey,
    polls: RedisKey,
    pollId: string,
    payload: string,
  ): Result<ClosePollReply, Context>;
  markCommit(
    head: RedisKey,
    fence: RedisKey,
    log: RedisKey,
    term: number,
    seq: number,
    hash: string,
    payload: string,
  ): Result<MarkCommitReply, Context>;
  acquireLease(
    lease: RedisKey,
    term: RedisKey,
    election: RedisKey,
    nodeId: string,
    leaseMs: number,
  ): Result<AcquireLeaseReply, Context>;
  renewLease(
    lease: RedisKey,
    holder: string,
    leaseMs: number,
  ): Result<CodeOf<typeof RENEW_LEASE>, Context>;
  releaseLease(
    lease: RedisKey,
    election: RedisKey,
    holder: string,
    payload: string,
  ): Result<CodeOf<typeof RELEASE_LEASE>, Context>;
  /** raise-fence-1.lua: replies the fence after the call. */
  raiseFence(fence: RedisKey, term: number): Result<number, Context>;
  /** read-page-1.lua: one packed string per entry after `after`. */
  readPage(log: RedisKey, after: string, count: number): Result<string[], Context>;
  /** replication-info-1.lua: INFO replication of the shard's master. */
  replicationInfo(head: RedisKey): Result<string, Context>;
}

/** The name of a script's command: its file name in camelCase, without the KEYS count. */
export type ScriptName = keyof ScriptCommands<ClientContext>;

declare module 'ioredis' {
  // Merged into ioredis's declaration, whose type parameter this repeats.
  interface RedisCommander<Context extends ClientContext = { type: 'default' }>
    extends ScriptCommands<Context> {}
}
