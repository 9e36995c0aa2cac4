// Vote values as integers. Scottish STV counts to five decimal places (SSI 2007/42 sch. 1
// r. 48(3)), so its values are bigints in units of 10^-5 votes; IRV and Schulze count whole
// ballots as plain bigints. Nothing here, or in any tally, goes through floating point.

/** 10^5: one vote in the units of a Scottish STV value. */
export const STV_SCALE = 100_000n;

/**
 * Formats a value held in units of 10^-5 votes as a decimal string with exactly five decimals,
 * e.g. `191300000n` → `"1913.00000"`. Negative values keep their sign (`"-0.00001"`).
 */
export function formatFixed5(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const whole = magnitude / STV_SCALE;
  const fraction = (magnitude % STV_SCALE).toString().padStart(5, '0');
  return `${sign}${whole}.${fraction}`;
}

/** Formats a whole number of ballots or votes as a decimal string, e.g. `12n` → `"12"`. */
export function formatWhole(value: bigint): string {
  return value.toString();
}
