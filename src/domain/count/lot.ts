// Drawing lots. A poll's seed is fixed when the poll is created, so every node and every recount
// draws the same lot for the same tie: the draw is a pure function of the seed and of what is
// being decided, never of time, of Math.random or of the order in which candidates were listed.
import { createHash } from 'node:crypto';
import { ProfileError } from './count-error.ts';

/**
 * Where lots come from. `seed` draws them (SHA-256, see {@link drawLot}). `order`, when given,
 * is a lot already drawn — a returning officer's physical draw, or the tie order a counting
 * program such as Droop uses (its BLT `[tie …]` line; by default the ballot order): the
 * candidate earliest in it is the one drawn.
 */
export interface LotSource {
  seed: string;
  order?: readonly string[];
}

/** One decision by lot. */
export interface LotDraw {
  /** The counting method, e.g. `"irv"`, so equal ties under different methods draw apart. */
  method: string;
  /** The round (stage, or place in a ranking) the tie arose in. */
  round: number;
  /** Why the lot is drawn, e.g. `"exclusion"`; part of the draw, so reasons draw apart. */
  reason: string;
  /** The tied candidates (any order: the draw sorts them). At least one. */
  candidates: readonly string[];
}

/**
 * Draws one of `draw.candidates` by lot and returns it. What "drawn" means is the caller's: the
 * candidate excluded, the surplus transferred first, the option placed higher.
 *
 * Without `lot.order`: the candidates are sorted by UTF-16 code units, the SHA-256 digest of the
 * canonical JSON array `["votestream-lot", 1, seed, method, round, reason, sorted]` is read as a
 * 256-bit unsigned integer h, and `sorted[h mod n]` is drawn (the bias of the modulo is below
 * n / 2^256). With `lot.order`: the first candidate of `order` that is among the tied is drawn.
 *
 * @throws ProfileError `BAD_LOT_ORDER` when `order` names none of the tied candidates.
 */
export function drawLot(lot: LotSource, draw: LotDraw): string {
  if (lot.order !== undefined) {
    const tied = new Set(draw.candidates);
    const first = lot.order.find((candidate) => tied.has(candidate));
    if (first === undefined) {
      throw new ProfileError('BAD_LOT_ORDER', 'the lot order names none of the tied candidates');
    }
    return first;
  }
  const sorted = [...draw.candidates].sort(byCodeUnits);
  const digest = createHash('sha256')
    .update(
      JSON.stringify(['votestream-lot', 1, lot.seed, draw.method, draw.round, draw.reason, sorted]),
    )
    .digest('hex');
  const index = Number(BigInt(`0x${digest}`) % BigInt(sorted.length));
  return sorted[index]!;
}

/**
 * Checks that a lot order lists every option exactly once (a partial order could leave a tie
 * undecided).
 *
 * @throws ProfileError `BAD_LOT_ORDER`.
 */
export function checkLotOrder(order: readonly string[] | undefined, options: readonly string[]) {
  if (order === undefined) return;
  const listed = new Set(order);
  if (listed.size !== order.length || order.length !== options.length) {
    throw new ProfileError('BAD_LOT_ORDER', 'a lot order must list every option exactly once');
  }
  for (const option of options) {
    if (!listed.has(option)) {
      throw new ProfileError('BAD_LOT_ORDER', `the lot order leaves out ${JSON.stringify(option)}`);
    }
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
