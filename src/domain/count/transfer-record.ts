// The record of one transfer as the result shows it (see Transfer in result.ts).
import type { Moved } from './piles.ts';
import type { Transfer } from './result.ts';

/**
 * Describes what `moved` carried from candidate `from`: only the candidates that received
 * something are listed, in ballot order; `format` writes a value as the method's decimal string.
 */
export function describeTransfer(
  names: readonly string[],
  from: number,
  kind: Transfer['kind'],
  moved: Moved,
  format: (value: bigint) => string,
): Transfer {
  return {
    from: names[from]!,
    kind,
    to: Object.fromEntries(
      moved.to.flatMap((votes, c) => (votes > 0n ? [[names[c]!, format(votes)]] : [])),
    ),
    exhausted: format(moved.exhausted),
  };
}
