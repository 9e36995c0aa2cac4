// Who has voted in a poll, from the one-vote index the append script keeps beside each shard's
// log (`voters:<pollId>`: voter → seq of the counted vote). Read from Redis, not from the fold,
// so a vote is seen as soon as it is acknowledged, on whichever node it was cast.
import { shardOf } from '../domain/shard-of.ts';
import { shardKeys } from './keys.ts';
import type { LogTarget } from './redis-client.ts';

/**
 * For each voter (as the log records them: an id, or a secret poll's tag), whether a vote of
 * theirs is recorded in `pollId`. One HMGET per shard, all at once.
 */
export async function haveVoted(
  target: LogTarget,
  pollId: string,
  voters: readonly string[],
): Promise<boolean[]> {
  const byShard = new Map<number, number[]>();
  voters.forEach((voter, i) => {
    const shard = shardOf(pollId, voter, target.shards);
    const members = byShard.get(shard) ?? [];
    members.push(i);
    byShard.set(shard, members);
  });
  const voted = new Array<boolean>(voters.length).fill(false);
  await Promise.all(
    [...byShard].map(async ([shard, members]) => {
      const key = shardKeys(target.prefix, shard).voters(pollId);
      const seqs = await target.client.hmget(key, ...members.map((i) => voters[i]!));
      members.forEach((i, k) => {
        voted[i] = seqs[k] !== null;
      });
    }),
  );
  return voted;
}
