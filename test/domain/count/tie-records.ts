// The tieBreaks records the tabulators' tests expect: what differs from tie to tie is given,
// what follows from how the tie was decided is filled in here.
import type { TieBreak } from '../../../src/domain/count/result.ts';

/** A tie: the round it arose in, what it decided, the tied candidates and the one chosen. */
type Tie = Pick<TieBreak, 'round' | 'reason' | 'candidates' | 'chosen'>;

/** The record of `tie` decided by the votes of round `decidedAt`, where they last differed. */
export function byEarlierRound(decidedAt: number, tie: Tie): TieBreak {
  return { ...tie, by: 'earlier-round', decidedAt };
}

/** The record of `tie` decided by a lot drawn from the poll's seed among all the tied. */
export function bySeededLot(tie: Tie): TieBreak {
  return { ...tie, by: 'lot', lot: 'seed', drawnFrom: [...tie.candidates] };
}
