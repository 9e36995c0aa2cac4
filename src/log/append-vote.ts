// Where a vote is appended. Appends are group-committed: everything queued in one turn of
// the event loop goes to the masters as one pipeline each — a script call per shard (claims,
// appends), then one WAIT — so one call and one replica round trip acknowledge many votes.
import { v7 as newUuid } from 'uuid';
import { planSend, type SendPlan } from '../domain/append-batching.ts';
import { sha1Hex } from '../domain/chain.ts';
import { claimShardOf, claimShardTail, shardOf } from '../domain/shard-of.ts';
import { VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeVote } from './codec.ts';
import { type ShardKeys, shardKeys, shardSlot } from './keys.ts';
import { type LogTarget, masterOf, withDeadline } from './redis-client.ts';
import { APPEND_VOTES, CLAIM_VOTE_IDS, parseCode, scriptRefusal } from './script-codes.ts';

/** A ballot the node has checked against its poll; `choices` sorted. */
export interface VoteRequest {
  voteId: string;
  pollId: string;
  voterId: string;
  choices: string[];
  revote: 'reject' | 'replace';
  at: number;
  /**
   * The poll's roll rule: `roll` (only voters on the roll may vote), `weighted` (and the
   * VoteCast carries the voter's weight from the roll); absent, anyone may vote.
   */
  roll?: 'roll' | 'weighted';
}

/** Proof that a vote is in the log, and where. */
export interface Receipt {
  voteId: string;
  pollId: string;
  shard: number;
  seq: number;
  entryId: string;
  hash: string;
  /** A weighted poll's vote: the weight it is counted with (the voter's, on the roll). */
  weight?: number;
}

export type AppendOutcome =
  | { status: 'appended' | 'replayed'; receipt: Receipt }
  | { status: 'refused'; error: VoteStreamError };

/** One vote's outcome in `appendAll`: what `append` resolves to, or what it rejects with. */
export type BatchOutcome = AppendOutcome | { status: 'failed'; error: VoteStreamError };

/**
 * Where a vote's progress goes: one vote's promise, or a whole batch (one promise per batch).
 * `claimed` is called once per vote when its claim stage ends: with the vote when its voteId
 * is durably claimed for it (the sink then sends it to its shard), without when the vote was
 * settled there (refused or failed).
 */
interface Sink {
  settle(index: number, outcome: BatchOutcome): void;
  claimed(index: number, item?: Pending): void;
}

interface Pending {
  vote: VoteRequest;
  shard: number;
  /** The shard whose `claims` hash holds the voteId's claim (claimShardOf). */
  claimShard: number;
  /** The VoteCast payload (validated) and the fingerprint of the vote's content. */
  payload: string;
  fingerprint: string;
  /** What the voteId's claim holds for this vote: "shard fingerprint". */
  claim: string;
  sink: Sink;
  index: number;
  /** The shard's refusal, settled once the claim is released. */
  refusal?: AppendOutcome;
}

/**
 * The work waiting for one master, and whether a pipeline to it is on its way: claims in the
 * claims hashes of its shards, appends to its shards, releases of refused votes' claims.
 */
interface MasterQueue {
  claims: Pending[];
  appends: Pending[];
  releases: Pending[];
  inFlight: boolean;
  scheduled: boolean;
}

/**
 * Appends votes so that a voteId is recorded once in the deployment. Every voteId has a claim
 * shard (`claimShardOf`), which knows it: by its `ids` record when the vote is there too, else
 * by a claim (the vote's shard and content) in its `claims` hash. The claim shard is usually
 * not the vote's shard, so a vote takes two steps, each group-committed per master:
 *
 * 1. claim: the voteId is claimed for this vote in its claim shard (`claim-vote-ids-2.lua`)
 *    and the claim made durable (WAIT) before anything else;
 * 2. append: the vote goes to its shard (`append-votes.lua`), idempotent by voteId there, and
 *    is made durable. A vote its shard refuses has its claim released before it is answered.
 *
 * When the claim shard is the vote's shard — always for server-generated voteIds
 * (`newVoteIdFor`) — the append script checks the claims there itself, and the vote's `ids`
 * record is its claim: one step, and nothing more to write.
 * A crash between the steps leaves a claim without a vote: the same vote sent again finds its
 * own claim and is appended; another vote under that voteId is refused (VOTE_ID_CONFLICT).
 */
