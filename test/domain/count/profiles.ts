// Ballot profiles written as the literature prints them: "4 CB" is four ballots that rank C
// first and B second, and a count alone ("5") is that many blank ballots. Options are letters.
import type { BallotProfile, RankedBallot } from '../../../src/domain/count/profile.ts';

const ROW = /^(\d+)(?: ([A-Z]+))?$/;

/** The ballots of `rows`, comma-separated: "4 A, 2 CB, 5" (four A, two C then B, five blank). */
function ballotsOf(rows: string): RankedBallot[] {
  return rows.split(/,\s*/).map((row) => {
    const match = ROW.exec(row);
    if (!match) throw new Error(`not a row of ballots: ${JSON.stringify(row)}`);
    return { count: Number(match[1]), ranking: [...(match[2] ?? '')] };
  });
}

/** The profile of the one-letter `options` ("ABC", in ballot order) and the ballots of `rows`. */
export function profileOf(options: string, rows: string): BallotProfile {
  return { options: [...options], ballots: ballotsOf(rows) };
}
