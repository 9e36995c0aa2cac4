// The ballot profile every tabulator counts: distinct rankings with how many ballots carry each.
// The fold keeps counts per distinct ranking, so a tabulator's work grows with the number of
// distinct rankings, not with the number of ballots.
import { ProfileError } from './count-error.ts';

/** Ballots that carry the same ranking. */
export interface RankedBallot {
  /** Option ids, most preferred first, each at most once. Empty: a blank ballot. */
  ranking: readonly string[];
  /** How many ballots carry this ranking: a positive integer (a weight, not a fraction). */
  count: bigint | number;
}

/** What a tabulator counts: the options (in ballot order) and the ballots. */
export interface BallotProfile {
  /**
   * Option (candidate) ids in ballot order. The order matters: BLT numbers candidates by it,
   * and a lot drawn in candidate order (`lotOrder`) and the order of simultaneous elections
   * follow it.
   */
  options: readonly string[];
  ballots: readonly RankedBallot[];
  /**
   * Options withdrawn before the count (BLT's line of negative numbers): skipped on every
   * ballot as if never ranked; they are in no round and win nothing.
   */
  withdrawn?: readonly string[];
}

/**
 * A profile checked and turned into candidate indices, laid out flat for the tabulators' inner
 * loops. Blank ballots (nothing ranked, or only withdrawn options) are counted but hold no group.
 */
export interface CompiledProfile {
  options: readonly string[];
  withdrawn: readonly boolean[];
  /** Candidate indices of every non-blank group's ranking, back to back. */
  ranks: Int32Array;
  /** Group g's ranking is ranks[start[g]] … ranks[start[g + 1] - 1]. */
  start: Int32Array;
  /** Ballots per group. */
  counts: bigint[];
  /** Every ballot, blank ones included. */
  total: bigint;
  blank: bigint;
  /** total − blank: the valid ballots, which the STV quota divides. */
  valid: bigint;
}

/** What a tabulator takes: a profile of option ids, or one already compiled. */
export type Countable = BallotProfile | CompiledProfile;

/**
 * Checks `profile` and returns its compiled form (a compiled one as it is: its maker, such as
 * compiledRankings in ranking-profile.ts, vouches for it). Entries are counted as given: two
 * entries with the same ranking simply add up.
 *
 * @throws ProfileError `NO_OPTIONS` (empty option list), `DUPLICATE_OPTION`, `UNKNOWN_OPTION`
 *   (a ranking or `withdrawn` names an id not in `options`), `DUPLICATE_CHOICE` (an option twice
 *   in one ranking), `BAD_COUNT` (a count that is not a positive integer).
 */
export function compileProfile(profile: Countable): CompiledProfile {
  if ('ranks' in profile) return profile;
  const { options } = profile;
  if (options.length === 0) throw new ProfileError('NO_OPTIONS', 'the profile has no options');
  const index = new Map<string, number>();
  options.forEach((option, i) => {
    if (index.has(option)) {
      throw new ProfileError(
        'DUPLICATE_OPTION',
        `option ${JSON.stringify(option)} is listed twice`,
      );
    }
    index.set(option, i);
  });
  const withdrawn = options.map(() => false);
  for (const option of profile.withdrawn ?? []) {
    withdrawn[indexOf(index, option)] = true;
  }

  const { ballots } = profile;
  let length = 0;
  for (let b = 0; b < ballots.length; b++) length += ballots[b]!.ranking.length;
  const ranks = new Int32Array(length);
  const start = new Int32Array(ballots.length + 1);
  const counts: bigint[] = [];
  // Marks which candidates the current ranking has named; the stamp avoids clearing it per entry.
  const seen = new Int32Array(options.length);
  let stamp = 0;
  let filled = 0;
  let total = 0n;
  let blank = 0n;
  // Indexed loops: this runs once per ranked option of every distinct ranking (millions).
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    const count = checkedCount(ballot.count);
    const ranking = ballot.ranking;
    total += count;
    stamp++;
    const from = filled;
    for (let i = 0; i < ranking.length; i++) {
      const candidate = index.get(ranking[i]!) ?? unknownOption(ranking[i]!);
      if (seen[candidate] === stamp) {
        throw new ProfileError(
          'DUPLICATE_CHOICE',
          `option ${JSON.stringify(ranking[i])} is ranked twice in one ballot`,
        );
      }
      seen[candidate] = stamp;
      if (!withdrawn[candidate]) ranks[filled++] = candidate;
    }
    if (filled === from) {
      blank += count;
      continue;
    }
    counts.push(count);
    start[counts.length] = filled;
  }
  return {
    options,
    withdrawn,
    ranks: ranks.subarray(0, filled),
    start: start.subarray(0, counts.length + 1),
    counts,
    total,
    blank,
    valid: total - blank,
  };
}

function indexOf(index: Map<string, number>, option: string): number {
  return index.get(option) ?? unknownOption(option);
}

function unknownOption(option: string): never {
  throw new ProfileError('UNKNOWN_OPTION', `${JSON.stringify(option)} is not an option`);
}

function checkedCount(count: bigint | number): bigint {
  if (typeof count === 'bigint') {
    if (count > 0n) return count;
  } else if (Number.isSafeInteger(count) && count > 0) {
    return BigInt(count);
  }
  throw new ProfileError('BAD_COUNT', `a ballot count must be a positive integer, not ${count}`);
}
