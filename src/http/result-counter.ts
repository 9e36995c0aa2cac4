// Counts ranked polls on a worker thread, so a count of a million ballots (a few hundred ms,
// docs/performance.md) never holds up the node's event loop: heartbeats, lease renewals,
// appends and folds go on meanwhile. The event loop only copies the poll's interned rankings
// (typed arrays, moved to the worker without a second copy); the worker compiles and counts
// them with the same pure code as everything else (compileRankings, countBallots).
import { Worker } from 'node:worker_threads';
import type { CountRules } from '../domain/count/count-ballots.ts';
import { ProfileError, type ProfileErrorCode } from '../domain/count/count-error.ts';
import type { CountResult } from '../domain/count/result.ts';
import type { Poll } from '../domain/events.ts';
import type { ShardState } from '../domain/fold-state.ts';
import { countRulesOf, type PollResult, rankedResult } from '../domain/poll-results.ts';
import { type ProfileScope, type ShardRankings, shardRankings } from '../domain/ranking-profile.ts';
import { tallyPoll } from '../domain/tally.ts';
import { VoteStreamError } from '../errors.ts';

/** What the worker is asked: count these rankings by these rules. */
export interface CountRequest {
  id: number;
  rules: CountRules;
  /** The poll's option ids, in ballot order. */
  options: string[];
  parts: ShardRankings[];
}

/** What it answers: the count, or the error the count threw. */
export type CountReply =
  | { id: number; result: CountResult }
  | { id: number; error: { name: string; code?: string; message: string } };

/** The worker's entry: registers tsx, then loads count-worker.ts. */
const WORKER_ENTRY = new URL('./count-worker.js', import.meta.url);

interface Waiting {
  resolve(result: CountResult): void;
  reject(error: Error): void;
}

/** One worker thread, started on the first count and again after it dies; counts in turn. */
export class ResultCounter {
  readonly #entry: URL;
  #worker: Worker | undefined;
  #next = 0;
  #closed = false;
  readonly #waiting = new Map<number, Waiting>();

  /** `entry`: the worker's script (tests give one that misbehaves). */
  constructor(entry: URL = WORKER_ENTRY) {
    this.#entry = entry;
  }

  /**
   * Counts ranked `poll` over `shards` in `scope`. The rankings are copied now, synchronously,
   * so the result is the count at this moment of the fold, whatever the fold does meanwhile.
   *
   * @throws (rejects) ProfileError as countBallots does; VoteStreamError `OVERLOADED` (503)
   *   when the worker dies or cannot start (the next count starts a new one), `NOT_READY`
   *   after close().
   */
  count(poll: Poll, shards: readonly ShardState[], scope: ProfileScope): Promise<PollResult> {
    if (this.#closed) return Promise.reject(new VoteStreamError('NOT_READY'));
    const request: CountRequest = {
      id: ++this.#next,
      rules: countRulesOf(poll),
      options: poll.options.map((option) => option.id),
      parts: shardRankings(poll.id, shards, scope, 'copy'),
    };
    const moved = request.parts.flatMap((p) => [p.data.buffer, p.start.buffer, p.counts.buffer]);
    // Taken now, with the rankings: the roll and the ballots at the same moment of the fold.
    const tally = tallyPoll(poll.id, shards, poll);
    return new Promise<CountResult>((resolve, reject) => {
      this.#waiting.set(request.id, { resolve, reject });
      this.#started().postMessage(request, moved);
    }).then((count) => rankedResult(poll, scope, count, tally));
  }

  /** Stops the worker; counts still waiting are refused with `NOT_READY`. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new VoteStreamError('NOT_READY'));
    await worker?.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#entry);
    // A node that is told to stop is not kept alive by an idle count worker.
    worker.unref();
    worker.on('message', (reply: CountReply) => this.#settle(reply));
    const lost = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(new VoteStreamError('OVERLOADED', `the count worker ${why}; retry`));
    };
    worker.on('error', (error) => lost(`failed: ${error.message}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: CountReply): void {
    const waiting = this.#waiting.get(reply.id);
    if (!waiting) return;
    this.#waiting.delete(reply.id);
    if ('result' in reply) {
      waiting.resolve(reply.result);
      return;
    }
    const { name, code, message } = reply.error;
    waiting.reject(
      name === 'ProfileError' && code
        ? new ProfileError(code as ProfileErrorCode, message)
        : new Error(`count failed: ${message}`),
    );
  }

  #failAll(error: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { reject } of waiting) reject(error);
  }
}
