// Ballot groups sorted into piles by the candidate they currently count for. A transfer walks
// only the pile of the candidate who goes out (or whose surplus moves), and each group moves
// forward along its ranking, so a whole count touches each group at most once per rank.
import type { CompiledProfile } from './profile.ts';

/** Where every group of a profile counts now. */
export interface Piles {
  /** Per group: the index into `profile.ranks` of the candidate it counts for. */
  readonly at: Int32Array;
  /** Per candidate: the groups counting for it. */
  readonly pile: number[][];
}

/** Puts every non-blank group on the pile of its first preference (SSI 2007/42 r. 45(1)). */
export function firstPreferencePiles(profile: CompiledProfile): Piles {
  const groups = profile.counts.length;
  const at = new Int32Array(groups);
  const pile: number[][] = profile.options.map(() => []);
  for (let g = 0; g < groups; g++) {
    const first = profile.start[g]!;
    at[g] = first;
    pile[profile.ranks[first]!]!.push(g);
  }
  return { at, pile };
}

/**
 * Moves group `g` to its next preference for a candidate with `continuing[c] === 1` and returns
 * that candidate, or -1 when the ranking has none left (the ballots are exhausted); the caller
 * puts the group on the returned candidate's pile.
 */
export function nextPreference(
  profile: CompiledProfile,
  piles: Piles,
  g: number,
  continuing: Uint8Array,
): number {
  const end = profile.start[g + 1]!;
  const { ranks } = profile;
  for (let i = piles.at[g]! + 1; i < end; i++) {
    const candidate = ranks[i]!;
    if (continuing[candidate] === 1) {
      piles.at[g] = i;
      return candidate;
    }
  }
  piles.at[g] = end;
  return -1;
}
