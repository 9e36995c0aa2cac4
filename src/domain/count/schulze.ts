// The Schulze method (widest paths), links weighed by margin. Sources: Markus Schulze, "A new
// monotonic, clone-independent, reversal symmetric, and Condorcet-consistent single-winner
// election method", Social Choice and Welfare 36 (2011) 267–303 (paths, strongest paths, the
// relation p[x][y] > p[y][x] and its transitivity, the Floyd–Warshall computation); Markus
// Schulze, "The Schulze Method of Voting", arXiv:1804.02973 (the margin as the strength of a
// link: d[x][y] − d[y][x]).

import { ProfileError } from './count-error.ts';
import { formatWhole } from './fixed-point.ts';
import { checkLotOrder, drawLot, type LotSource } from './lot.ts';
import { type Countable, compileProfile } from './profile.ts';
import type { SchulzeResult, TieBreak } from './result.ts';

/** How a Schulze poll is counted. */
export interface SchulzeRules {
  /** The poll's seed: ties in the final ranking are broken by lots drawn from it. */
  seed: string;
  /** A lot already drawn, earliest first (see LotSource in lot.ts); must list every option. */
  lotOrder?: readonly string[];
  /** How many of the ranking win (default 1). */
  seats?: number;
}

/**
 * Counts `profile` by the Schulze method and returns the full ranking, the pairwise matrix and
 * the strongest paths.
 *
 * - d[x][y]: ballots that rank x above y. A ballot ranks every ranked option above every
 *   unranked one and says nothing between two unranked options; blank ballots say nothing.
 * - A link x→y exists when d[x][y] > d[y][x]; its strength is the margin d[x][y] − d[y][x].
 * - p[x][y]: the strength of the strongest path from x to y (the widest path: a path is as
 *   strong as its weakest link), 0 when there is none.
 * - x is better than y when p[x][y] > p[y][x]; this relation is transitive (Schulze 2011), but
 *   not every two options are comparable. The ranking is built in levels: the options no
 *   remaining option is better than (the potential winners among them) take the next places,
 *   in an order drawn by lot when there are several (one lot per place, reason `"ranking"`).
 *
 * Withdrawn options are not ranked. Winners are the first `seats` of the ranking.
 *
 * @throws ProfileError for an invalid profile ({@link compileProfile}) or lot order,
 *   `BAD_SEATS` when seats is not an integer from 1 to the number of options left.
 */
export function countSchulze(profile: Countable, rules: SchulzeRules): SchulzeResult {
  const compiled = compileProfile(profile);
  checkLotOrder(rules.lotOrder, compiled.options);
  const lot: LotSource = { seed: rules.seed, order: rules.lotOrder };
  const names = compiled.options;
  const live = names.flatMap((_, c) => (compiled.withdrawn[c] ? [] : [c]));
  const seats = rules.seats ?? 1;
  if (!Number.isSafeInteger(seats) || seats < 1 || seats > live.length) {
    throw new ProfileError('BAD_SEATS', `seats must be from 1 to ${live.length}, not ${seats}`);
  }

  const d = pairwise(compiled.ranks, compiled.start, compiled.counts, names.length);
  const p = strongestPaths(d, live);
  const tieBreaks: TieBreak[] = [];
  const ranking: string[] = [];
  let remaining = live;
  while (remaining.length > 0) {
    // The options no remaining option is better than take the next places, as one level.
    const level = remaining.filter((x) => remaining.every((y) => !(p[y]![x]! > p[x]![y]!)));
    remaining = remaining.filter((x) => !level.includes(x));
    while (level.length > 0) {
      let place = 0;
      if (level.length > 1) {
        const candidates = level.map((c) => names[c]!);
        const round = ranking.length + 1;
        const drawn = drawLot(lot, { method: 'schulze', round, reason: 'ranking', candidates });
        place = candidates.indexOf(drawn);
        tieBreaks.push({
          round,
          reason: 'ranking',
          candidates,
          chosen: drawn,
          by: 'lot',
          lot: rules.lotOrder === undefined ? 'seed' : 'order',
          drawnFrom: candidates,
        });
      }
      ranking.push(names[level[place]!]!);
      level.splice(place, 1);
    }
  }

  const matrix = (m: bigint[][]) =>
    Object.fromEntries(
      live.map((x) => [
        names[x]!,
        Object.fromEntries(
          live.filter((y) => y !== x).map((y) => [names[y]!, formatWhole(m[x]![y]!)]),
        ),
      ]),
    );
  return {
    method: 'schulze',
    seats,
    winners: ranking.slice(0, seats),
    ranking,
    pairwise: matrix(d),
    strongestPaths: matrix(p),
    rounds: [],
    tieBreaks,
    ballots: formatWhole(compiled.total),
    blank: formatWhole(compiled.blank),
    exhausted: '0',
  };
}

/**
 * d[x][y] for n options from flat rankings. A ranking of length k puts each ranked option above
 * all options except itself and those ranked before it, so each option's row gets the count once
 * (`above`) and a correction for the few it is not above: O(k²) per ranking instead of O(k·n).
 */
export function pairwise(
  ranks: Int32Array,
  start: Int32Array,
  counts: readonly bigint[],
  n: number,
): bigint[][] {
  const above: bigint[] = new Array(n).fill(0n);
  const d: bigint[][] = Array.from({ length: n }, () => new Array(n).fill(0n));
  for (let g = 0; g < counts.length; g++) {
    const count = counts[g]!;
    const end = start[g + 1]!;
    for (let i = start[g]!; i < end; i++) {
      const x = ranks[i]!;
      above[x]! += count;
      const row = d[x]!;
      for (let j = start[g]!; j <= i; j++) row[ranks[j]!]! -= count;
    }
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) d[x]![y] = x === y ? 0n : d[x]![y]! + above[x]!;
  }
  return d;
}

/**
 * p[x][y], the widest path over links weighed by margin, among the options in `live`
 * (Floyd–Warshall, Schulze 2011).
 */
export function strongestPaths(d: readonly (readonly bigint[])[], live: readonly number[]) {
  const n = d.length;
  const p: bigint[][] = Array.from({ length: n }, () => new Array(n).fill(0n));
  for (const x of live) {
    for (const y of live) {
      const margin = d[x]![y]! - d[y]![x]!;
      if (x !== y && margin > 0n) p[x]![y] = margin;
    }
  }
  for (const k of live) {
    for (const x of live) {
      if (x === k) continue;
      for (const y of live) {
        if (y === x || y === k) continue;
        const via = smaller(p[x]![k]!, p[k]![y]!);
        if (via > p[x]![y]!) p[x]![y] = via;
      }
    }
  }
  return p;
}

function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
