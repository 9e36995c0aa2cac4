// Finds the receipt of a voteId. The voteId's claim (in its claim shard) names the one shard
// it can be recorded in, and that shard's `ids` index holds the receipt: reads, never a
// search, so a lookup can never find two votes.
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
  const claim = await client.hget(shardKeys(prefix, claimShardOf(voteId, shards)).claims, voteId);
  if (!claim) return undefined;
  const shard = Number(claim.split(' ')[0]);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) return undefined;
  const keys = shardKeys(prefix, shard);
  const record = await client.hget(keys.ids, voteId);
  if (!record) return undefined;
  const [seq, entryId, hash, recorded] = record.split(' ');
  // The shard holds this voteId for the claimed content only; anything else is an older
  // vote of a log written before the registry, which the claim does not describe.
  if (recorded !== claim.slice(claim.indexOf(' ') + 1)) return undefined;
  const [raw] = (await client.xrange(keys.log, entryId!, entryId!)) as RawEntry[];
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
  };
}
