// Where a vote is appended. Appends are group-committed: everything queued in one turn of
// the event loop goes to the masters as one pipeline each — an append-votes call per shard,
// then one WAIT — so one script call and one replica round trip acknowledge many votes.
import { sha1Hex } from '../domain/chain.ts';
import { shardOf } from '../domain/shard-of.ts';
import { type ErrorCode, VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeVote } from './codec.ts';
import { type ShardKeys, shardKeys, shardSlot } from './keys.ts';
import { type LogTarget, masterOf, withDeadline } from './redis-client.ts';

/** A ballot the node has checked against its poll; `choices` sorted. */
export interface VoteRequest {
  voteId: string;
  pollId: string;
  voterId: string;
  choices: string[];
  revote: 'reject' | 'replace';
  at: number;
}

/** Proof that a vote is in the log, and where. */
export interface Receipt {
  voteId: string;
  pollId: string;
  shard: number;
  seq: number;
  entryId: string;
  hash: string;
}

export type AppendOutcome =
  | { status: 'appended' | 'replayed'; receipt: Receipt }
  | { status: 'refused'; error: VoteStreamError };

/** One vote's outcome in `appendAll`: what `append` resolves to, or what it rejects with. */
export type BatchOutcome = AppendOutcome | { status: 'failed'; error: VoteStreamError };

/** Where outcomes go: one vote's promise, or a whole batch's array (one promise per batch). */
interface Sink {
  settle(index: number, outcome: BatchOutcome): void;
}

interface Pending {
  vote: VoteRequest;
  shard: number;
  /** The VoteCast payload (validated) and the fingerprint of the vote's content. */
  payload: string;
  fingerprint: string;
  sink: Sink;
  index: number;
}

/** The script's codes for refusals (see streams/lua/append-votes.lua). */
const REFUSALS: Record<string, ErrorCode | undefined> = {
  '-1': 'POLL_CLOSED',
  '-2': 'ALREADY_VOTED',
  '-3': 'VOTE_ID_CONFLICT',
};

