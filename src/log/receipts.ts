// Finds the receipt of a voteId. The shard of a vote depends on its poll and voter, not on
// its id, so the lookup asks every shard's index (in parallel) and reads the entry back.
import type { Receipt } from './append-vote.ts';
import { decodeShardEntry, type RawEntry } from './codec.ts';
import { shardKeys } from './keys.ts';
import type { LogTarget } from './redis-client.ts';

export async function findReceipt(target: LogTarget, voteId: string): Promise<Receipt | undefined> {
  const { client, prefix, shards } = target;
  const hits = await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      client.hget(shardKeys(prefix, shard).ids, voteId).then((value) => ({ shard, value })),
    ),
  );
  const hit = hits.find((h) => h.value !== null);
  if (!hit?.value) return undefined;
  const [seq, entryId, hash] = hit.value.split(' ');
  const [raw] = (await client.xrange(
    shardKeys(prefix, hit.shard).log,
    entryId!,
    entryId!,
  )) as RawEntry[];
  if (!raw) return undefined;
  const entry = decodeShardEntry(raw);
  if (entry.type !== 'VoteCast') return undefined;
  return {
    voteId,
    pollId: entry.pollId,
    shard: hit.shard,
    seq: Number(seq),
    entryId: entryId!,
    hash: hash!,
  };
}
