// Rebuild: fold the whole log from zero with the node's own fold code, no snapshots — what a
// node's projection must equal. Shards are folded side by side, each from its own pages.
import pLimit from 'p-limit';
import { VotestreamClient, VotestreamError } from '../client/index.ts';
import { digestShard } from '../domain/digest.ts';
import type { Poll } from '../domain/events.ts';
import { evolveShard } from '../domain/fold.ts';
import { createShardState, type ShardState } from '../domain/fold-state.ts';
import { type PollTally, tallyPoll } from '../domain/tally.ts';
import { dataField, decodeCatalogueEntry, decodeShardEntry, type RawEntry } from '../log/codec.ts';
import { controlKeys, shardKeys } from '../log/keys.ts';
import { CATCH_UP_AT_ONCE, readPages } from '../log/packed-pages.ts';
import type { Client } from '../log/redis-client.ts';
import type { SnapshotPosition } from '../log/snapshot-store.ts';

export interface RebuiltShard {
  shard: number;
  appliedSeq: number;
  committedSeq: number;
  digest: string;
  /** Set when the log does not fold (the fold stopped there). */
  problem?: string;
}

export interface RebuildResult {
  entries: number;
  seconds: number;
  entriesPerSecond: number;
  shards: RebuiltShard[];
  tallies: PollTally[];
  states: ShardState[];
  /** Where each shard's fold stands in its stream (what a snapshot records). */
  positions: SnapshotPosition[];
}

export async function rebuild(
  client: Client,
  prefix: string,
  shards: number,
  onProgress?: (entries: number) => void,
): Promise<RebuildResult> {
  const started = performance.now();
  let entries = 0;
  // As many shards at a time as a node's cold start folds.
  const limit = pLimit(CATCH_UP_AT_ONCE);
  const results = await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      limit(async () => {
        const state = createShardState(shard);
        const position = { entryId: '0-0', headEntryId: '' };
        let problem: string | undefined;
        pages: for await (const page of readPages(client, shardKeys(prefix, shard).log)) {
          for (const raw of page) {
            entries++;
            const entry = decodeShardEntry(raw);
            const outcome = evolveShard(state, entry, dataField(raw[1]));
            if (outcome.kind === 'break' || outcome.kind === 'commit-rejected') {
              problem = `${outcome.kind} (${outcome.reason}) at entry ${raw[0]}`;
              break pages;
            }
            position.entryId = raw[0];
            if (entry.type !== 'CommitMarked' && outcome.kind === 'applied')
              position.headEntryId = raw[0];
          }
          onProgress?.(entries);
        }
        return { state, problem, position };
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const states = results.map((r) => r.state);
  const polls = await readPolls(client, prefix);
  return {
    entries,
    seconds,
    entriesPerSecond: Math.round(entries / Math.max(seconds, 1e-6)),
    shards: results.map(({ state, problem }) => ({
      shard: state.shard,
      appliedSeq: state.appliedSeq,
      committedSeq: state.committedSeq,
      digest: digestShard(state),
      ...(problem ? { problem } : {}),
    })),
    tallies: polls.map((poll) => tallyPoll(poll.id, states, poll)),
    states,
    positions: results.map((r) => r.position),
  };
}

async function readPolls(client: Client, prefix: string): Promise<Poll[]> {
  const raw = (await client.xrange(controlKeys(prefix).polls, '-', '+')) as RawEntry[];
  const polls: Poll[] = [];
  for (const entry of raw.map(decodeCatalogueEntry))
    if (entry.type === 'PollCreated') polls.push(entry.poll);
  return polls;
}

export interface Comparison {
  shard: number;
  /**
   * `not-rebuilt`: the node folds a shard this rebuild did not (it was given fewer shards than
   * the deployment has: VS_SHARDS / --shards), so the rebuild cannot vouch for it.
   */
  status: 'equal' | 'different' | 'not-comparable' | 'not-rebuilt';
  rebuilt?: RebuiltShard;
  node?: { appliedSeq: number; committedSeq: number; digest: string };
}

/**
 * Compares a rebuild with a live node's digests (GET /cluster/digests) shard by shard; a
 * shard where the node stands at other seqs is retried until `timeoutMs`, then reported
 * not comparable; a shard of the node's that the rebuild did not fold is `not-rebuilt`.
 * @throws VotestreamError (status 0) when the node does not answer; Error when it answers
 *   anything but 200.
 */
export async function compareWithNode(
  result: RebuildResult,
  url: string,
  timeoutMs = 10_000,
): Promise<Comparison[]> {
  const deadline = Date.now() + timeoutMs;
  const client = new VotestreamClient({ nodes: [url], timeoutMs: 5000 });
  try {
    return await compareUntilComparable(client, result, url, deadline);
  } finally {
    await client.close();
  }
}

async function compareUntilComparable(
  client: VotestreamClient,
  result: RebuildResult,
  url: string,
  deadline: number,
): Promise<Comparison[]> {
  for (;;) {
    const view = await client.digests({ retry: false }).catch((error: unknown) => {
      if (error instanceof VotestreamError && error.status > 0)
        throw new Error(`${url}/cluster/digests answered ${error.status}`, { cause: error });
      throw error;
    });
    const out = result.shards.map((rebuilt): Comparison => {
      const node = view.shards.find((s) => s.shard === rebuilt.shard);
      if (
        !node ||
        node.appliedSeq !== rebuilt.appliedSeq ||
        node.committedSeq !== rebuilt.committedSeq
      ) {
        return {
          shard: rebuilt.shard,
          status: 'not-comparable',
          rebuilt,
          ...(node ? { node } : {}),
        };
      }
      return {
        shard: rebuilt.shard,
        status: node.digest === rebuilt.digest ? 'equal' : 'different',
        rebuilt,
        node,
      };
    });
    for (const node of view.shards)
      if (!result.shards.some((r) => r.shard === node.shard))
        out.push({ shard: node.shard, status: 'not-rebuilt', node });
    if (out.every((c) => c.status !== 'not-comparable') || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, 200));
  }
}