/** The appends waiting for one master, and whether a pipeline to it is on its way. */
interface MasterQueue {
  queue: Pending[];
  inFlight: boolean;
  scheduled: boolean;
}

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
      };
      this.#enqueue(vote, sink, 0);
    });
  }

  /**
   * Appends many votes, in order, behind one promise: a storage fault becomes a `failed`
   * outcome of the votes it hit rather than a rejection, so a batch can answer per vote.
   */
  appendAll(votes: readonly VoteRequest[]): Promise<BatchOutcome[]> {
    if (votes.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const outcomes = new Array<BatchOutcome>(votes.length);
      let left = votes.length;
      const sink: Sink = {
        settle(index, outcome) {
          outcomes[index] = outcome;
          if (--left === 0) resolve(outcomes);
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
      return;
    }
    const shard = shardOf(vote.pollId, vote.voterId, this.#target.shards);
    if (this.#target.durable && this.#target.cannotReplicate?.(shard)) {
      // Refused before it is written: its master has no replica to confirm it.
      const error = new VoteStreamError('NOT_DURABLE', undefined, { voteId: vote.voteId });
      sink.settle(index, { status: 'failed', error });
      return;
    }
    const master = masterOf(this.#target.client, this.#slots[shard]!);
    let m = this.#masters.get(master);
    if (!m) {
      m = { queue: [], inFlight: false, scheduled: false };
      this.#masters.set(master, m);
    }
    m.queue.push({ vote, shard, payload, fingerprint: fingerprint(vote), sink, index });
    this.#schedule(m);
  }

  /**
   * Group commit: at most one pipeline per master is on its way. What arrives meanwhile
   * waits and goes in the next one, so batches grow with load and each costs one write,
   * one script call per shard and one WAIT — instead of one of each per vote.
   */
  #schedule(m: MasterQueue): void {
    if (m.inFlight || m.scheduled || m.queue.length === 0) return;
    m.scheduled = true;
    setTimeout(() => {
      m.scheduled = false;
      const queue = m.queue;
      m.queue = [];
      m.inFlight = true;
      void this.#send(this.#groupByShard(queue)).finally(() => {
        m.inFlight = false;
        this.#schedule(m);
      });
    }, 1);
  }

  /** One script call per shard, votes in arrival order, at most maxBatch each. */
  #groupByShard(queue: Pending[]): Pending[][] {
    const byShard = new Map<number, Pending[]>();
    for (const item of queue) {
      const list = byShard.get(item.shard);
      if (list) list.push(item);
      else byShard.set(item.shard, [item]);
    }
    const groups: Pending[][] = [];
    for (const items of byShard.values()) {
      if (items.length <= this.#maxBatch) groups.push(items);
      else
        for (let i = 0; i < items.length; i += this.#maxBatch)
          groups.push(items.slice(i, i + this.#maxBatch));
    }
    return groups;
  }

  /** One pipeline to one master: an append-votes call per shard group, then WAIT. */
  async #send(groups: Pending[][]): Promise<void> {
    const { client, durable, waitTimeoutMs } = this.#target;
    const pipeline = client.pipeline() as unknown as PipelineWithScripts;
    for (const items of groups) pipeline.appendVotes(...this.#scriptArgs(items));
    if (durable) pipeline.call('WAIT', '1', String(waitTimeoutMs));
    let replies: [Error | null, unknown][];
    try {
      replies = (await withDeadline(
        pipeline.exec(),
        waitTimeoutMs + 3000,
        () => new Error('the append did not complete in time'),
      )) as [Error | null, unknown][];
    } catch (error) {
      this.#log?.warn({ err: (error as Error).message }, 'append failed');
      const failure = new VoteStreamError('STORAGE_UNAVAILABLE');
      for (const items of groups) for (const item of items) fail(item, failure);
      return;
    }
    const [waitError, acks] = replies[groups.length] ?? [];
    const replicated = durable ? Number(acks ?? 0) >= 1 : true;
    if (durable && !waitError) {
      // What this master's WAIT says about the shards whose appends it took.
      const covered = groups.filter((_, g) => replies[g] && !replies[g][0]);
      this.#target.onWait?.(
        covered.map((items) => items[0]!.shard),
        Number(acks ?? 0),
      );
    }
    for (let g = 0; g < groups.length; g++) {
      const items = groups[g]!;
      const [error, reply] = replies[g] ?? [new Error('no reply'), undefined];
      const fields = typeof reply === 'string' ? reply.split(' ') : [];
      if (error || fields.length !== items.length * 4) {
        const err = error?.message ?? `malformed reply for ${items.length} votes`;
        this.#log?.warn({ shard: items[0]?.shard, err }, 'append script failed');
        const failure = new VoteStreamError('STORAGE_UNAVAILABLE');
        for (const item of items) fail(item, failure);
        continue;
      }
      for (let i = 0; i < items.length; i++) this.#settle(items[i]!, fields, i * 4, replicated);
    }
  }

  /** Settles one vote from its 4 fields (code, seq, entryId, hash) at `at` in the reply. */
  #settle(item: Pending, fields: string[], at: number, replicated: boolean): void {
    const code = fields[at]!;
    const seq = Number(fields[at + 1]);
    const refusal = REFUSALS[code];
    if (refusal) {
      const details = code === '-2' ? { seq } : undefined;
      item.sink.settle(item.index, {
        status: 'refused',
        error: new VoteStreamError(refusal, undefined, details),
      });
      return;
    }
    if (!replicated) {
      // The vote may be in the log; a retry with the same voteId returns its receipt.
      fail(item, new VoteStreamError('NOT_DURABLE', undefined, { voteId: item.vote.voteId }));
      return;
    }
    const { voteId, pollId } = item.vote;
    item.sink.settle(item.index, {
      status: code === '1' ? 'appended' : 'replayed',
      receipt: {
        voteId,
        pollId,
        shard: item.shard,
        seq,
        entryId: fields[at + 2]!,
        hash: fields[at + 3]!,
      },
    });
  }

  /**
   * numkeys; keys: head, ids, closed, log, then a voters hash per poll; args: the number of
   * polls, pollId and revote rule per poll, then 5 per vote (streams/lua/append-votes.lua).
   */
  #scriptArgs(items: Pending[]): (string | number)[] {
    const keys = this.#keys[items[0]!.shard]!;
    const pollIndex = new Map<string, number>();
    const voterKeys: string[] = [];
    const polls: string[] = [];
    const votes: (string | number)[] = [];
    for (const { vote, payload, fingerprint } of items) {
      let p = pollIndex.get(vote.pollId);
      if (p === undefined) {
        voterKeys.push(keys.voters(vote.pollId));
        polls.push(vote.pollId, vote.revote);
        p = voterKeys.length; // 1-based, as Lua counts
        pollIndex.set(vote.pollId, p);
      }
      votes.push(vote.voteId, vote.voterId, p, fingerprint, payload);
    }
    return [
      4 + voterKeys.length,
      keys.head,
      keys.ids,
      keys.closed,
      keys.log,
      ...voterKeys,
      voterKeys.length,
      ...polls,
      ...votes,
    ];
  }
}

function fail(item: Pending, error: VoteStreamError): void {
  item.sink.settle(item.index, { status: 'failed', error });
}

/** Same voteId with other content is a client bug, not a retry: the fingerprint tells them apart. */
export function fingerprint(vote: Pick<VoteRequest, 'pollId' | 'voterId' | 'choices'>): string {
  return sha1Hex(`${vote.pollId}\n${vote.voterId}\n${vote.choices.join('\n')}`);
}

interface PipelineWithScripts {
  appendVotes(...args: (string | number)[]): PipelineWithScripts;
  call(...args: string[]): PipelineWithScripts;
  exec(): Promise<[Error | null, unknown][] | null>;
}
