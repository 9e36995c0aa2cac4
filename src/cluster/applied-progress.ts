// Each node tells the leader how far it has folded: an Applied entry in vs:{ctl}:acks with
// every shard's applied seq and chain hash. Coalesced: at most one entry per interval, and
// only when something moved; sent as soon as the fold moves after a quiet spell. The leader
// commits what a quorum has applied with its hash.

import { appendControlEvent } from '../log/control-log.ts';
import type { Projections } from '../log/projections.ts';
import type { Client } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';

/** How often a node that has not published what it folded tries again. */
const RETRY_MS = 250;

export class AppliedProgress {
  readonly #client: Client;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #projections: Projections;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #last = '';
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<boolean> | undefined;
  #stopped = true;
  #scheduled = false;
  #next: NodeJS.Timeout | undefined;
  /** When the last publish started (performance.now()). */
  #lastAt = 0;
  #again = false;

  constructor(
    client: Client,
    prefix: string,
    nodeId: string,
    projections: Projections,
    log: Logger,
    intervalMs = 10,
  ) {
    this.#client = client;
    this.#prefix = prefix;
    this.#nodeId = nodeId;
    this.#projections = projections;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /**
   * Publishes as the fold moves: the first batch after a quiet spell at once, later ones at
   * most once per interval (a commit waits for these, so a fixed tick would add half an
   * interval to every vote's time to finalized). A slow timer retries after a failed publish.
   */
  start(): void {
    this.#stopped = false;
    this.#projections.on('batch', this.#onBatch);
    this.#timer = setInterval(this.#onBatch, RETRY_MS);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    this.#projections.off('batch', this.#onBatch);
    clearInterval(this.#timer);
    clearTimeout(this.#next);
    this.#scheduled = false;
  }

  readonly #onBatch = (): void => {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    const wait = Math.max(0, this.#lastAt + this.#intervalMs - performance.now());
    this.#next = setTimeout(() => {
      this.#scheduled = false;
      this.#lastAt = performance.now();
      void this.publish();
    }, wait);
    this.#next.unref();
  };

  /** True when the fold moved since the last Applied entry this node wrote. */
  get unpublished(): boolean {
    return this.#positions().key !== this.#last;
  }

  #positions() {
    const shards = this.#projections.readers.map((r) => ({
      shard: r.shard,
      seq: r.state.appliedSeq,
      hash: r.state.headHash,
    }));
    return { shards, key: shards.map((s) => s.seq).join(',') };
  }

  /**
   * Appends an Applied entry if any shard moved since the last one. Resolves false when Redis
   * did not take it (logged; the retry timer tries again), true otherwise.
   */
  publish(): Promise<boolean> {
    if (this.#current) {
      // What moved meanwhile goes out after this one.
      this.#again = true;
      return this.#current;
    }
    const { shards, key } = this.#positions();
    if (key === this.#last) return Promise.resolve(true);
    this.#current = this.#append(shards, key).finally(() => {
      this.#current = undefined;
      if (this.#again) {
        this.#again = false;
        this.#onBatch();
      }
    });
    return this.#current;
  }

  /** A stopping node's last report: after the one in flight, what moved since. Rejects if
   * Redis did not take it. */
  async publishLast(): Promise<void> {
    await this.#current;
    if (!(await this.publish())) throw new Error('Redis did not take the Applied entry');
  }

  async #append(shards: { shard: number; seq: number; hash: string }[], key: string) {
    try {
      await appendControlEvent(this.#client, this.#prefix, {
        type: 'Applied',
        v: 1,
        nodeId: this.#nodeId,
        shards,
        at: Date.now(),
      });
      this.#last = key;
      return true;
    } catch (error) {
      this.#log.warn({ err: (error as Error).message }, 'could not publish fold progress');
      return false;
    }
  }
}
