// A node's read side: a ShardReader per shard, periodic snapshots, and change notices that
// the HTTP layer turns into live tallies. Every node folds every shard.
import { EventEmitter } from 'node:events';
import type { ShardState } from '../domain/fold-state.ts';
import type { Logger } from '../logger.ts';
import type { Client } from './redis-client.ts';
import { type FoldBatch, ShardReader } from './shard-reader.ts';
import { SnapshotStore } from './snapshot-store.ts';

export interface FolderOptions {
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
 * polls whose tally may have changed.
 */
export class Folder extends EventEmitter {
  readonly readers: ShardReader[];
  readonly snapshots: SnapshotStore;
  readonly #options: FolderOptions;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;

  constructor(options: FolderOptions) {
    super();
    this.setMaxListeners(0);
    this.#options = options;
    this.snapshots = new SnapshotStore(
      options.snapshotDir,
      options.prefix,
      options.nodeId,
      options.log,
    );
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
    this.#timer = setInterval(() => void this.saveSnapshots(), this.#options.snapshotMs);
    this.#timer.unref();
  }

  /** Snapshots every shard that changed since its last snapshot. */
  saveSnapshots(): Promise<void> {
    this.#saving ??= Promise.all(
      this.readers.map((r) =>
        r.snapshot().catch((error: Error) => {
          this.#options.log.warn({ shard: r.shard, err: error.message }, 'snapshot failed');
        }),
      ),
    )
      .then(() => undefined)
      .finally(() => {
        this.#saving = undefined;
      });
    return this.#saving;
  }

  /** Stops reading and writes a last snapshot of every shard. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.readers.map((r) => r.stop()));
    await this.#saving;
    await this.saveSnapshots();
  }
}
