// Where a vote is appended. Appends are group-committed: everything queued in one turn of
// the event loop goes to its shard's master as one pipeline of append-vote scripts followed
// by one WAIT, so one replica round trip acknowledges many votes.
import { createHash } from 'node:crypto';
import type { VoteCast } from '../domain/events.ts';
import { shardOf } from '../domain/shard-of.ts';
import { type ErrorCode, VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodePayload } from './codec.ts';
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

const REFUSALS: Record<number, ErrorCode> = {
  [-1]: 'POLL_CLOSED',
  [-2]: 'ALREADY_VOTED',
  [-3]: 'VOTE_ID_CONFLICT',
};

export class Appender {
  readonly #target: LogTarget;
  readonly #log: Logger | undefined;
  /** Votes per pipeline; larger queues are split. */
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #scheduled = false;

  /** `target.durable` is read at each send: it may be resolved after start. */
  constructor(target: LogTarget, log?: Logger, maxBatch = 1000) {
    this.#target = target;
    this.#log = log;
    this.#maxBatch = maxBatch;
  }

  /** Appends one vote; resolves when it is in the log (and on a replica, if durable). */
  append(vote: VoteRequest): Promise<AppendOutcome> {
    const shard = shardOf(vote.pollId, vote.voterId, this.#target.shards);
    return new Promise((resolve, reject) => {
      this.#queue.push({ vote, shard, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const byShard = new Map<number, Pending[]>();
    for (const item of this.#queue) {
      const list = byShard.get(item.shard);
      if (list) list.push(item);
      else byShard.set(item.shard, [item]);
    }
    this.#queue = [];
    for (const [shard, items] of byShard) {
      for (let i = 0; i < items.length; i += this.#maxBatch) {
        void this.#send(shard, items.slice(i, i + this.#maxBatch));
      }
    }
  }

  async #send(shard: number, items: Pending[]): Promise<void> {
    const { client, prefix, durable, waitTimeoutMs } = this.#target;
    const keys = shardKeys(prefix, shard);
    const pipeline = client.pipeline() as unknown as PipelineWithScripts;
    for (const { vote } of items) {
      const event: Omit<VoteCast, 'seq' | 'hash'> = {
        type: 'VoteCast',
        v: 1,
        voteId: vote.voteId,
        pollId: vote.pollId,
        voterId: vote.voterId,
        choices: vote.choices,
        at: vote.at,
      };
      pipeline.appendVote(
        keys.head,
        keys.ids,
        keys.voters(vote.pollId),
        keys.closed,
        keys.log,
        vote.voteId,
        vote.pollId,
        vote.voterId,
        vote.revote,
        fingerprint(vote),
        encodePayload(event),
      );
    }
    if (durable) pipeline.call('WAIT', '1', String(waitTimeoutMs));
    let replies: [Error | null, unknown][];
    try {
      replies = (await withDeadline(
        pipeline.exec(),
        waitTimeoutMs + 3000,
        () => new Error('the append did not complete in time'),
      )) as [Error | null, unknown][];
    } catch (error) {
      this.#log?.warn({ shard, err: (error as Error).message }, 'append failed');
      const failure = new VoteStreamError('STORAGE_UNAVAILABLE');
      for (const item of items) item.reject(failure);
      return;
    }
    const replicated = durable ? Number(replies[items.length]?.[1] ?? 0) >= 1 : true;
    items.forEach((item, i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply'), undefined];
      if (error) {
        this.#log?.warn({ shard, err: error.message }, 'append script failed');
        item.reject(new VoteStreamError('STORAGE_UNAVAILABLE'));
        return;
      }
      const [code, seq, entryId, hash] = reply as [number, number, string, string];
      const refusal = REFUSALS[code];
      if (refusal) {
        const details = code === -2 ? { seq } : undefined;
        item.resolve({
          status: 'refused',
          error: new VoteStreamError(refusal, undefined, details),
        });
        return;
      }
      if (!replicated) {
        // The vote may be in the log; a retry with the same voteId returns its receipt.
        item.reject(new VoteStreamError('NOT_DURABLE', undefined, { voteId: item.vote.voteId }));
        return;
      }
      item.resolve({
        status: code === 1 ? 'appended' : 'replayed',
        receipt: { voteId: item.vote.voteId, pollId: item.vote.pollId, shard, seq, entryId, hash },
      });
    });
  }
}

/** Same voteId with other content is a client bug, not a retry: the fingerprint tells them apart. */
export function fingerprint(vote: Pick<VoteRequest, 'pollId' | 'voterId' | 'choices'>): string {
  return createHash('sha1')
    .update(`${vote.pollId}\n${vote.voterId}\n${vote.choices.join('\n')}`)
    .digest('hex');
}

interface PipelineWithScripts {
  appendVote(...args: (string | number)[]): PipelineWithScripts;
  call(...args: string[]): PipelineWithScripts;
  exec(): Promise<[Error | null, unknown][] | null>;
}
