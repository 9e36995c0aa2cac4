// Copying the log into another Redis (standalone or cluster): every entry of every shard and
// of the poll catalogue, with the same entry id, seq, hash and bytes, and beside them the
// indexes the append scripts keep (chain head, voteIds, voters, barriers, fence, poll ids,
// the voteId claims), rebuilt from the copied entries. The copy verifies with `replay --verify`,
// and nodes started on it serve the same polls, tallies and receipts and go on appending where
// the log ended.
import { createHash } from 'node:crypto';
import { pollDefinition } from '../domain/poll-rules.ts';
import { claimShardOf } from '../domain/shard-of.ts';
import { fingerprint } from '../log/append-vote.ts';
import { dataField, decodeCatalogueEntry, decodeShardEntry, type RawEntry } from '../log/codec.ts';
import { controlKeys, shardKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';
import type { MergedEntry } from './merged-log.ts';

export interface CopyTarget {
  client: Client;
  prefix: string;
  shards: number;
}

/**
 * A voteId found in two shards of the source (possible only in a log written before voteIds
 * were unique across shards): `kept` is the claim ("shard fingerprint") the copy's registry
 * holds, `other` the vote's that did not get it.
 */
export type DuplicateVoteId = (voteId: string, kept: string, other: string) => void;

/** Entries written per round: one pipeline per stream, all streams in parallel. */
const ROUND = 2000;

/** Refuses a target that already holds a log under the prefix: ids could not be kept. */
export async function assertEmptyTarget(target: CopyTarget): Promise<void> {
  const keys = [
    controlKeys(target.prefix).polls,
    ...Array.from({ length: target.shards }, (_, s) => shardKeys(target.prefix, s).log),
  ];
  const found = await Promise.all(keys.map((k) => target.client.exists(k)));
  const taken = keys.filter((_, i) => found[i]);
  if (taken.length) {
    throw new Error(
      `the target already holds ${taken.length} of the log's streams under prefix "${target.prefix}" (e.g. ${taken[0]}); copy into an empty Redis or choose another --into-prefix`,
    );
  }
}

/** How long a partial round waits for more entries before it is written (`--follow`). */
const IDLE_FLUSH_MS = 50;

/**
 * Writes `entries` (from mergedEntries over the source's shard logs, in shard order, then the
 * catalogue as the last source) into `target`. Returns the number of entries copied. Entries go
 * in rounds of up to 2000; a partial round is written as soon as no entry has come for 50 ms,
 * so a copy that follows a live log (`replay --into --follow`) keeps up with a trickle too.
 */
export async function copyLog(
  entries: AsyncIterable<MergedEntry>,
  target: CopyTarget,
  onProgress?: (copied: number) => void,
  onDuplicate?: DuplicateVoteId,
): Promise<number> {
  let copied = 0;
  let term = 0;
  // Both sides of a duplicate may see it (see registerVoteIds): report each voteId once.
  const reported = new Set<string>();
  const duplicate: DuplicateVoteId = (voteId, kept, other) => {
    if (reported.has(voteId)) return;
    reported.add(voteId);
    onDuplicate?.(voteId, kept, other);
  };
  let termWritten = 0;
  let round = new Map<number, RawEntry[]>();
  let size = 0;
  const flush = async () => {
    const writes = [...round].map(([source, raws]) =>
      source === target.shards
        ? writeCatalogue(target, raws)
        : writeShard(target, source, raws, duplicate),
    );
    round = new Map();
    size = 0;
    for (const fence of await Promise.all(writes)) term = Math.max(term, fence);
    // Elections on the copy must start above every term that marked it, or its fences refuse
    // them: raised as soon as a marker of a higher term is copied, not only at the end.
    if (term > termWritten) {
      const termKey = controlKeys(target.prefix).term;
      if (term > Number((await target.client.get(termKey)) ?? 0)) {
        await target.client.set(termKey, String(term));
      }
      termWritten = term;
    }
    onProgress?.(copied);
  };
  const iterator = entries[Symbol.asyncIterator]();
  for (;;) {
    const next = iterator.next();
    if (size > 0 && (await idle(next, IDLE_FLUSH_MS))) await flush();
    const { done, value } = await next;
    if (done) break;
    const { source, raw } = value;
    const list = round.get(source);
    if (list) list.push(raw);
    else round.set(source, [raw]);
    copied++;
    if (++size >= ROUND) await flush();
  }
  if (size) await flush();
  return copied;
}

/** Whether `pending` is still unsettled after `ms` (it is not consumed or changed). */
async function idle(pending: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    return await Promise.race([
      pending.then(
        () => false,
        () => false,
      ),
      waited,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A shard's entries and what the scripts would have recorded when appending them. */
async function writeShard(
  target: CopyTarget,
  shard: number,
  raws: RawEntry[],
  onDuplicate: DuplicateVoteId | undefined,
): Promise<number> {
  const keys = shardKeys(target.prefix, shard);
  const pipeline = target.client.pipeline();
  const ids: string[] = [];
  /** Per claim shard other than this one: voteId, claim pairs. */
  const claims = new Map<number, string[]>();
  /** VoteIds whose claim shard is this one (their `ids` record is their claim). */
  const home: string[] = [];
  const voters = new Map<string, string[]>();
  const head: string[] = [];
  let fence = 0;
  for (const raw of raws) {
    const [id, fields] = raw;
    pipeline.xadd(keys.log, id, ...fields);
    // Decoding validates: a malformed source entry stops the copy instead of being copied.
    const entry = decodeShardEntry(raw);
    if (entry.type === 'CommitMarked') {
      head.push('committed', String(entry.seq));
      fence = Math.max(fence, entry.term);
      continue;
    }
    head.push('seq', String(entry.seq), 'hash', entry.hash!);
    if (entry.type === 'PollClosed') {
      pipeline.hsetnx(keys.closed, entry.pollId, String(entry.seq));
      continue;
    }
    // The log holds the roll's commitment, not its entries: the roll index (keys.roll) cannot
    // be rebuilt from it (docs/architecture.md, "Voter rolls").
    if (entry.type === 'RollChanged') continue;
    const print = fingerprint(entry);
    ids.push(entry.voteId, `${entry.seq} ${id} ${entry.hash} ${print}`);
    const claimShard = claimShardOf(entry.voteId, target.shards);
    if (claimShard === shard) home.push(entry.voteId);
    else {
      const pairs = claims.get(claimShard);
      if (pairs) pairs.push(entry.voteId, `${shard} ${print}`);
      else claims.set(claimShard, [entry.voteId, `${shard} ${print}`]);
    }
    const list = voters.get(entry.pollId);
    if (list) list.push(entry.voterId, String(entry.seq));
    else voters.set(entry.pollId, [entry.voterId, String(entry.seq)]);
  }
  if (ids.length) pipeline.hset(keys.ids, ...ids);
  for (const [pollId, list] of voters) pipeline.hset(keys.voters(pollId), ...list);
  // Later fields win in one HSET: the head ends at the last entry of the round.
  if (head.length) pipeline.hset(keys.head, ...head);
  if (fence) pipeline.set(keys.fence, String(fence));
  await exec(pipeline);
  await registerVoteIds(target, shard, home, claims, onDuplicate);
  return fence;
}

/**
 * Claims the copied votes' voteIds as the appender would have: a vote outside its voteId's
 * claim shard gets a claim there (a vote in it is claimed by its `ids` record). A log written
 * before voteIds were claimed may hold one voteId in two shards: both votes are copied (and
 * count, as they did), the claim keeps the voteId's lookup, and `onDuplicate` hears of it.
 * Each side checks the other after its own write (the record, then the claims; the claim,
 * then the records), so a duplicate is seen whichever shard is copied first.
 */
async function registerVoteIds(
  target: CopyTarget,
  shard: number,
  home: string[],
  claims: Map<number, string[]>,
  onDuplicate: DuplicateVoteId | undefined,
): Promise<void> {
  const checkHome = async () => {
    if (!home.length) return;
    const keys = shardKeys(target.prefix, shard);
    const held = await target.client.hmget(keys.claims, ...home);
    const records = held.some(Boolean) ? await target.client.hmget(keys.ids, ...home) : [];
    held.forEach((claim, i) => {
      if (claim) onDuplicate?.(home[i]!, claim, `${shard} ${records[i]?.split(' ')[3]}`);
    });
  };
  const claimElsewhere = [...claims].map(async ([claimShard, pairs]) => {
    const keys = shardKeys(target.prefix, claimShard);
    const pipeline = target.client.pipeline();
    for (let i = 0; i < pairs.length; i += 2) {
      pipeline.hsetnx(keys.claims, pairs[i]!, pairs[i + 1]!);
      pipeline.hget(keys.claims, pairs[i]!);
      pipeline.hget(keys.ids, pairs[i]!);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    for (let i = 0; i < pairs.length; i += 2) {
      const held = String(results[(i / 2) * 3 + 1]?.[1]);
      const record = results[(i / 2) * 3 + 2]?.[1] as string | null;
      if (held !== pairs[i + 1]) onDuplicate?.(pairs[i]!, held, pairs[i + 1]!);
      else if (record) onDuplicate?.(pairs[i]!, held, `${claimShard} ${record.split(' ')[3]}`);
    }
  });
  await Promise.all([checkHome(), ...claimElsewhere]);
}

async function writeCatalogue(target: CopyTarget, raws: RawEntry[]): Promise<number> {
  const keys = controlKeys(target.prefix);
  const pipeline = target.client.pipeline();
  for (const raw of raws) {
    const [id, fields] = raw;
    pipeline.xadd(keys.polls, id, ...fields);
    const event = decodeCatalogueEntry(raw);
    if (event.type === 'PollCreated') {
      const definition = createHash('sha1').update(pollDefinition(event.poll)).digest('hex');
      const data = dataField(fields)!;
      pipeline.hsetnx(keys.pollIds, event.poll.id, `${definition}\n${data}`);
    } else {
      pipeline.hsetnx(keys.pollsClosed, event.pollId, id);
    }
  }
  await exec(pipeline);
  return 0;
}

async function exec(pipeline: ReturnType<Client['pipeline']>): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
