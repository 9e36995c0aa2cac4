// Voters for a poll's roll from a file, sent to a node's admin endpoint, for `votestream roll`.
import { isIdRefusal, normalizeId } from '../domain/identity.ts';
import { MAX_ROLL_WEIGHT } from '../domain/roll.ts';
import { postVoterChunks, type VoterChunks } from './issue-tokens.ts';

/** One line of a roll file. */
export interface RollLine {
  voterId: string;
  weight?: number;
}

/** What the node answered for one chunk of a roll. */
export interface RollReply {
  added: number;
  weight: number;
  unchanged: number;
  commitments: { shard: number; seq: number; count: number; weight: number; sha256: string }[];
}

/**
 * The voters of a roll file: a voter id per line, or CSV `voterId,weight` (a header line
 * `voterId,weight` is skipped; a voter id holding a comma or a quote is written quoted, with
 * `""` for a quote). Ids under the API's identity policy, in their NFC form; weights positive
 * integers up to 2^53 − 1. A CR before the newline is dropped, empty lines skipped.
 * @throws RangeError naming the first line that is not a voter (and why), or a voter twice.
 */
export function parseRoll(text: string): RollLine[] {
  const voters: RollLine[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && /^"?voterId"?(,"?weight"?)?$/i.test(line))) continue;
    const at = `line ${i + 1}`;
    const [sent, weightText] = splitLine(line, at);
    const voterId = normalizeId(sent);
    if (isIdRefusal(voterId)) throw new RangeError(`${at}: not a voter id: it ${voterId.message}`);
    const first = seen.get(voterId);
    if (first !== undefined) throw new RangeError(`${at}: the voter of line ${first} again`);
    seen.set(voterId, i + 1);
    if (weightText === undefined) {
      voters.push({ voterId });
      continue;
    }
    if (!/^[1-9][0-9]*$/.test(weightText) || BigInt(weightText) > BigInt(MAX_ROLL_WEIGHT))
      throw new RangeError(
        `${at}: the weight ${JSON.stringify(weightText)} is not an integer from 1 to 2^53 − 1`,
      );
    voters.push({ voterId, weight: Number(weightText) });
  }
  return voters;
}

/** A line's voter id and, after the last comma outside quotes, its weight. */
function splitLine(line: string, at: string): [string, string | undefined] {
  if (!line.startsWith('"')) {
    const comma = line.lastIndexOf(',');
    return comma < 0 ? [line, undefined] : [line.slice(0, comma), line.slice(comma + 1).trim()];
  }
  let id = '';
  let i = 1;
  for (;;) {
    const quote = line.indexOf('"', i);
    if (quote < 0) throw new RangeError(`${at}: a quoted voter id is not closed`);
    id += line.slice(i, quote);
    if (line[quote + 1] === '"') {
      id += '"';
      i = quote + 2;
      continue;
    }
    const rest = line.slice(quote + 1);
    if (rest === '') return [id, undefined];
    if (!rest.startsWith(',')) throw new RangeError(`${at}: a comma must follow the quoted id`);
    return [id, rest.slice(1).trim()];
  }
}

/** Where and what `sendRoll` sends: the voters, 1000 a request unless `chunk` says. */
export type SendRollOptions = VoterChunks<RollLine>;

/**
 * Adds `voters` to the roll of `pollId` through `target`, a chunk per request, and yields
 * each chunk's reply in order. Safe to run again: voters on the roll already with the same
 * weight are counted `unchanged`.
 * @throws TokenRequestError on the first refused request (earlier chunks were added).
 */
export async function* sendRoll(o: SendRollOptions): AsyncGenerator<RollReply> {
  yield* postVoterChunks<RollReply>('roll', o);
}
