// Scottish STV: The Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1,
// rules 45–52, counted as Droop (jklundell/droop, rules/scotland.py) counts them — the reference
// counts in test/fixtures/ranked are Droop's. Values are bigints in units of 10^-5 votes.
import { ProfileError } from './count-error.ts';
import { checkLotOrder } from './lot.ts';
import { type Countable, compileProfile } from './profile.ts';
import type { StvResult } from './result.ts';
import { ScottishCount } from './stv-scottish-count.ts';

/** How a Scottish STV poll is counted. */
export interface ScottishStvRules {
  /** Vacancies to fill: a positive integer. */
  seats: number;
  /** The poll's seed: lots (rules 49(3), 51(2)(b)) are drawn from it (drawLot in lot.ts). */
  seed: string;
  /**
   * A lot already drawn, earliest first (see LotSource in lot.ts); must list every option. Droop
   * draws every lot this way, by ballot order unless its BLT file gives `[tie …]`.
   */
  lotOrder?: readonly string[];
}

/**
 * Counts `profile` under SSI 2007/42 schedule 1 rules 45–52 and returns every stage.
 *
 * - r. 45–46: first preferences; quota = floor(valid ballots / (seats + 1)) + 1.
 * - r. 47: a candidate whose vote reaches the quota is elected (several at once: highest vote
 *   first, equal votes in ballot order).
 * - r. 48: the largest surplus is transferred first: every paper the candidate holds moves to
 *   its next continuing preference at value (surplus × its value) / the candidate's vote,
 *   truncated to 5 decimals per paper; the candidate keeps exactly the quota, and what the
 *   truncation loses is the residual.
 * - r. 49: equal surpluses — the candidate with more votes at the most recent earlier stage at
 *   which they differed goes first, else lot (breakTie in tie-break.ts).
 * - r. 50–51: with no surplus to transfer, the lowest continuing candidate is excluded and all
 *   its papers move at the value they hold; ties by earlier stages, then lot.
 * - r. 52: when the continuing candidates are no more than the vacancies left, they are all
 *   elected (in ballot order) and no further transfer is made.
 *
 * Two choices follow Droop, so that the published reference counts are matched stage for
 * stage: a candidate elected with exactly the quota still takes a (zero) surplus stage, and
 * after an exclusion r. 52 is tried before r. 47, so candidates filling the last vacancies
 * together are elected in ballot order even if some reach the quota.
 *
 * @throws ProfileError for an invalid profile ({@link compileProfile}) or lot order, or
 *   `BAD_SEATS` when `seats` is not a positive integer.
 */
export function countScottishStv(profile: Countable, rules: ScottishStvRules): StvResult {
  const { seats } = rules;
  if (!Number.isSafeInteger(seats) || seats < 1) {
    throw new ProfileError('BAD_SEATS', `seats must be a positive integer, not ${seats}`);
  }
  const compiled = compileProfile(profile);
  checkLotOrder(rules.lotOrder, compiled.options);
  const count = new ScottishCount(compiled, seats, { seed: rules.seed, order: rules.lotOrder });
  return count.run();
}
