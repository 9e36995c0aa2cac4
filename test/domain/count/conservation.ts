// Vote conservation, checked exactly on the decimal strings of a result: in every round the
// votes still counting plus those exhausted (and, for STV, lost to truncation) add up to every
// valid ballot.
import * as assert from 'uvu/assert';
import type { IrvResult, StvResult } from '../../../src/domain/count/result.ts';

/** "1913.00000" → 191300000n (units of 10^-5); the string must have exactly five decimals. */
export function parseFixed5(text: string): bigint {
  const match = /^(\d+)\.(\d{5})$/.exec(text);
  if (!match) throw new Error(`not a 5-decimal value: ${text}`);
  return BigInt(match[1]!) * 100_000n + BigInt(match[2]!);
}

function sum(values: Iterable<string>, parse: (text: string) => bigint): bigint {
  let total = 0n;
  for (const value of values) total += parse(value);
  return total;
}

export function assertIrvConserved(result: IrvResult): void {
  const valid = BigInt(result.ballots) - BigInt(result.blank);
  for (const round of result.rounds) {
    const continuing = sum(Object.values(round.tally), BigInt);
    assert.is(continuing, BigInt(round.continuing), `round ${round.round}: continuing`);
    assert.is(
      continuing + BigInt(round.exhausted),
      valid,
      `round ${round.round}: continuing + exhausted`,
    );
  }
}

export function assertStvConserved(result: StvResult): void {
  const valid = (BigInt(result.ballots) - BigInt(result.blank)) * 100_000n;
  for (const round of result.rounds) {
    const held = sum(Object.values(round.votes), parseFixed5);
    assert.is(
      held + parseFixed5(round.nonTransferable) + parseFixed5(round.residual),
      valid,
      `stage ${round.round}: elected + continuing + non-transferable + residual`,
    );
  }
  const final = sum(Object.values(result.finalVotes), parseFixed5);
  assert.is(final + parseFixed5(result.exhausted) + parseFixed5(result.residual), valid);
}
