// Seeded ranked ballots for the benchmarks (bench/count.ts, bench/fold-ranked.ts): a
// popularity model (Plackett–Luce over Zipf weights), so a few options lead and many trail,
// most voters rank a few options and some rank many. Popular rankings repeat (a million
// ballots over 35 options give a few hundred thousand distinct rankings), as in real polls.
import { seededRandom } from '../src/tools/load/votes.ts';

/** mulberry32 (the load generator's): every run draws the same poll. */
export const generator = seededRandom;

/** How many options a voter ranks: mostly a few, a tail ranking many (bullet votes included). */
function rankLength(random: () => number, optionCount: number): number {
  const r = random();
  if (r < 0.15) return 1;
  if (r < 0.3) return 2;
  if (r < 0.5) return 3;
  if (r < 0.65) return 4;
  if (r < 0.75) return 5;
  if (r < 0.9) return 6 + Math.floor(random() * 5);
  return 11 + Math.floor(random() * (optionCount - 10));
}

/** The option ids of a benchmark poll: option-1 … option-N, most popular first. */
export function benchOptions(optionCount: number): string[] {
  return Array.from({ length: optionCount }, (_, i) => `option-${i + 1}`);
}

/**
 * `count` rankings (option ids, most preferred first, distinct) over `benchOptions(optionCount)`
 * (at least 11 options), drawn from `seed`: the same seed gives the same ballots in the same order.
 */
export function* rankedBallots(
  count: number,
  optionCount: number,
  seed: number,
): Generator<string[]> {
  const random = generator(seed);
  const options = benchOptions(optionCount);
  const weight = options.map((_, i) => 1 / (i + 1) ** 0.9);
  const left = new Array<number>(optionCount);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < optionCount; i++) left[i] = weight[i]!;
    let mass = left.reduce((a, w) => a + w, 0);
    const ranking: string[] = [];
    for (let k = rankLength(random, optionCount); k > 0; k--) {
      let pick = random() * mass - left[0]!;
      let i = 0;
      while (i < optionCount - 1 && pick > 0) pick -= left[++i]!;
      if (left[i] === 0) i = left.findIndex((w) => w > 0);
      ranking.push(options[i]!);
      mass -= left[i]!;
      left[i] = 0;
    }
    yield ranking;
  }
}
