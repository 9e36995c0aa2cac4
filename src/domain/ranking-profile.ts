// A ranked poll's ballots as counting takes them: how many ballots carry each distinct
// ranking, summed over the shards' projections (shards never share a voter). The fold keeps
// these counts per interned choice set, so this costs one pass over distinct rankings.
import { ProfileError } from './count/count-error.ts';
import type { CompiledProfile } from './count/profile.ts';
import { asFold, choicesOf, type PollFold, type ShardState } from './fold-state.ts';

/** Ballots that carry one ranking (option ids, most preferred first), by weight. */
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
    for (let set = 0; set < poll.sets.size; set++) {
      const count = countOf(poll, set, scope);
      if (count === 0) continue;
      const ranking = choicesOf(poll, set);
      const key = JSON.stringify(ranking);
      const known = counts.get(key);
      if (known) known.count += count;
      else counts.set(key, { ranking, count });
      ballots += count;
    }
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

/**
 * The same ballots as {@link rankingProfile}, compiled for counting without passing through
 * option ids: each shard's interned rankings are mapped from the shard's option numbering to
 * `options` (the poll's, in ballot order) and laid out flat. Equal rankings of different shards
 * stay separate groups and are not sorted: every count depends only on the sum of the groups
 * (test/domain/count/count-properties.test.ts), and this skips the string keys, the merge and
 * the sort, which took most of a million-ballot count (docs/performance.md, 2026-11-30).
 *
 * @throws ProfileError `UNKNOWN_OPTION` when a shard holds a ballot for an option not in
 *   `options` (as {@link compileProfile} would for the same ballots).
 */
export function compiledRankings(
  pollId: string,
  options: readonly string[],
  shards: Iterable<ShardState>,
  scope: ProfileScope,
): CompiledProfile {
  return compileRankings(options, shardRankings(pollId, shards, scope, 'view'));
}

/**
 * One shard's rankings of one poll as counting needs them: typed arrays and option ids only, so
 * they can be handed to a worker thread (src/http/result-counter.ts).
 */
export interface ShardRankings {
  /** The shard's option ids, by the shard's option index. */
  options: readonly string[];
  /** Option indices of the sets back to back: set s is `data[start[s]]` … `data[start[s + 1] - 1]`. */
  data: Int32Array<ArrayBuffer>;
  start: Int32Array<ArrayBuffer>;
  /**
   * Ballots counted with each set in the scope (finalized, or finalized and pending), each by
   * its weight in a weighted poll: integers, exact below 2^53.
   */
  counts: Float64Array<ArrayBuffer>;
}

/**
 * The shards' rankings of `pollId` in `scope`. `view`: the arrays are views of the live
 * projection, valid until the next fold step; `copy`: copies that the fold does not touch.
 */
export function shardRankings(
  pollId: string,
  shards: Iterable<ShardState>,
  scope: ProfileScope,
  as: 'view' | 'copy',
): ShardRankings[] {
  const parts: ShardRankings[] = [];
  for (const state of shards) {
    const fold = asFold(state);
    const at = fold.pollIndex.get(pollId);
    if (at === undefined) continue;
    const { options, sets } = fold.polls[at]!;
    const size = sets.size;
    const end = sets.start[size]!;
    const take = <A extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(
      array: A,
      length: number,
    ): A => (as === 'copy' ? array.slice(0, length) : array.subarray(0, length)) as A;
    let counts = take(sets.finalized, size);
    if (scope === 'pending') {
      counts = sets.finalized.slice(0, size);
      for (let set = 0; set < size; set++) counts[set]! += sets.pending[set]!;
    }
    parts.push({
      options: as === 'copy' ? [...options] : options,
      data: take(sets.data, end),
      start: take(sets.start, size + 1),
      counts,
    });
  }
  return parts;
}

/**
 * The ballots of `parts` laid out for counting against `options` (the poll's, in ballot order):
 * each shard's option indices mapped to the poll's, sets with no ballot left out.
 *
 * @throws ProfileError `UNKNOWN_OPTION` when a set names an option not in `options`.
 */
export function compileRankings(
  options: readonly string[],
  parts: readonly ShardRankings[],
): CompiledProfile {
  const index = new Map(options.map((option, i) => [option, i]));
  let groups = 0;
  let length = 0;
  for (const { start: from, counts } of parts) {
    for (let set = 0; set < counts.length; set++) {
      if (counts[set] === 0) continue;
      groups++;
      length += from[set + 1]! - from[set]!;
    }
  }
  const ranks = new Int32Array(length);
  const start = new Int32Array(groups + 1);
  const counted: bigint[] = [];
  let total = 0;
  let filled = 0;
  for (const part of parts) {
    const candidate = part.options.map((option) => index.get(option) ?? -1);
    const { data, start: from, counts } = part;
    for (let set = 0; set < counts.length; set++) {
      const count = counts[set]!;
      if (count === 0) continue;
      for (let i = from[set]!; i < from[set + 1]!; i++) {
        const c = candidate[data[i]!]!;
        if (c < 0) {
          const option = JSON.stringify(part.options[data[i]!]);
          throw new ProfileError('UNKNOWN_OPTION', `${option} is not an option`);
        }
        ranks[filled++] = c;
      }
      counted.push(BigInt(count));
      start[counted.length] = filled;
      total += count;
    }
  }
  return {
    options,
    withdrawn: options.map(() => false),
    ranks,
    start,
    counts: counted,
    total: BigInt(total),
    blank: 0n,
    valid: BigInt(total),
  };
}

/** Ballots counted with choice set `set`: finalized, plus pending ones for `pending`. */
function countOf(poll: PollFold, set: number, scope: ProfileScope): number {
  return poll.sets.finalized[set]! + (scope === 'pending' ? poll.sets.pending[set]! : 0);
}
