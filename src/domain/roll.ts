// Voter rolls: who may vote in a poll, and with what weight. Pure: the rules of a roll request,
// the commitment the log records for each change, and the identity a roll is keyed by.
import { createHash } from 'node:crypto';
import type { Poll } from './events.ts';

/**
 * The most a weighted poll's roll may weigh in total: 2^53 − 1. Every sum the fold and the
 * tally keep (per option, per choice set, per shard, over shards) is a sum of some of the
 * roll's weights, so it stays an exact integer in a double; the ranked counts are bigint.
 */
export const MAX_ROLL_WEIGHT = Number.MAX_SAFE_INTEGER;

/** One voter on a roll: the voter identity the append path keys votes by, and the weight. */
export interface RollEntry {
  voterId: string;
  weight: number;
}

/** Whether only voters on a roll may vote in `poll`. */
export function hasRoll(poll: Poll): boolean {
  return poll.roll === true;
}

/** Whether `poll`'s ballots count with their voters' weights. */
export function isWeighted(poll: Poll): boolean {
  return poll.weighted === true;
}

/** Why a roll request is refused; codes of src/errors.ts. */
export interface RollRefusal {
  code: 'NO_ROLL' | 'POLL_CLOSED' | 'DUPLICATE_VOTER' | 'WEIGHT_NOT_ALLOWED' | 'ROLL_TOO_HEAVY';
  message: string;
  details?: Record<string, unknown>;
}

export function isRollRefusal(value: unknown): value is RollRefusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/**
 * The entries of a roll request for `poll`, or why it is refused: the poll has no roll
 * (`NO_ROLL`: a poll gets its roll at creation, see docs), is closed, a voter is listed twice
 * (after normalization: two spellings of one id are one voter), a weight is given for a poll
 * that is not weighted, or the request alone weighs more than MAX_ROLL_WEIGHT. Weights are
 * positive safe integers (the request schema checks that); absent, a weight is 1.
 * `voters[i].voterId` must already be the voter id the log records (src/http/recorded-voter.ts:
 * the NFC id, or a secret poll's voter tag).
 */
export function rollEntries(
  poll: Poll,
  voters: readonly { voterId: string; weight?: number }[],
  closed: boolean,
): RollEntry[] | RollRefusal {
  if (!hasRoll(poll))
    return {
      code: 'NO_ROLL',
      message: `poll ${poll.id} was created without a roll: any voter may vote in it`,
    };
  if (closed) return { code: 'POLL_CLOSED', message: `poll ${poll.id} is closed` };
  const seen = new Map<string, number>();
  const entries: RollEntry[] = [];
  let total = 0;
  for (let i = 0; i < voters.length; i++) {
    const { voterId, weight } = voters[i]!;
    const first = seen.get(voterId);
    if (first !== undefined)
      return {
        code: 'DUPLICATE_VOTER',
        message: `voters.${i} is the voter of voters.${first} (${JSON.stringify(voterId)})`,
        details: { voterId, indexes: [first, i] },
      };
    seen.set(voterId, i);
    if (weight !== undefined && !isWeighted(poll))
      return {
        code: 'WEIGHT_NOT_ALLOWED',
        message: `poll ${poll.id} is not weighted: voters.${i} has a weight`,
        details: { field: `voters.${i}.weight` },
      };
    const w = weight ?? 1;
    total += w;
    if (total > MAX_ROLL_WEIGHT) return tooHeavy(poll, MAX_ROLL_WEIGHT);
    entries.push({ voterId, weight: w });
  }
  return entries;
}

/** The refusal of a roll whose total weight would pass MAX_ROLL_WEIGHT. */
export function tooHeavy(poll: Poll, room: number): RollRefusal {
  return {
    code: 'ROLL_TOO_HEAVY',
    message: `the roll of poll ${poll.id} would weigh more than ${MAX_ROLL_WEIGHT} (2^53 − 1) in total`,
    details: { maxTotalWeight: MAX_ROLL_WEIGHT, room },
  };
}

/**
 * The commitment of a set of roll entries: how many, their total weight, and `sha256`, the
 * lower-case hex SHA-256 of the entries sorted by the UTF-8 bytes of their voter ids, each
 * written as `voterId TAB weight LF` (UTF-8, weight in decimal without leading zeros). Voter
 * ids have no control characters, so the separators are unambiguous.
 */
export function rollCommitment(entries: readonly RollEntry[]): {
  count: number;
  weight: number;
  sha256: string;
} {
  const sorted = entries
    .map((entry) => ({ entry, bytes: Buffer.from(entry.voterId, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const hash = createHash('sha256');
  let weight = 0;
  for (const { entry } of sorted) {
    hash.update(`${entry.voterId}\t${entry.weight}\n`, 'utf8');
    weight += entry.weight;
  }
  return { count: entries.length, weight, sha256: hash.digest('hex') };
}

/**
 * What a roll request adds, given the weights the roll already holds for its voters
 * (`existing[i]` for `entries[i]`: undefined when not on the roll): the new entries, those
 * already there with the same weight (a retried request), and conflicts — a voter on the roll
 * with another weight (entries are never changed: a voter may have voted with it).
 */
export function planRollChange(
  entries: readonly RollEntry[],
  existing: readonly (number | undefined)[],
): { added: RollEntry[]; unchanged: RollEntry[]; conflicts: (RollEntry & { onRoll: number })[] } {
  const added: RollEntry[] = [];
  const unchanged: RollEntry[] = [];
  const conflicts: (RollEntry & { onRoll: number })[] = [];
  entries.forEach((entry, i) => {
    const onRoll = existing[i];
    if (onRoll === undefined) added.push(entry);
    else if (onRoll === entry.weight) unchanged.push(entry);
    else conflicts.push({ ...entry, onRoll });
  });
  return { added, unchanged, conflicts };
}