export class Appender {
  readonly #target: LogTarget;
  readonly #log: Logger | undefined;
  /** Votes per script call; a larger group for one shard is split. */
  readonly #maxBatch: number;
  readonly #masters = new Map<string, MasterQueue>();
  /** Per shard, fixed for the deployment's lifetime: its keys and its hash tag's slot. */
  readonly #keys: ShardKeys[] = [];
  readonly #slots: number[] = [];

  /** `target.durable` is read at each send: it may be resolved after start. */
  constructor(target: LogTarget, log?: Logger, maxBatch = 500) {
    this.#target = target;
    this.#log = log;
    this.#maxBatch = maxBatch;
    for (let shard = 0; shard < target.shards; shard++) {
      const keys = shardKeys(target.prefix, shard);
      this.#keys.push(keys);
      this.#slots.push(shardSlot(target.prefix, shard));
    }
  }

  /** Appends one vote; resolves when it is in the log (and on a replica, if durable). */
  append(vote: VoteRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      const sink: Sink = {
        settle: (_, outcome) =>
          outcome.status === 'failed' ? reject(outcome.error) : resolve(outcome),
        claimed: (_, item) => {
          if (item) this.#toShard(item);
        },
      };
      this.#enqueue(vote, sink, 0);
    });
  }

  /**
   * Appends many votes, in order, behind one promise: a storage fault becomes a `failed`
   * outcome of the votes it hit rather than a rejection, so a batch can answer per vote.
   * The votes go to their shards in request order once every claim of the batch is settled,
   * so two votes of one voter in a batch are appended in the order they were sent.
   */
  appendAll(votes: readonly VoteRequest[]): Promise<BatchOutcome[]> {
    if (votes.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const outcomes = new Array<BatchOutcome>(votes.length);
      const claimed = new Array<Pending | undefined>(votes.length);
      let left = votes.length;
      let claiming = votes.length;
      const sink: Sink = {
        settle(index, outcome) {
          outcomes[index] = outcome;
          if (--left === 0) resolve(outcomes);
        },
        claimed: (index, item) => {
          claimed[index] = item;
          if (--claiming > 0) return;
          for (const next of claimed) if (next) this.#toShard(next);
        },
      };
      for (let i = 0; i < votes.length; i++) this.#enqueue(votes[i]!, sink, i);
    });
  }

  #enqueue(vote: VoteRequest, sink: Sink, index: number): void {
    let payload: string;
    try {
      // Writes are validated before they leave the node: a vote that is not a valid VoteCast
      // fails alone, here, instead of its whole pipeline.
      payload = encodeVote(vote);
    } catch (error) {
      this.#log?.error({ voteId: vote.voteId, err: (error as Error).message }, 'invalid VoteCast');
      sink.settle(index, { status: 'failed', error: new VoteStreamError('INTERNAL') });
      sink.claimed(index);
      return;
    }
    const shard = shardOf(vote.pollId, vote.voterId, this.#target.shards);
    const claimShard = claimShardOf(vote.voteId, this.#target.shards);
    const cannot = this.#target.cannotReplicate;
    if (this.#target.durable && cannot && (cannot(shard) || cannot(claimShard))) {
      // Refused before anything is written: a master it needs has no replica to confirm it.
      const error = new VoteStreamError('NOT_DURABLE', undefined, { voteId: vote.voteId });
      sink.settle(index, { status: 'failed', error });
      sink.claimed(index);
      return;
    }
    const print = fingerprint(vote);
    const item: Pending = {
      vote,
      shard,
      claimShard,
      payload,
      fingerprint: print,
      claim: `${shard} ${print}`,
      sink,
      index,
    };
    // Claimed in the append script itself when the claim lives in the vote's own shard.
    if (claimShard === shard) {
      sink.claimed(index, item);
      return;
    }
    const m = this.#queueOf(this.#slots[claimShard]!);
    m.claims.push(item);
    this.#schedule(m);
  }

  #toShard(item: Pending): void {
    const m = this.#queueOf(this.#slots[item.shard]!);
    m.appends.push(item);
    this.#schedule(m);
  }

  #toRelease(item: Pending): void {
    const m = this.#queueOf(this.#slots[item.claimShard]!);
    m.releases.push(item);
    this.#schedule(m);
  }

  #queueOf(slot: number): MasterQueue {
    const master = masterOf(this.#target.client, slot);
    let m = this.#masters.get(master);
    if (!m) {
      m = { claims: [], appends: [], releases: [], inFlight: false, scheduled: false };
      this.#masters.set(master, m);
    }
    return m;
  }

  /**
   * Group commit: at most one pipeline per master is on its way. What arrives meanwhile
   * waits and goes in the next one, so batches grow with load and each costs one write,
   * a script call per shard (claims, appends, releases) and one WAIT — not one of each per
   * vote.
   */
  #schedule(m: MasterQueue): void {
    if (m.inFlight || m.scheduled) return;
    if (m.claims.length + m.appends.length + m.releases.length === 0) return;
    m.scheduled = true;
    setTimeout(() => {
      m.scheduled = false;
      const { claims, appends, releases } = m;
      m.claims = [];
      m.appends = [];
      m.releases = [];
      m.inFlight = true;
      const plan = planSend(
        { claims, appends, releases },
        { maxPerCall: this.#maxBatch, durable: this.#target.durable },
      );
      void this.#send(plan).finally(() => {
        m.inFlight = false;
        this.#schedule(m);
      });
    }, 1);
  }

  /**
   * One pipeline to one master, as planned (planSend): a claim call per claim shard, an
   * append-votes call per shard, a release call per claim shard, then WAIT when anything
   * needs to be durable.
   */
  async #send({ claims, appends, releases, wait: waits }: SendPlan<Pending>): Promise<void> {
    const { client, waitTimeoutMs } = this.#target;
    const pipeline = client.pipeline();
    for (const items of claims) {
      const keys = this.#keys[items[0]!.claimShard]!;
      pipeline.claimVoteIds(keys.claims, keys.ids, ...claimPairs(items));
    }
    for (const items of appends) pipeline.appendVotes(...this.#scriptArgs(items));
    for (const items of releases) {
      pipeline.releaseVoteIds(this.#keys[items[0]!.claimShard]!.claims, ...claimPairs(items));
    }
    if (waits) pipeline.call('WAIT', '1', String(waitTimeoutMs));
    let replies: [Error | null, unknown][];
    try {
      replies = (await withDeadline(
        pipeline.exec(),
        waitTimeoutMs + 3000,
        () => new Error('the append did not complete in time'),
      )) as [Error | null, unknown][];
    } catch (error) {
      this.#log?.warn({ err: (error as Error).message }, 'append failed');
      for (const items of claims)
        for (const item of items) this.#failClaim(item, unavailable(item));
      for (const items of appends) for (const item of items) fail(item, unavailable(item));
      for (const items of releases) this.#released(items, error as Error);
      return;
    }
    const groups = claims.length + appends.length + releases.length;
    const [waitError, acks] = replies[groups] ?? [];
    const replicated = waits ? Number(acks ?? 0) >= 1 : true;
    if (waits && !waitError) {
      // What this master's WAIT says about the shards whose claims and appends it took.
      const covered = [
        ...claims
          .filter((_, g) => replies[g] && !replies[g][0])
          .map((items) => items[0]!.claimShard),
        ...appends
          .filter((_, g) => replies[claims.length + g] && !replies[claims.length + g]![0])
          .map((items) => items[0]!.shard),
      ];
      this.#target.onWait?.([...new Set(covered)], Number(acks ?? 0));
    }
    let r = 0;
    for (const items of claims) this.#settleClaims(items, replies[r++], replicated);
    for (const items of appends) this.#settleAppends(items, replies[r++], replicated);
    for (const items of releases) this.#released(items, replies[r++]?.[0] ?? null);
  }

  #settleClaims(
    items: Pending[],
    [error, reply]: [Error | null, unknown] = [new Error('no reply'), undefined],
    replicated: boolean,
  ): void {
    const codes = typeof reply === 'string' ? reply.split(' ') : [];
    if (error || codes.length !== items.length) {
      const err = error?.message ?? `malformed reply for ${items.length} claims`;
      this.#log?.warn({ shard: items[0]?.claimShard, err }, 'voteId claim failed');
      for (const item of items) this.#failClaim(item, unavailable(item));
      return;
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const code = parseCode(codes[i]!);
      const refusal = scriptRefusal('claimVoteIds', code);
      if (refusal) {
        item.sink.settle(item.index, { status: 'refused', error: refusal });
        item.sink.claimed(item.index);
      } else if (code !== CLAIM_VOTE_IDS.claimed && code !== CLAIM_VOTE_IDS.claimedBefore) {
        this.#log?.warn({ code: codes[i] }, 'unknown voteId claim code');
        this.#failClaim(item, unavailable(item));
      } else if (!replicated) {
        // The claim may not survive a failover: the vote must not be appended on it yet.
        this.#failClaim(
          item,
          new VoteStreamError('NOT_DURABLE', undefined, { voteId: item.vote.voteId }),
        );
      } else {
        item.sink.claimed(item.index, item);
      }
    }
  }

  #failClaim(item: Pending, error: VoteStreamError): void {
    fail(item, error);
    item.sink.claimed(item.index);
  }

  #settleAppends(
    items: Pending[],
    [error, reply]: [Error | null, unknown] = [new Error('no reply'), undefined],
    replicated: boolean,
  ): void {
    const fields = typeof reply === 'string' ? reply.split(' ') : [];
    if (error || fields.length !== items.length * FIELDS_PER_VOTE) {
      const err = error?.message ?? `malformed reply for ${items.length} votes`;
      this.#log?.warn({ shard: items[0]?.shard, err }, 'append script failed');
      for (const item of items) fail(item, unavailable(item));
      return;
    }
    for (let i = 0; i < items.length; i++)
      this.#settle(items[i]!, fields, i * FIELDS_PER_VOTE, replicated);
  }

  /** Settles one vote from its 5 fields (code, seq, entryId, hash, weight) at `at` in the reply. */
  #settle(item: Pending, fields: string[], at: number, replicated: boolean): void {
    const code = parseCode(fields[at]!);
    const seq = Number(fields[at + 1]);
    const details = code === APPEND_VOTES.alreadyVoted ? { seq } : undefined;
    const refusal = scriptRefusal('appendVotes', code, details);
    if (refusal) {
      const outcome: AppendOutcome = { status: 'refused', error: refusal };
      if (refusal.code === 'VOTE_ID_CONFLICT' || item.claimShard === item.shard) {
        // Claimed in the script, a refused vote wrote nothing. Claimed elsewhere, a -3
        // (recordedOtherwise) means the shard holds the voteId with other content (recorded
        // before voteIds were claimed): the claim stays, or that voteId could be planted in
        // another shard again.
        item.sink.settle(item.index, outcome);
        return;
      }
      // The vote is not recorded and never will be: free its voteId, then answer.
      item.refusal = outcome;
      this.#toRelease(item);
      return;
    }
    if (!replicated) {
      // The vote may be in the log; a retry with the same voteId returns its receipt.
      fail(item, new VoteStreamError('NOT_DURABLE', undefined, { voteId: item.vote.voteId }));
      return;
    }
    const { voteId, pollId } = item.vote;
    const weight = fields[at + 4]!;
    item.sink.settle(item.index, {
      status: code === APPEND_VOTES.appended ? 'appended' : 'replayed',
      receipt: {
        voteId,
        pollId,
        shard: item.shard,
        seq,
        entryId: fields[at + 2]!,
        hash: fields[at + 3]!,
        ...(weight === '-' ? {} : { weight: Number(weight) }),
      },
    });
  }

  /** Answers refused votes once their claims are released (or the release failed: logged). */
  #released(items: Pending[], error: Error | null): void {
    if (error)
      this.#log?.warn(
        { shard: items[0]?.claimShard, err: error.message },
        'releasing the voteIds of refused votes failed; they stay bound to those votes',
      );
    for (const item of items) item.sink.settle(item.index, item.refusal!);
  }

  /**
   * numkeys; keys: head, ids, closed, log, claims, then a voters hash per poll, then a roll
   * hash per poll; args: the number of polls, pollId, revote rule and roll rule per poll, then
   * 6 per vote, the last "1" when this shard is the voteId's claim shard (the script checks
   * it), "" when it was claimed there first (streams/lua/append-votes.lua).
   */
  #scriptArgs(items: Pending[]): [numberOfKeys: number, ...keysThenArgs: (string | number)[]] {
    const keys = this.#keys[items[0]!.shard]!;
    const pollIndex = new Map<string, number>();
    const voterKeys: string[] = [];
    const rollKeys: string[] = [];
    const polls: string[] = [];
    const votes: (string | number)[] = [];
    for (const { vote, payload, fingerprint, claimShard, shard } of items) {
      let p = pollIndex.get(vote.pollId);
      if (p === undefined) {
        voterKeys.push(keys.voters(vote.pollId));
        rollKeys.push(keys.roll(vote.pollId));
        polls.push(vote.pollId, vote.revote, vote.roll ?? '');
        p = voterKeys.length; // 1-based, as Lua counts
        pollIndex.set(vote.pollId, p);
      }
      votes.push(
        vote.voteId,
        vote.voterId,
        p,
        fingerprint,
        payload,
        claimShard === shard ? '1' : '',
      );
    }
    return [
      5 + voterKeys.length + rollKeys.length,
      keys.head,
      keys.ids,
      keys.closed,
      keys.log,
      keys.claims,
      ...voterKeys,
      ...rollKeys,
      voterKeys.length,
      ...polls,
      ...votes,
    ];
  }
}

