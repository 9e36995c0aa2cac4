// Each node tells the leader how far it has folded: an Applied entry in vs:{ctl}:acks with
// every shard's applied seq and chain hash. Coalesced: at most one entry per interval, and
// only when something moved. The leader commits what a quorum has applied with its hash.

import { encodeEvent } from '../log/codec.ts';
import type { Folder } from '../log/folder.ts';
import { controlKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';

/** How many Applied entries the acks stream keeps (approximately). */
export const ACKS_MAXLEN = 10_000;

export class AppliedProgress {
  readonly #client: Client;
  readonly #key: string;
  readonly #nodeId: string;
  readonly #folder: Folder;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #last = '';
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;

  constructor(
    client: Client,
    prefix: string,
    nodeId: string,
    folder: Folder,
    log: Logger,
    intervalMs = 10,
  ) {
    this.#client = client;
    this.#key = controlKeys(prefix).acks;
    this.#nodeId = nodeId;
    this.#folder = folder;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.publish(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Appends an Applied entry if any shard moved since the last one. */
  async publish(): Promise<void> {
    if (this.#inFlight) return;
    const shards = this.#folder.readers.map((r) => ({
      shard: r.shard,
      seq: r.state.appliedSeq,
      hash: r.state.headHash,
    }));
    const key = shards.map((s) => s.seq).join(',');
    if (key === this.#last) return;
    this.#inFlight = true;
    try {
      const payload = encodeEvent({
        type: 'Applied',
        v: 1,
        nodeId: this.#nodeId,
        shards,
        at: Date.now(),
      });
      await this.#client.xadd(
        this.#key,
        'MAXLEN',
        '~',
        ACKS_MAXLEN,
        '*',
        'type',
        'Applied',
        'data',
        payload,
      );
      this.#last = key;
    } catch (error) {
      this.#log.warn({ err: (error as Error).message }, 'could not publish fold progress');
    } finally {
      this.#inFlight = false;
    }
  }
}
