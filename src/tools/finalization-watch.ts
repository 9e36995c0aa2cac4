// Time to finalized, as a voter would see it: how long after a vote was due the node shows its
// shard committed at or past the vote's seq. The watch polls one node's tally of one poll (it
// carries every shard's committed seq) back to back, at most every `intervalMs`, so the
// figure's resolution is that interval plus one request; it is measured from when the vote
// was due, like append latency, so a slow node cannot hide its queue.
import type { Histogram } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { VotestreamClient } from '../client/index.ts';
import { msHistogram } from './load/summary.ts';

interface Waiting {
  seq: number;
  dueAt: number;
}

export class FinalizationWatch {
  readonly histogram: Histogram = msHistogram();
  /** Per shard: acknowledged votes not yet seen finalized. */
  readonly #waiting = new Map<number, Waiting[]>();
  readonly #committed = new Map<number, number>();
  /** One connection of its own: the watch's polls never queue behind the load's votes. */
  readonly #pool: Pool;
  readonly #client: VotestreamClient;
  readonly #pollId: string;
  readonly #intervalMs: number;
  #running = false;
  #loop: Promise<void> | undefined;
  /** Ends a poll on its way when the watch stops: a stopping load does not wait for it. */
  readonly #cancel = new AbortController();
  /** Failed polls of the node (down, restarting): counted, and the watch goes on. */
  errors = 0;

  constructor(target: string, pollId: string, intervalMs = 10) {
    this.#pool = new Pool(target, { connections: 1 });
    this.#client = new VotestreamClient({
      nodes: [target],
      dispatcher: this.#pool,
      timeoutMs: 2000,
      retry: { maxAttempts: 1 },
    });
    this.#pollId = pollId;
    this.#intervalMs = intervalMs;
  }

  /** Votes waiting to be seen finalized. */
  get waiting(): number {
    let n = 0;
    for (const list of this.#waiting.values()) n += list.length;
    return n;
  }

  /** An acknowledged vote, at `seq` of `shard`, due at `dueAt` (performance.now()). */
  track(shard: number, seq: number, dueAt: number): void {
    if (seq <= (this.#committed.get(shard) ?? 0)) {
      this.#record(dueAt);
      return;
    }
    const list = this.#waiting.get(shard);
    if (list) list.push({ seq, dueAt });
    else this.#waiting.set(shard, [{ seq, dueAt }]);
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * Waits (up to `timeoutMs`, or until `signal` aborts) until every tracked vote was seen
   * finalized, then stops.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.waiting > 0 && performance.now() < deadline && !signal?.aborted) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.stop();
  }

  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#running = false;
    this.#cancel.abort();
    const loop = this.#loop;
    this.#loop = undefined;
    await loop;
    await this.#pool.close();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      try {
        const tally = await this.#client.tally(this.#pollId, { signal: this.#cancel.signal });
        if (tally.shards) this.#seen(tally.shards);
        else this.errors++;
      } catch {
        // A refusal or no answer (VotestreamError), or the stop's abort: counted, tried again.
        if (!this.#running) break;
        this.errors++;
        await new Promise((r) => setTimeout(r, 100));
      }
      const rest = this.#intervalMs - (performance.now() - started);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
  }

  #seen(shards: { shard: number; committedSeq: number }[]): void {
    const now = performance.now();
    for (const { shard, committedSeq } of shards) {
      if (committedSeq <= (this.#committed.get(shard) ?? 0)) continue;
      this.#committed.set(shard, committedSeq);
      const list = this.#waiting.get(shard);
      if (!list) continue;
      const still: Waiting[] = [];
      for (const w of list) {
        if (w.seq <= committedSeq) this.#record(w.dueAt, now);
        else still.push(w);
      }
      this.#waiting.set(shard, still);
    }
  }

  #record(dueAt: number, now = performance.now()): void {
    this.histogram.recordValue(Math.max(1, Math.round(now - dueAt)));
  }
}
