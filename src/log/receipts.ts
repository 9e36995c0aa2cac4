// Finds the receipt of a voteId. The voteId's claim shard knows the one shard it can be
// recorded in: itself (its `ids` index holds the vote), or the shard its claim names. Reads,
// never a search, so a lookup can never find two votes.
import { claimShardOf } from '../domain/shard-of.ts';
import type { Receipt } from './append-vote.ts';
import { decodeShardEntry, type RawEntry } from './codec.ts';
import { shardKeys } from './keys.ts';
import type { LogTarget } from './redis-client.ts';

/**
 * The receipt of the vote recorded under `voteId`, or undefined when none is: no claim, or a
 * claim whose vote was never appended (a crash between claim and append, not yet retried).
 */
export async function findReceipt(target: LogTarget, voteId: string): Promise<Receipt | undefined> {
  const { client, prefix, shards } = target;
  const home = claimShardOf(voteId, shards);
  const homeKeys = shardKeys(prefix, home);
  const [claim, recordHere] = await Promise.all([
    client.hget(homeKeys.claims, voteId),
    client.hget(homeKeys.ids, voteId),
  ]);
  let shard = home;
  let record = recordHere;
  if (claim) {
    // A vote in another shard: the claim names it, and that shard's record must be its vote.
    shard = Number(claim.split(' ')[0]);
    if (!Number.isInteger(shard) || shard < 0 || shard >= shards) return undefined;
    record = await client.hget(shardKeys(prefix, shard).ids, voteId);
    if (record?.split(' ')[3] !== claim.slice(claim.indexOf(' ') + 1)) return undefined;
  }
  if (!record) return undefined;
  const [seq, entryId, hash] = record.split(' ');
  const [raw] = (await client.xrange(
    shardKeys(prefix, shard).log,
    entryId!,
    entryId!,
  )) as RawEntry[];
  if (!raw) return undefined;
  const entry = decodeShardEntry(raw);
  if (entry.type !== 'VoteCast') return undefined;
  return {
    voteId,
    pollId: entry.pollId,
    shard,
    seq: Number(seq),
    entryId: entryId!,
    hash: hash!,
    // A weighted poll's vote says its weight here too, as its POST receipt did.
    ...(entry.weight === undefined ? {} : { weight: entry.weight }),
  };
}
