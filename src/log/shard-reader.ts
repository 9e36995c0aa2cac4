// Where a shard is folded. One reader per shard per node: a consumer group named after the
// node, what is already in the log read in packed pages (a cold start, a refold), then batched
// XREADGROUP NOACK paced by the node's read tick on a connection apart from the appends (see
// #follow); each entry is checked against the chain and folded. A chain break makes the reader
// refold: from its last snapshot that still matches the log, then from zero; a log that breaks
// there too is reported broken (the rule: src/domain/refold.ts).

import { setTimeout as delay } from 'node:timers/promises';
import { evolveShard, type FoldOutcome } from '../domain/fold.ts';
import { createShardState, type ShardState } from '../domain/fold-state.ts';
import { FIRST_FOLD, refoldAfterBreak } from '../domain/refold.ts';
import type { Logger } from '../logger.ts';
import { dataField, decodeShardEntry, type RawEntry } from './codec.ts';
import { shardKeys } from './keys.ts';
import { readPages } from './packed-pages.ts';
import type { ReadTicker } from './read-ticker.ts';
import { type Client, refreshSlotsAfterRedirect } from './redis-client.ts';
import type { SnapshotPosition, SnapshotStore } from './snapshot-store.ts';

/** Why a shard's fold stopped following the log. */
export interface FoldProblem {
  reason: 'gap' | 'repeat' | 'hash' | 'marker-hash' | 'marker-ahead' | 'invalid-entry';
  entryId: string;
  expectedSeq: number;
  gotSeq: number;
  message: string;
}

/** What a batch changed: the polls whose votes or barriers were folded, or all (a marker). */
export interface FoldBatch {
  shard: number;
  polls: Set<string> | 'all';
  /** Each folded vote's seq and XADD time (its entry id's milliseconds), flat and in order:
   * seq0, ms0, seq1, ms1, … (one array per batch, not one per vote: a cold fold makes millions). */
  votes: number[];
  /** False for what a catch-up folds (a cold start, a refold): a marker met there finalized
   * its votes before this node read them, so its age is no latency of this node's. */
  live: boolean;
  /** The shard's committed seq after the batch. */
  committedSeq: number;
  /** When the batch was folded (Date.now()). */
  at: number;
}

export interface ShardReaderOptions {
  client: Client;
  /** The node's connection for reads, shared by its readers, with auto-pipelining on. */
  reads: Client;
  /** The node's connection for catch-up pages, shared by its readers, without auto-pipelining:
   * ioredis sends one auto-pipeline per master at a time, which would hold each next page
   * back until the last one arrived (no read-ahead). */
  pages: Client;
  /** Paces reads once the reader is level with its shard; shared by the node's readers. */
  ticker: ReadTicker;
  prefix: string;
  shard: number;
  nodeId: string;
  snapshots: SnapshotStore;
  log: Logger;
  onBatch(batch: FoldBatch): void;
  /** Entries per read. */
  count?: number;
  /** Runs a catch-up (a cold start or refold); shared by a node's readers to bound how many
   * run at once. Default: no bound. */
  catchUpLimit?: <T>(run: () => Promise<T>) => Promise<T>;
}

const RETRY_MS = 500;
const BROKEN_RETRY_MS = 10_000;

export class ShardReader {
  readonly shard: number;
  #state: ShardState;
  #position: SnapshotPosition = { entryId: '0-0', headEntryId: '' };
  #changes = 0;
  #savedChanges = 0;
  #stopped = false;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  /** When the last snapshot was written (Date.now()), if any. */
  snapshotAt: number | undefined;
  /** Chain breaks seen since start. */
  breaks = 0;
  /** Where the last (re)start of the fold began: a verified snapshot, or the start of the log. */
  resumedFrom: 'snapshot' | 'zero' | undefined;
  /** Set while the log itself is broken (the same break after a full refold). */
  broken: FoldProblem | undefined;
  readonly #options: Required<ShardReaderOptions>;
  readonly #keys: ReturnType<typeof shardKeys>;

