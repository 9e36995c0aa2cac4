// `votestream tally --from-file x.blt`: count a BLT file with the tabulators the nodes use.
import { parseBlt } from '../domain/count/blt.ts';
import { type CountRules, countBallots } from '../domain/count/count-ballots.ts';
import type { CountResult } from '../domain/count/result.ts';
import type { RankedMethod } from '../domain/events.ts';

export interface BallotFileRules {
  /** Default: `stv` when the file has more than one seat, else `irv`. */
  method?: RankedMethod;
  /** Overrides the file's seat count. */
  seats?: number;
  batchElimination?: boolean;
  /**
   * The poll's lot seed (hex, as GET /polls/:pollId shows it): lots are drawn as the nodes
   * draw them. Without it lots fall in the file's `[tie …]` order, else in candidate order,
   * as Droop and OpenSTV draw them (each listed in `tieBreaks` with `lot: "order"`).
   */
  seed?: string;
}

/** Whether `text` looks like BLT (its first line two numbers) rather than an NDJSON export. */
export function isBallotFile(text: string): boolean {
  const first = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '';
  return /^\s*\d+\s+\d+\s*(#.*)?$/.test(first);
}

/**
 * Counts the BLT `text` by `rules`; the result is the API's count object (candidates by their
 * names in the file).
 * @throws BltSyntaxError for a malformed file, ProfileError for an impossible count.
 */
export function countBallotFile(text: string, rules: BallotFileRules = {}): CountResult {
  const contest = parseBlt(text);
  const seats = rules.seats ?? contest.seats;
  const method = rules.method ?? (seats > 1 ? 'stv' : 'irv');
  const seed = rules.seed ?? '';
  const lotOrder =
    rules.seed === undefined ? (contest.lotOrder ?? contest.profile.options) : undefined;
  const lots = lotOrder ? { seed, lotOrder } : { seed };
  const counted: CountRules =
    method === 'stv'
      ? { method, seats, ...lots }
      : method === 'irv'
        ? { method, batchElimination: rules.batchElimination === true, ...lots }
        : { method, ...lots };
  return countBallots(contest.profile, counted);
}
