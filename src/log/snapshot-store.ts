// A node's projection snapshots: one file per shard, written atomically (temp file + rename).
// A snapshot is trusted only after it parses, its digest matches its state, and the log still
// has, at the snapshot's entry id, the chain head it claims — otherwise it is discarded.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestShard } from '../domain/digest.ts';
import type { ShardState } from '../domain/fold-state.ts';
import { restoreShard, serializeShard } from '../domain/projection-snapshot.ts';
import type { Logger } from '../logger.ts';
import { decodeShardEntry, type RawEntry } from './codec.ts';
import { shardKeys } from './keys.ts';
import type { Client } from './redis-client.ts';

/** Where a snapshot's state stands in the log. */
export interface SnapshotPosition {
  /** Stream id of the last entry folded (any type): the consumer group resumes after it. */
  entryId: string;
  /** Stream id of the chain head entry (the one at appliedSeq); '' before the first. */
  headEntryId: string;
}

interface SnapshotFile extends SnapshotPosition {
  format: 1;
  nodeId: string;
  prefix: string;
  shard: number;
  appliedSeq: number;
  headHash: string;
  digest: string;
  savedAt: number;
  state: string;
}

export interface LoadedSnapshot extends SnapshotPosition {
  state: ShardState;
  digest: string;
}

export class SnapshotStore {
  readonly #dir: string;
  readonly #nodeId: string;
  readonly #prefix: string;
  readonly #log: Logger | undefined;

  constructor(baseDir: string, prefix: string, nodeId: string, log?: Logger) {
    this.#dir = join(baseDir, prefix, nodeId);
    this.#nodeId = nodeId;
    this.#prefix = prefix;
    this.#log = log;
  }

  path(shard: number): string {
    return join(this.#dir, `shard-${shard}.json`);
  }

  /** Writes the shard's snapshot; returns its digest. */
  async save(state: ShardState, position: SnapshotPosition): Promise<string> {
    const digest = digestShard(state);
    const file: SnapshotFile = {
      format: 1,
      nodeId: this.#nodeId,
      prefix: this.#prefix,
      shard: state.shard,
      ...position,
      appliedSeq: state.appliedSeq,
      headHash: state.headHash,
      digest,
      savedAt: Date.now(),
      state: serializeShard(state),
    };
    // All the CPU work before the first await (the caller times that part).
    const text = JSON.stringify(file);
    await mkdir(this.#dir, { recursive: true });
    const path = this.path(state.shard);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, path);
    return digest;
  }

  /**
   * The shard's snapshot if it is sound and agrees with the log; undefined (with a warning
   * for anything but a missing file) otherwise.
   */
  async load(shard: number, client: Client): Promise<LoadedSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(shard), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const file = JSON.parse(text) as SnapshotFile;
      if (file.format !== 1) throw new Error(`unknown snapshot format ${String(file.format)}`);
      if (file.shard !== shard || file.prefix !== this.#prefix || file.nodeId !== this.#nodeId) {
        throw new Error('the snapshot belongs to another shard, prefix or node');
      }
      const state = restoreShard(file.state);
      if (digestShard(state) !== file.digest)
        throw new Error('the digest does not match the state');
      if (state.appliedSeq !== file.appliedSeq || state.headHash !== file.headHash) {
        throw new Error('the header does not match the state');
      }
      await this.#checkAgainstLog(client, shard, file);
      return { state, digest: file.digest, entryId: file.entryId, headEntryId: file.headEntryId };
    } catch (error) {
      this.#log?.warn(
        { event: 'snapshot_discarded', shard, err: (error as Error).message },
        'snapshot discarded: folding the shard from the start',
      );
      return undefined;
    }
  }

  async remove(shard: number): Promise<void> {
    await rm(this.path(shard), { force: true });
  }

  /** The log must still hold the snapshot's chain head, with the same seq and hash. */
  async #checkAgainstLog(client: Client, shard: number, file: SnapshotFile): Promise<void> {
    if (file.appliedSeq === 0) return;
    const key = shardKeys(this.#prefix, shard).log;
    const [raw] = (await client.xrange(key, file.headEntryId, file.headEntryId)) as RawEntry[];
    if (!raw) throw new Error(`the log has no entry ${file.headEntryId} (seq ${file.appliedSeq})`);
    const entry = decodeShardEntry(raw);
    if (
      entry.type === 'CommitMarked' ||
      entry.seq !== file.appliedSeq ||
      entry.hash !== file.headHash
    ) {
      throw new Error(
        `the log's entry ${file.headEntryId} is not seq ${file.appliedSeq} with the snapshot's hash`,
      );
    }
  }
}
