// A node's read side: a ShardReader per shard, periodic snapshots, and change notices that
// the HTTP layer turns into live tallies. Every node folds every shard.
import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { ShardState } from '../domain/fold-state.ts';
import type { Logger } from '../logger.ts';
import { CATCH_UP_AT_ONCE } from './packed-pages.ts';
import { ReadTicker } from './read-ticker.ts';
import { type Client, dedicatedConnection, readConnection } from './redis-client.ts';
import { type FoldBatch, ShardReader } from './shard-reader.ts';
import { SnapshotStore } from './snapshot-store.ts';

/** Snapshotting takes at most about 1/(1+factor) of the node's time: here about 5 %. */
const SNAPSHOT_PAUSE_FACTOR = 20;

export interface ProjectionsOptions {
  client: Client;
  prefix: string;
  shards: number;
  nodeId: string;
  snapshotDir: string;
  snapshotMs: number;
  log: Logger;
}

/**
 * Events: `batch` (FoldBatch) after each folded batch; `polls` (Set<string> | 'all') with the
 * polls whose tally may have changed; `snapshot` ({ shard, busyMs }) after a periodic snapshot
 * was written, with the milliseconds of synchronous work it took; `snapshot-failed` ({ shard })
 * when one could not be written.
 */
export class Projections extends EventEmitter {
  readonly readers: ShardReader[];
  readonly snapshots: SnapshotStore;
  readonly #options: ProjectionsOptions;
  readonly #reads: Client;
  readonly #pages: Client;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<number> | undefined;
  /** A staggered snapshot on its way: a full round waits for it (one writer per file). */
  #staggered: Promise<number> | undefined;
  /** The shard the next staggered snapshot is of. */
  #nextShard = 0;
  #stopped = false;

  constructor(options: ProjectionsOptions) {
    super();
    this.setMaxListeners(0);
    this.#options = options;
    this.snapshots = new SnapshotStore(
      options.snapshotDir,
      options.prefix,
      options.nodeId,
      options.log,
    );
    const catchUpLimit = pLimit(CATCH_UP_AT_ONCE);
    // One connection for every shard's reads: none of them blocks, and reads issued on the
    // same tick go to each master as one write (auto-pipelining).
    this.#reads = readConnection(options.client);
    this.#reads.on('error', () => {
      // Reads fail and are retried by each reader; the main client logs connection trouble.
    });
    this.#pages = dedicatedConnection(options.client);
    this.#pages.on('error', () => {
      // As for reads: each reader retries its catch-up.
    });
    const ticker = new ReadTicker();
    this.readers = Array.from(
      { length: options.shards },
      (_, shard) =>
        new ShardReader({
          client: options.client,
          prefix: options.prefix,
          shard,
          nodeId: options.nodeId,
          snapshots: this.snapshots,
          log: options.log,
          reads: this.#reads,
          pages: this.#pages,
          ticker,
          catchUpLimit,
          onBatch: (batch: FoldBatch) => {
            this.emit('batch', batch);
            this.emit('polls', batch.polls);
          },
        }),
    );
  }

  get states(): ShardState[] {
    return this.readers.map((r) => r.state);
  }

  start(): void {
    for (const reader of this.readers) reader.start();
    this.#schedule(this.#slotMs);
  }

  /** Snapshots are staggered: one shard per slot, each shard once per `snapshotMs`. */
  get #slotMs(): number {
    return this.#options.snapshotMs / Math.max(1, this.readers.length);
  }

  /**
   * One shard's snapshot per slot (`snapshotMs` / shards), round the shards, so each is written
   * every `snapshotMs` while it changes. Staggered, not every shard in one round: serializing
   * a shard is synchronous work that grows with its voters, and a round of every shard at once
   * (on every node at the same moment, as they start together) held up requests for hundreds
   * of milliseconds every `snapshotMs` once a few hundred thousand votes were folded. A
   * snapshot that was busy for T ms is followed by a pause of at least
   * SNAPSHOT_PAUSE_FACTOR × T, so snapshots take at most about 5 % of the node's one thread.
   */
  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      const reader = this.readers[this.#nextShard];
      this.#nextShard = (this.#nextShard + 1) % this.readers.length;
      let busyMs = 0;
      if (reader && !this.#saving) {
        this.#staggered = this.#snapshotOne(reader);
        busyMs = await this.#staggered;
        this.#staggered = undefined;
      }
      this.#schedule(Math.max(this.#slotMs, SNAPSHOT_PAUSE_FACTOR * busyMs));
    }, ms);
    this.#timer.unref();
  }

  /**
   * A snapshot that could not be written (a full disk, a missing or read-only folder): the node
   * goes on folding; logged and counted (`snapshot-failed`: votestream_snapshot_failures_total).
   */
  #failed(reader: ShardReader, error: Error): number {
    this.#options.log.warn(
      { event: 'snapshot_failed', shard: reader.shard, err: error.message },
      'snapshot failed',
    );
    this.emit('snapshot-failed', { shard: reader.shard });
    return 0;
  }

  async #snapshotOne(reader: ShardReader): Promise<number> {
    const busyMs = await reader.snapshot().catch((error: Error) => this.#failed(reader, error));
    if (busyMs > 0) this.emit('snapshot', { shard: reader.shard, busyMs });
    return busyMs;
  }

  /**
   * Snapshots every shard that changed since its last snapshot, one shard at a time with a
   * turn of the event loop between them, so heartbeats, lease renewals and requests are never
   * held up by more than one shard's serialization. Resolves with the milliseconds of
   * synchronous work the round took (file writes and waits not counted).
   */
  saveSnapshots(): Promise<number> {
    this.#saving ??= (async () => {
      await this.#staggered;
      let busyMs = 0;
      for (const r of this.readers) {
        busyMs += await r.snapshot().catch((error: Error) => this.#failed(r, error));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return busyMs;
    })().finally(() => {
      this.#saving = undefined;
    });
    return this.#saving;
  }

  /** Stops reading and writes a last snapshot of every shard. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const reader of this.readers) reader.stop();
    this.#reads.disconnect();
    this.#pages.disconnect();
    await this.#saving;
    await this.saveSnapshots();
  }
}
