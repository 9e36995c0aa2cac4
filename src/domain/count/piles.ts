// Which candidate's pile each ballot group is on. A transfer moves every group on one pile to
// its next continuing preference, so a whole count moves each group at most once per rank.
//
// The piles are not lists: a transfer sweeps all groups in index order and takes those held by
// the candidate. Sweeping ~35 times over typed arrays reads memory in order, which measured
// faster on a million-ballot profile than following per-candidate lists, whose groups lie in
// random order and cost a cache miss each. The order in which groups are moved is irrelevant:
// every sum over a pile is exact.
import type { CompiledProfile } from './profile.ts';

/** Where every group of a profile counts now. */
export interface Piles {
  /** Per group: the index into `profile.ranks` of the candidate it counts for. */
  readonly cursor: Int32Array;
  /** Per group: the candidate it counts for, or -1 once exhausted. */
  readonly holder: Int32Array;
}

/** Puts every non-blank group on the pile of its first preference (SSI 2007/42 r. 45(1)). */
export function firstPreferencePiles(profile: CompiledProfile): Piles {
  const groups = profile.counts.length;
  const cursor = profile.start.slice(0, groups);
  const holder = new Int32Array(groups);
  for (let g = 0; g < groups; g++) holder[g] = profile.ranks[cursor[g]!]!;
  return { cursor, holder };
}

/**
 * Moves group `g` to its next preference for a candidate with `continuing[c] === 1` and returns
 * that candidate, or -1 when the ranking has none left (the ballots are exhausted).
 */
export function nextPreference(
  profile: CompiledProfile,
  piles: Piles,
  g: number,
  continuing: Uint8Array,
): number {
  const end = profile.start[g + 1]!;
  const { ranks } = profile;
  for (let i = piles.cursor[g]! + 1; i < end; i++) {
    const candidate = ranks[i]!;
    if (continuing[candidate] === 1) {
      piles.cursor[g] = i;
      piles.holder[g] = candidate;
      return candidate;
    }
  }
  piles.cursor[g] = end;
  piles.holder[g] = -1;
  return -1;
}

/** What one pile carried on: votes per destination candidate, and to no one. */
export interface Moved {
  /** Per candidate index: the value that moved to it (0n for most). */
  to: bigint[];
  /** The value of the groups with no continuing preference left. */
  exhausted: bigint;
}

/**
 * Empties candidate `from`'s pile: every group on it moves to its next continuing preference
 * (`continuing[c] === 1`, see {@link nextPreference}) and its `value` — per group, in the
 * caller's unit: ballots for IRV, 10^-5 votes for STV — is summed by destination. The caller
 * credits the sums; `from`'s own tally is the caller's to clear.
 */
export function transferPile(
  profile: CompiledProfile,
  piles: Piles,
  from: number,
  continuing: Uint8Array,
  value: readonly bigint[],
): Moved {
  const to: bigint[] = profile.options.map(() => 0n);
  let exhausted = 0n;
  const { holder } = piles;
  for (let g = 0; g < holder.length; g++) {
    if (holder[g] !== from) continue;
    const next = nextPreference(profile, piles, g, continuing);
    // One bigint addition per moved group: the destinations' tallies are credited once, after.
    if (next < 0) exhausted += value[g]!;
    else to[next]! += value[g]!;
  }
  return { to, exhausted };
}
