// Instant-runoff voting, one winner, counted as RCTab (BrightSpots/rcv) counts a single-winner
// contest: the threshold is a majority of the ballots still counting for a continuing candidate,
// recomputed every round; blank ballots count in no round.
import { ProfileError } from './count-error.ts';
import { formatWhole } from './fixed-point.ts';
import { checkLotOrder, type LotSource } from './lot.ts';
import { firstPreferencePiles, transferPile } from './piles.ts';
import { type Countable, compileProfile } from './profile.ts';
import type { IrvResult, IrvRound, TieBreak } from './result.ts';
import { breakTie } from './tie-break.ts';
import { describeTransfer } from './transfer-record.ts';

/** How an IRV poll is counted. */
export interface IrvRules {
  /**
   * false (default): one candidate goes out per round. true: every candidate who cannot catch
   * up goes out together — the lowest candidates whose votes together are fewer than the next
   * candidate's (RCTab's batch elimination, as US jurisdictions count).
   */
  batchElimination?: boolean;
  /** The poll's seed: lots are drawn from it (drawLot in lot.ts). */
  seed: string;
  /** A lot already drawn, earliest first (see LotSource in lot.ts); must list every option. */
  lotOrder?: readonly string[];
}

/**
 * Counts `profile` by instant-runoff and returns every round.
 *
 * Each round: the continuing candidates' votes are tallied; the threshold is
 * floor(continuing ballots / 2) + 1; a candidate at or above it wins (so does the last
 * continuing candidate). Otherwise the lowest candidate goes out (or the batch, see
 * {@link IrvRules.batchElimination}) and its ballots move to their next continuing preference
 * or are exhausted. A tie for lowest goes to the candidate lower in the most recent round in
 * which they differed, then to a lot ({@link breakTie}). Two candidates left with equal votes
 * are one such tie: the one chosen goes out and the other wins in that round, as RCTab decides
 * it.
 *
 * Sources: issue 16 (majority of continuing ballots, tie rule); RCTab's Tabulator
 * (single-winner threshold, runBatchElimination) — the published test sets in
 * test/fixtures/ranked are RCTab's own reports.
 *
 * @throws ProfileError for an invalid profile (see {@link compileProfile}) or lot order, or
 *   `NO_OPTIONS` when every option is withdrawn.
 */
export function countIrv(profile: Countable, rules: IrvRules): IrvResult {
  const compiled = compileProfile(profile);
  checkLotOrder(rules.lotOrder, compiled.options);
  const lot: LotSource = { seed: rules.seed, order: rules.lotOrder };
  const names = compiled.options;
  const continuing = Uint8Array.from(compiled.withdrawn, (out) => (out ? 0 : 1));
  if (!continuing.includes(1)) throw new ProfileError('NO_OPTIONS', 'every option is withdrawn');

  const piles = firstPreferencePiles(compiled);
  const tally: bigint[] = names.map(() => 0n);
  compiled.counts.forEach((count, g) => {
    tally[piles.holder[g]!]! += count;
  });
  let exhausted = 0n;
  const history: bigint[][] = [];
  const rounds: IrvRound[] = [];
  const tieBreaks: TieBreak[] = [];
  const winners: string[] = [];

  for (let round = 1; winners.length === 0; round++) {
    const alive = names.flatMap((_, c) => (continuing[c] === 1 ? [c] : []));
    let total = 0n;
    for (const c of alive) total += tally[c]!;
    const threshold = total / 2n + 1n;
    const record: IrvRound = {
      round,
      tally: Object.fromEntries(alive.map((c) => [names[c]!, formatWhole(tally[c]!)])),
      continuing: formatWhole(total),
      exhausted: formatWhole(exhausted),
      threshold: formatWhole(threshold),
      elected: [],
      eliminated: [],
      transfers: [],
    };
    rounds.push(record);
    const tie = { history, names, lot, method: 'irv', round };

    const leader = alive.reduce((best, c) => (tally[c]! > tally[best]! ? c : best));
    let out: number[] = [];
    if (alive.length === 1 || tally[leader]! >= threshold) {
      winners.push(names[leader]!);
    } else if (alive.length === 2) {
      // Neither of two has a majority only when they are equal: the tie decides the winner.
      const decided = breakTie({ ...tie, tied: alive, choose: 'lowest', reason: 'final-two' });
      tieBreaks.push(decided.record);
      out = [decided.chosen];
      winners.push(names[alive.find((c) => c !== decided.chosen)!]!);
    } else {
      out = rules.batchElimination ? batchOut(alive, tally) : [];
      // A batch of one is an ordinary elimination (RCTab: batch only when it removes two or more).
      if (out.length < 2) {
        const low = alive.reduce((min, c) => (tally[c]! < tally[min]! ? c : min));
        const tied = alive.filter((c) => tally[c] === tally[low]);
        if (tied.length === 1) out = tied;
        else {
          const decided = breakTie({ ...tie, tied, choose: 'lowest', reason: 'elimination' });
          tieBreaks.push(decided.record);
          out = [decided.chosen];
        }
      }
    }
    record.elected.push(...winners);
    history.push(tally.slice());
    for (const c of out) {
      continuing[c] = 0;
      record.eliminated.push(names[c]!);
    }
    for (const c of out) {
      const moved = transferPile(compiled, piles, c, continuing, compiled.counts);
      tally[c] = 0n;
      moved.to.forEach((votes, to) => {
        if (votes > 0n) tally[to]! += votes;
      });
      exhausted += moved.exhausted;
      record.transfers.push(describeTransfer(names, c, 'elimination', moved, formatWhole));
    }
  }

  return {
    method: 'irv',
    seats: 1,
    batchElimination: rules.batchElimination ?? false,
    winners,
    rounds,
    tieBreaks,
    ballots: formatWhole(compiled.total),
    blank: formatWhole(compiled.blank),
    exhausted: formatWhole(exhausted),
  };
}

/**
 * The batch that cannot catch up: going up the distinct tallies, every candidate below a tally
 * that exceeds the sum of all votes below it (RCTab runBatchElimination). Tied candidates are
 * never split. Returned lowest first.
 */
export function batchOut(alive: readonly number[], tally: readonly bigint[]): number[] {
  const sorted = [...alive].sort((a, b) =>
    tally[a]! < tally[b]! ? -1 : tally[a]! > tally[b]! ? 1 : a - b,
  );
  let below = 0n;
  let batch = 0;
  for (let i = 0; i < sorted.length; ) {
    const votes = tally[sorted[i]!]!;
    if (below < votes) batch = i;
    let j = i;
    while (j < sorted.length && tally[sorted[j]!] === votes) j++;
    below += votes * BigInt(j - i);
    i = j;
  }
  return sorted.slice(0, batch);
}
