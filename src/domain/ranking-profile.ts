// A ranked poll's ballots as counting takes them: how many ballots carry each distinct
// ranking, summed over the shards' projections (shards never share a voter). The fold keeps
// these counts per interned choice set, so this costs one pass over distinct rankings.
import { asFold, type ShardState } from './fold-state.ts';

/** Ballots that carry one ranking (option ids, most preferred first). */
export interface RankingCount {
  ranking: string[];
  count: number;
}

/** Which ballots to count: the finalized ones, or every voter's latest (provisional). */
export type ProfileScope = 'finalized' | 'pending';

export interface RankingProfile {
  /** Distinct rankings with their ballots, in `compareRankings` order (canonical). */
  rankings: RankingCount[];
  /** Ballots counted (the sum of the counts). */
  ballots: number;
  /**
   * Each shard's committed seq (`finalized`) or applied seq (`pending`), by shard number: the
   * position the profile was taken at, and so the key a cached count is valid for.
   */
  position: number[];
}

/**
 * The rankings of `pollId` over `shards`. `finalized`: each voter's latest committed ballot;
 * `pending`: that, plus the latest ballot of each voter who has no committed one yet — the
 * same voters as the tally's `finalized + pending`, so a provisional count covers every
 * voter once (a revote not yet committed still counts as the committed ballot it replaces).
 */
export function rankingProfile(
  pollId: string,
  shards: Iterable<ShardState>,
  scope: ProfileScope,
): RankingProfile {
  const counts = new Map<string, RankingCount>();
  const position: { shard: number; seq: number }[] = [];
  let ballots = 0;
  for (const state of shards) {
    const fold = asFold(state);
    position.push({
      shard: fold.shard,
      seq: scope === 'finalized' ? fold.committedSeq : fold.appliedSeq,
    });
    const index = fold.pollIndex.get(pollId);
    if (index === undefined) continue;
    const poll = fold.polls[index]!;
    poll.sets.forEach((options, set) => {
      const count = poll.setFinalized[set]! + (scope === 'pending' ? poll.setPending[set]! : 0);
      if (count === 0) return;
      const ranking = options.map((option) => poll.options[option]!);
      const key = JSON.stringify(ranking);
      const known = counts.get(key);
      if (known) known.count += count;
      else counts.set(key, { ranking, count });
      ballots += count;
    });
  }
  const rankings = [...counts.values()].sort((a, b) => compareRankings(a.ranking, b.ranking));
  return {
    rankings,
    ballots,
    position: position.sort((a, b) => a.shard - b.shard).map((p) => p.seq),
  };
}

/** Orders rankings option by option (code-unit order), a ranking before its extensions. */
export function compareRankings(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}
