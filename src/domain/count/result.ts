// The result object every tabulator returns and the API serves as JSON.
//
// Number convention: every vote or ballot quantity is a decimal string — whole numbers for IRV
// and Schulze ("12"), exactly five decimals for Scottish STV ("1913.00000") — because counts may
// exceed 2^53 and STV values are fractional; JSON numbers are used only for ordinals (round
// numbers, seats).

/** How one tie was decided: by the counts of earlier rounds, or by lot. */
export interface TieBreak {
  /** The round (STV: stage; Schulze: place in the ranking, from 1) the tie arose in. */
  round: number;
  /**
   * What was decided: `"elimination"` (IRV), `"final-two"` (IRV, two left with equal votes),
   * `"exclusion"` (STV rule 51), `"surplus-order"` (STV rule 49), `"ranking"` (Schulze).
   */
  reason: string;
  /** The tied candidates, in ballot order. */
  candidates: string[];
  /** The candidate chosen: the one eliminated or excluded, transferred first, or placed higher. */
  chosen: string;
  /** `"earlier-round"`: their votes differed in `decidedAt`; `"lot"`: equal in every round. */
  by: 'earlier-round' | 'lot';
  /** With `by: "earlier-round"`: the most recent earlier round in which they differed. */
  decidedAt?: number;
  /** With `by: "lot"`: drawn from the poll's seed, or the first in a given lot order. */
  lot?: 'seed' | 'order';
  /** With `by: "lot"`: those still tied after looking back, among whom the lot was drawn. */
  drawnFrom?: string[];
}

/** The votes one candidate's ballots carried on at the end of a round. */
export interface Transfer {
  from: string;
  /** STV: a surplus (rule 48) or an exclusion (rule 50); IRV: always an elimination. */
  kind: 'elimination' | 'surplus' | 'exclusion';
  /** Votes credited to each continuing candidate (only those that received any). */
  to: Record<string, string>;
  /** Votes of ballots with no further continuing preference (IRV: exhausted ballots). */
  exhausted: string;
  /** STV surplus only: the fraction lost by truncating transfer values to 5 decimals. */
  residual?: string;
}

export interface IrvRound {
  round: number;
  /** Every continuing candidate's votes, in ballot order. */
  tally: Record<string, string>;
  /** Ballots counting for a continuing candidate: the sum of `tally`. */
  continuing: string;
  /** Ballots exhausted so far (blank ballots are not among them). */
  exhausted: string;
  /** A majority of the continuing ballots: floor(continuing / 2) + 1. */
  threshold: string;
  elected: string[];
  eliminated: string[];
  /** Where the eliminated candidates' ballots went (counted in the next round). */
  transfers: Transfer[];
}

export interface StvRound {
  /** Stage number; stage 1 is the first-preference count (rule 45). */
  round: number;
  action: 'first-preferences' | 'surplus' | 'exclusion';
  /** Whose surplus was transferred or who was excluded in this stage. */
  candidate?: string;
  /** The surplus transferred (action `"surplus"`). */
  surplus?: string;
  /** The vote of every candidate still in the count (elected or continuing) at the stage's end. */
  votes: Record<string, string>;
  elected: string[];
  excluded: string[];
  transfers: Transfer[];
  /** Non-transferable votes so far. */
  nonTransferable: string;
  /** Votes lost so far to truncating transfer values to 5 decimals (rule 48(3)). */
  residual: string;
}

interface ResultBase {
  seats: number;
  /** Elected candidates in the order of their election. */
  winners: string[];
  tieBreaks: TieBreak[];
  /** Every ballot in the profile, blank ones included. */
  ballots: string;
  /** Ballots that ranked no (non-withdrawn) option: they count in no round. */
  blank: string;
  /** IRV: exhausted ballots at the end; STV: non-transferable votes at the end; Schulze: "0". */
  exhausted: string;
}

export interface IrvResult extends ResultBase {
  method: 'irv';
  batchElimination: boolean;
  rounds: IrvRound[];
}

export interface StvResult extends ResultBase {
  method: 'stv';
  rule: 'scottish';
  /** Droop quota, rule 46: floor(valid ballots / (seats + 1)) + 1. */
  quota: string;
  rounds: StvRound[];
  /** Every candidate's vote at the end of the count; excluded candidates hold "0.00000". */
  finalVotes: Record<string, string>;
  /** Votes lost to truncation at the end of the count. */
  residual: string;
}

export interface SchulzeResult extends ResultBase {
  method: 'schulze';
  /** Every option, best first; ties between equally strong options broken by lot. */
  ranking: string[];
  /** d[x][y]: ballots ranking x above y (a ranked option is above every unranked one). */
  pairwise: Record<string, Record<string, string>>;
  /** p[x][y]: the strength of the strongest path from x to y, links weighed by margin. */
  strongestPaths: Record<string, Record<string, string>>;
  rounds: [];
}

export type CountResult = IrvResult | StvResult | SchulzeResult;