/** Fields per vote in append-votes.lua's reply: code, seq, entryId, hash, weight. */
const FIELDS_PER_VOTE = 5;

/**
 * A storage fault met by this vote. It carries the voteId (the server's own when the client
 * sent none): the vote may have been written before the fault, and a retry must use it.
 */
function unavailable(item: Pending): VoteStreamError {
  return new VoteStreamError('STORAGE_UNAVAILABLE', undefined, { voteId: item.vote.voteId });
}

function fail(item: Pending, error: VoteStreamError): void {
  item.sink.settle(item.index, { status: 'failed', error });
}

/**
 * A new server-generated voteId: a UUIDv7 whose claim shard is the vote's own shard, so its
 * claim is written by the append script itself (one step, not two). Its last byte is chosen
 * for that (`claimShardTail`), which leaves it a valid UUIDv7 with 66 random bits or so.
 */
export function newVoteIdFor(pollId: string, voterId: string, shards: number): string {
  const shard = shardOf(pollId, voterId, shards);
  for (;;) {
    const head = newUuid().slice(0, -2);
    const tail = claimShardTail(head, shard, shards);
    if (tail !== undefined) return head + tail;
  }
}

/** Same voteId with other content is a client bug, not a retry: the fingerprint tells them apart. */
export function fingerprint(vote: Pick<VoteRequest, 'pollId' | 'voterId' | 'choices'>): string {
  return sha1Hex(`${vote.pollId}\n${vote.voterId}\n${vote.choices.join('\n')}`);
}

/** voteId and claim of each vote: the arguments of the claim and release scripts. */
function claimPairs(items: Pending[]): string[] {
  const args: string[] = [];
  for (const { vote, claim } of items) args.push(vote.voteId, claim);
  return args;
}