  constructor(options: ShardReaderOptions) {
    this.#options = {
      count: 2000,
      catchUpLimit: (run) => run(),
      ...options,
    };
    this.shard = options.shard;
    this.#state = createShardState(options.shard);
    this.#keys = shardKeys(options.prefix, options.shard);
  }

  get state(): ShardState {
    return this.#state;
  }

  get position(): SnapshotPosition {
    return this.#position;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops folding at once: nothing is folded after this, so a snapshot taken next is the
   * reader's last state. A read still on its way is not waited for — one queued while Redis
   * is away may never settle, even once its connection is closed — and is dropped if it comes.
   */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  /**
   * Saves a snapshot if the state changed since the last one. Resolves with the milliseconds
   * of synchronous work it took (digest and serialization, before the file write), which is
   * what a snapshot takes from the node's one thread; 0 when there was nothing to save.
   */
  async snapshot(): Promise<number> {
    if (this.#changes === this.#savedChanges || this.broken) return 0;
    const changes = this.#changes;
    const state = this.#state;
    const position = { ...this.#position };
    // An async function runs synchronously up to its first await: this times save()'s CPU work.
    const started = performance.now();
    const saved = this.#options.snapshots.save(state, position);
    const busyMs = performance.now() - started;
    await saved;
    this.#savedChanges = changes;
    this.snapshotAt = Date.now();
    return busyMs;
  }

  async #run(): Promise<void> {
    let refold = FIRST_FOLD;
    while (!this.#stopped) {
      try {
        await this.#resume(refold.foldedFrom === 'snapshot');
      } catch (error) {
        this.#options.log.warn(
          { shard: this.shard, err: (error as Error).message },
          'cannot resume the fold yet; retrying',
        );
        await sleep(RETRY_MS, this.#abort.signal);
        continue;
      }
      const problem = await this.#follow();
      if (!problem) return;
      this.breaks++;
      const { action, next } = refoldAfterBreak(refold, problem);
      this.#options.log.error(
        { event: 'chain_break', shard: this.shard, ...problem, refoldFrom: action },
        `chain break in shard ${this.shard} at seq ${problem.gotSeq} (expected ${problem.expectedSeq}): ${problem.message}`,
      );
      if (action === 'halt') {
        // The log breaks at the same place from zero: it is the log, not this node.
        this.broken = problem;
        await sleep(BROKEN_RETRY_MS, this.#abort.signal);
      }
      refold = next;
    }
  }

  /** Starts over from a verified snapshot (or zero) and points the group there. */
  async #resume(fromSnapshot: boolean): Promise<void> {
    const snapshot = fromSnapshot
      ? await this.#options.snapshots.load(this.shard, this.#options.client)
      : undefined;
    if (this.#stopped) return;
    this.#state = snapshot?.state ?? createShardState(this.shard);
    this.#position = snapshot
      ? { entryId: snapshot.entryId, headEntryId: snapshot.headEntryId }
      : { entryId: '0-0', headEntryId: '' };
    this.#changes++;
    this.resumedFrom = snapshot ? 'snapshot' : 'zero';
    if (snapshot) {
      this.#options.log.info(
        {
          event: 'snapshot_loaded',
          shard: this.shard,
          seq: snapshot.state.appliedSeq,
          digest: snapshot.digest,
        },
        `shard ${this.shard}: folding on from snapshot at seq ${snapshot.state.appliedSeq}`,
      );
    }
    this.#options.onBatch({
      shard: this.shard,
      polls: 'all',
      votes: [],
      live: false,
      committedSeq: this.#state.committedSeq,
      at: Date.now(),
    });
  }

  /** Folds new entries until stopped (undefined) or the chain breaks (the problem). */
  async #follow(): Promise<FoldProblem | undefined> {
    let groupReady = false;
    let full = false;
    let lastFailure: string | undefined;
    while (!this.#stopped) {
      try {
        if (!groupReady) {
          // A few shards catch up at a time: sixteen at once hold sixteen pages in memory
          // between reads, which the garbage collector copies over and over.
          const problem = await this.#options.catchUpLimit(() => this.#catchUp());
          if (this.#stopped) return undefined;
          if (problem) return problem;
          await this.#pointGroup(this.#position.entryId);
          groupReady = true;
        }
        // Level with the shard: wait for the node's next read tick (see read-ticker.ts). A
        // full read means more is waiting: read again at once.
        if (!full) await this.#options.ticker.next(this.#abort.signal);
        if (this.#stopped) return undefined;
        // NOACK: the group's last-delivered id is the only cursor this reader needs (a restart
        // points it from the snapshot). A pending-entries list would cost Redis an XCLAIM
        // replicated per entry per node, and an XACK per batch, for entries nothing re-reads.
        const reply = (await this.#options.reads.xreadgroup(
          'GROUP',
          this.#options.nodeId,
          this.#options.nodeId,
          'COUNT',
          this.#options.count,
          'NOACK',
          'STREAMS',
          this.#keys.log,
          '>',
        )) as [string, RawEntry[]][] | null;
        if (this.#stopped) return undefined;
        const entries = reply?.[0]?.[1];
        full = entries?.length === this.#options.count;
        if (!entries?.length) continue;
        this.#options.ticker.found();
        lastFailure = undefined;
        const problem = this.#apply(entries);
        if (problem) return problem;
      } catch (error) {
        if (this.#stopped) return undefined;
        refreshSlotsAfterRedirect(this.#options.reads, error);
        // After a reconnect or failover the group may be gone or behind: point it again.
        groupReady = false;
        // Once per kind of failure, not once per retry: a failover redirects every read.
        const message = (error as Error).message;
        if (message !== lastFailure) {
          this.#options.log.warn(
            { shard: this.shard, err: message },
            'shard read failed; retrying',
          );
          lastFailure = message;
        }
        await sleep(RETRY_MS, this.#abort.signal);
      }
    }
    return undefined;
  }

  /**
   * Reads what is already in the log in packed pages (packed-pages.ts), the next page requested
   * while this one is folded: a cold start or a refold then costs Redis no consumer-group bookkeeping
   * (no pending entries to add and acknowledge). The group takes over from where it ends.
   */
  async #catchUp(): Promise<FoldProblem | undefined> {
    // Leaving the loop early closes the generator (for await calls its return()).
    for await (const entries of readPages(
      this.#options.pages,
      this.#keys.log,
      this.#position.entryId,
    )) {
      if (this.#stopped) return undefined;
      const problem = this.#apply(entries, false);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Folds a batch; `live`: read as it was appended, not by a catch-up (FoldBatch.live). */
  #apply(entries: RawEntry[], live = true): FoldProblem | undefined {
    const polls = new Set<string>();
    let all = false;
    const votes: number[] = [];
    const now = Date.now();
    let problem: FoldProblem | undefined;
    for (const raw of entries) {
      const [id, fields] = raw;
      let outcome: FoldOutcome;
      let entry: ReturnType<typeof decodeShardEntry>;
      try {
        entry = decodeShardEntry(raw);
      } catch (error) {
        const expected = this.#state.appliedSeq + 1;
        problem = {
          reason: 'invalid-entry',
          entryId: id,
          expectedSeq: expected,
          gotSeq: expected,
          message: (error as Error).message,
        };
        break;
      }
      outcome = evolveShard(this.#state, entry, dataField(fields));
      if (outcome.kind === 'break') {
        problem = {
          reason: outcome.reason,
          entryId: id,
          expectedSeq: outcome.expectedSeq,
          gotSeq: outcome.gotSeq,
          message: `${outcome.reason} at entry ${id}`,
        };
        break;
      }
      if (outcome.kind === 'commit-rejected') {
        problem = {
          reason: outcome.reason === 'hash' ? 'marker-hash' : 'marker-ahead',
          entryId: id,
          expectedSeq: outcome.appliedSeq,
          gotSeq: outcome.seq,
          message:
            outcome.reason === 'hash'
              ? `marker hash ${outcome.gotHash} is not the fold's ${outcome.expectedHash}`
              : `marker at seq ${outcome.seq} is ahead of the fold (${outcome.appliedSeq})`,
        };
        break;
      }
      this.#position.entryId = id;
      if (outcome.kind === 'applied') {
        this.#changes++;
        if (entry.type === 'CommitMarked') all = true;
        else {
          this.#position.headEntryId = id;
          polls.add(entry.pollId);
          if (entry.type === 'VoteCast')
            votes.push(entry.seq, Number(id.slice(0, id.indexOf('-'))));
        }
      }
    }
    if (this.broken && this.#state.appliedSeq >= this.broken.gotSeq) this.broken = undefined;
    this.#options.onBatch({
      shard: this.shard,
      polls: all ? 'all' : polls,
      votes,
      live,
      committedSeq: this.#state.committedSeq,
      at: now,
    });
    return problem;
  }

  /**
   * Through the node's main client, not the auto-pipelined reads connection: ioredis does not
   * know where XGROUP's key is, so an auto-pipeline would route it by "CREATE" to some master
   * (a plain command is redirected by MOVED; an auto-pipelined one is not).
   */
  async #pointGroup(entryId: string): Promise<void> {
    const group = this.#options.nodeId;
    try {
      await this.#options.client.xgroup('CREATE', this.#keys.log, group, entryId, 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
      await this.#options.client.xgroup('SETID', this.#keys.log, group, entryId);
    }
  }
}

/** Waits `ms`, or less if `signal` aborts (a stopping reader must not sit out a retry delay). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
