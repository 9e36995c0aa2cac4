// The tie rule shared by IRV and Scottish STV: look back at earlier rounds, most recent first,
// for one where the tied candidates' votes differed; only if they were equal in every round,
// draw a lot.
import { drawLot, type LotSource } from './lot.ts';
import type { TieBreak } from './result.ts';

/** A tie to decide and what the decision may look at. */
export interface Tie {
  /** Candidate indices, ascending (ballot order), at least two. */
  tied: readonly number[];
  /**
   * Every candidate's vote at the end of each earlier round, oldest first (entry k is round
   * k + 1). Rounds in which the tied candidates were all equal are simply passed over.
   */
  history: readonly (readonly bigint[])[];
  /** `"lowest"`: choose the one with fewest votes (exclusion); `"highest"`: the most (surplus). */
  choose: 'lowest' | 'highest';
  names: readonly string[];
  lot: LotSource;
  method: string;
  round: number;
  reason: string;
}

/**
 * Decides `tie` and returns the chosen candidate's index with the record for `tieBreaks`.
 *
 * In the most recent earlier round where the tied candidates' votes were not all equal, those
 * with the fewest (`"lowest"`) or most (`"highest"`) votes stay in contention; if that is one
 * candidate, it is chosen, otherwise the look-back continues among them. Candidates still tied
 * after the first round go to a lot ({@link drawLot}).
 *
 * Sources: SSI 2007/42 sch. 1 rule 49(2)–(3) (surpluses: "the most recent preceding stage at
 * which they had unequal numbers of votes", else lot) and rule 51(2) (exclusions, the same with
 * the lowest); for IRV the rule of issue 16, as RCTab's "previous round counts, then random"
 * (BrightSpots/rcv Tiebreak.doPreviousRounds) narrows to the tied candidates with the fewest.
 * With three or more tied, the rules do not say what happens when several share the extreme
 * vote at that stage; narrowing to them keeps the chosen candidate among those the statute
 * names ("the candidate with the lowest number of votes at that stage").
 */
export function breakTie(tie: Tie): { chosen: number; record: TieBreak } {
  let contenders = [...tie.tied];
  for (let k = tie.history.length - 1; k >= 0; k--) {
    const votes = tie.history[k]!;
    let extreme = votes[contenders[0]!]!;
    for (const c of contenders) {
      const v = votes[c]!;
      if (tie.choose === 'lowest' ? v < extreme : v > extreme) extreme = v;
    }
    const narrowed = contenders.filter((c) => votes[c] === extreme);
    if (narrowed.length === contenders.length) continue;
    contenders = narrowed;
    if (contenders.length === 1) {
      return decided(tie, contenders[0]!, { by: 'earlier-round', decidedAt: k + 1 });
    }
  }
  const drawnFrom = contenders.map((c) => tie.names[c]!);
  const drawn = drawLot(tie.lot, {
    method: tie.method,
    round: tie.round,
    reason: tie.reason,
    candidates: drawnFrom,
  });
  const chosen = contenders.find((c) => tie.names[c] === drawn)!;
  return decided(tie, chosen, {
    by: 'lot',
    lot: tie.lot.order === undefined ? 'seed' : 'order',
    drawnFrom,
  });
}

/** The result of `tie` with `chosen` and how it was chosen (the record's last fields). */
function decided(
  tie: Tie,
  chosen: number,
  how: Pick<TieBreak, 'by' | 'decidedAt' | 'lot' | 'drawnFrom'>,
): { chosen: number; record: TieBreak } {
  return {
    chosen,
    record: {
      round: tie.round,
      reason: tie.reason,
      candidates: tie.tied.map((c) => tie.names[c]!),
      chosen: tie.names[chosen]!,
      ...how,
    },
  };
}
