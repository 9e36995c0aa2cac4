// Where a vote is appended. Appends are group-committed: everything queued in one turn of
// the event loop goes to the masters as one pipeline each — an append-votes call per shard,
// then one WAIT — so one script call and one replica round trip acknowledge many votes.
import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { shardOf } from '../domain/shard-of.ts';
import { type ErrorCode, VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeVote } from './codec.ts';
import { shardKeys } from './keys.ts';
import { type LogTarget, withDeadline } from './redis-client.ts';

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

interface Pending {
  vote: VoteRequest;
  shard: number;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

const REFUSALS: Record<number, ErrorCode | undefined> = {
  [-1]: 'POLL_CLOSED',
  [-2]: 'ALREADY_VOTED',
  [-3]: 'VOTE_ID_CONFLICT',
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

  /** `target.durable` is read at each send: it may be resolved after start. */
  constructor(target: LogTarget, log?: Logger, maxBatch = 500) {
    this.#target = target;
    this.#log = log;
    this.#maxBatch = maxBatch;
  }

  /** Appends one vote; resolves when it is in the log (and on a replica, if durable). */
  append(vote: VoteRequest): Promise<AppendOutcome> {
    const shard = shardOf(vote.pollId, vote.voterId, this.#target.shards);
    const master = masterOf(this.#target, shard);
    let m = this.#masters.get(master);
    if (!m) {
      m = { queue: [], inFlight: false, scheduled: false };
      this.#masters.set(master, m);
    }
    const q = m;
    return new Promise((resolve, reject) => {
      q.queue.push({ vote, shard, resolve, reject });
      this.#schedule(q);
    });
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
      for (const items of groups) for (const item of items) item.reject(failure);
      return;
    }
    const replicated = durable ? Number(replies[groups.length]?.[1] ?? 0) >= 1 : true;
    groups.forEach((items, g) => {
      const [error, reply] = replies[g] ?? [new Error('no reply'), undefined];
      if (error) {
        this.#log?.warn({ shard: items[0]?.shard, err: error.message }, 'append script failed');
        for (const item of items) item.reject(new VoteStreamError('STORAGE_UNAVAILABLE'));
        return;
      }
      const flat = reply as (number | string)[];
      items.forEach((item, i) => {
        this.#settle(item, flat, i * 4, replicated);
      });
    });
  }

  /** Settles one vote from its 4 fields (code, seq, entryId, hash) at `at` in the reply. */
  #settle(item: Pending, reply: (number | string)[], at: number, replicated: boolean): void {
    const code = reply[at];
    const seq = reply[at + 1];
    const refusal = REFUSALS[Number(code)];
    if (refusal) {
      const details = code === -2 ? { seq: Number(seq) } : undefined;
      item.resolve({ status: 'refused', error: new VoteStreamError(refusal, undefined, details) });
      return;
    }
    if (!replicated) {
      // The vote may be in the log; a retry with the same voteId returns its receipt.
      item.reject(new VoteStreamError('NOT_DURABLE', undefined, { voteId: item.vote.voteId }));
      return;
    }
    const { voteId, pollId } = item.vote;
    item.resolve({
      status: code === 1 ? 'appended' : 'replayed',
      receipt: {
        voteId,
        pollId,
        shard: item.shard,
        seq: Number(seq),
        entryId: String(reply[at + 2]),
        hash: String(reply[at + 3]),
      },
    });
  }

  /** numkeys, keys (head, ids, closed, log, then a voters hash per poll), 7 args per vote. */
  #scriptArgs(items: Pending[]): (string | number)[] {
    const keys = shardKeys(this.#target.prefix, items[0]!.shard);
    const votersIndex = new Map<string, number>();
    const fixed = [keys.head, keys.ids, keys.closed, keys.log];
    const voterKeys: string[] = [];
    const args: (string | number)[] = [];
    for (const { vote } of items) {
      let index = votersIndex.get(vote.pollId);
      if (index === undefined) {
        voterKeys.push(keys.voters(vote.pollId));
        index = fixed.length + voterKeys.length; // Lua's KEYS is 1-based
        votersIndex.set(vote.pollId, index);
      }
      args.push(
        vote.voteId,
        vote.pollId,
        vote.voterId,
        vote.revote,
        fingerprint(vote),
        encodeVote(vote),
        index,
      );
    }
    return [fixed.length + voterKeys.length, ...fixed, ...voterKeys, ...args];
  }
}

/** The address of the master serving a shard's slot (one group for a standalone Redis). */
function masterOf(target: LogTarget, shard: number): string {
  const slots = (target.client as { slots?: string[][] }).slots;
  if (!slots) return 'standalone';
  return slots[calculateSlot(shardKeys(target.prefix, shard).head)]?.[0] ?? 'unknown';
}

/** Same voteId with other content is a client bug, not a retry: the fingerprint tells them apart. */
export function fingerprint(vote: Pick<VoteRequest, 'pollId' | 'voterId' | 'choices'>): string {
  return createHash('sha1')
    .update(`${vote.pollId}\n${vote.voterId}\n${vote.choices.join('\n')}`)
    .digest('hex');
}

interface PipelineWithScripts {
  appendVotes(...args: (string | number)[]): PipelineWithScripts;
  call(...args: string[]): PipelineWithScripts;
  exec(): Promise<[Error | null, unknown][] | null>;
}
