// Voters for a poll's roll from a file, sent to a node's admin endpoint, for `votestream roll`.
import { VotestreamClient, VotestreamError } from '../client/index.ts';
import { isIdRefusal, normalizeId } from '../domain/identity.ts';
import { MAX_ROLL_WEIGHT } from '../domain/roll.ts';
import {
  postVoterChunks,
  type TokenRequestError,
  tokenRequestError,
  type VoterChunks,
  withoutBom,
} from './issue-tokens.ts';

/** One voter of a roll file: what is sent for it, and where the file has it. */
export interface RollLine {
  /** The id in its NFC form, as sent. */
  voterId: string;
  weight?: number;
  /** The voter's line in the file, from 1. */
  line: number;
  /** The id as the file writes it (unquoted, before NFC). */
  written: string;
}

/** What the node answered for one chunk of a roll. */
export interface RollReply {
  added: number;
  weight: number;
  unchanged: number;
  commitments: { shard: number; seq: number; count: number; weight: number; sha256: string }[];
}

/** The header line of a roll file: `voterId` or `voterId,weight`, either quoted or not. */
const HEADER = /^"?voterId"?(\s*,\s*"?weight"?)?$/i;
/**
 * Whether `text` is a roll's CSV, by its header `voterId,weight` (after a byte-order mark):
 * `votestream tokens` then takes its ids (parseRoll) rather than each line as an id.
 */
export function isRollCsv(text: string): boolean {
  const first = withoutBom(text).split('\n', 1)[0]!.replace(/\r$/, '');
  return HEADER.test(first) && first.includes(',');
}

/** A header whose fields another separator divides (European Excel writes `;`). */
const OTHER_SEPARATOR_HEADER = /^"?voterId"?\s*([;\t|])\s*"?weight"?$/i;
/** An id that ends in a weight after a separator other than a comma. */
const OTHER_SEPARATOR_WEIGHT = /[;\t|]\s*[0-9]+$/;

/**
 * The voters of a roll file: a voter id per line, or CSV `voterId,weight` (a header line
 * `voterId,weight` is skipped; a voter id holding a comma or a quote is written quoted, with
 * `""` for a quote). Ids under the API's identity policy, in their NFC form; weights positive
 * integers up to 2^53 − 1. A byte-order mark at the start of the text is dropped, a CR before
 * the newline too, empty lines skipped. Whether lines must or must not carry a weight depends
 * on the poll: `checkRollWeights`.
 * @throws RangeError naming the first line that is not a voter (and why), or a voter twice, or
 *   a header whose fields are separated by something else than commas.
 */
export function parseRoll(text: string): RollLine[] {
  const voters: RollLine[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of withoutBom(text).split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && HEADER.test(line))) continue;
    const at = `line ${i + 1}`;
    const separator = i === 0 ? OTHER_SEPARATOR_HEADER.exec(line)?.[1] : undefined;
    if (separator !== undefined)
      throw new RangeError(
        `${at}: a header with fields separated by ${JSON.stringify(separator)}: separate the fields with commas (voterId,weight)`,
      );
    const [written, weightText] = splitLine(line, at);
    const voterId = normalizeId(written);
    if (isIdRefusal(voterId))
      throw new RangeError(
        `${at}: not a voter id: it ${voterId.message}${written.includes('\t') ? '; separate the fields with commas (voterId,weight)' : ''}`,
      );
    const first = seen.get(voterId);
    if (first !== undefined) throw new RangeError(`${at}: the voter of line ${first} again`);
    seen.set(voterId, i + 1);
    if (weightText === undefined) {
      voters.push({ voterId, line: i + 1, written });
      continue;
    }
    if (!/^[1-9][0-9]*$/.test(weightText) || BigInt(weightText) > BigInt(MAX_ROLL_WEIGHT))
      throw new RangeError(
        `${at}: the weight ${JSON.stringify(weightText)} is not an integer from 1 to 2^53 − 1${/\p{L}/u.test(weightText) ? ' (an id that holds a comma is written quoted: "Smith, J")' : ''}`,
      );
    voters.push({ voterId, weight: Number(weightText), line: i + 1, written });
  }
  return voters;
}

/**
 * Checks a roll file's voters against their poll before anything is sent: in a weighted poll
 * every line carries a weight (none is taken as 1), in any other none does (the node would
 * refuse it, WEIGHT_NOT_ALLOWED). A poll without a roll is left to the node (NO_ROLL).
 * @throws RangeError naming the first line that does not fit.
 */
export function checkRollWeights(voters: readonly RollLine[], poll: RollPoll): void {
  if (!poll.roll) return;
  const misfit = voters.find((v) => (v.weight === undefined) === poll.weighted);
  if (misfit === undefined) return;
  const at = `line ${misfit.line}`;
  if (!poll.weighted)
    throw new RangeError(
      `${at}: a weight, but poll ${poll.id} is not weighted: list one voter id per line`,
    );
  const hint = OTHER_SEPARATOR_WEIGHT.test(misfit.written)
    ? '; separate the fields with commas'
    : '';
  throw new RangeError(
    `${at}: no weight: poll ${poll.id} is weighted, so every line is voterId,weight${hint}`,
  );
}

/** What `checkRollWeights` needs of a poll. */
export interface RollPoll {
  id: string;
  roll: boolean;
  weighted: boolean;
}

/**
 * Whether `pollId` has a roll and is weighted, asked of `target` (GET /polls/:pollId).
 * @throws TokenRequestError when the node refuses (404 POLL_NOT_FOUND) or does not answer.
 */
export async function rollPoll(
  o: Pick<SendRollOptions, 'target' | 'adminToken' | 'pollId'>,
): Promise<RollPoll> {
  const client = new VotestreamClient({ nodes: [o.target], adminToken: o.adminToken });
  try {
    const { poll } = await client.getPoll(o.pollId);
    return { id: poll.id, roll: poll.roll, weighted: poll.weighted };
  } catch (error) {
    if (!(error instanceof VotestreamError)) throw error;
    throw tokenRequestError(error);
  } finally {
    await client.close();
  }
}

/**
 * What a refusal of `sendRoll` means for the file: its message, and for a ROLL_CONFLICT the
 * file's lines (and ids as written) of the voters the node named by their index in the
 * request — in a secret poll the node knows them only by their tags.
 */
export function rollRefusal(error: TokenRequestError, voters: readonly RollLine[]): string {
  const conflicts = error.code === 'ROLL_CONFLICT' ? error.details.voters : undefined;
  if (!Array.isArray(conflicts)) return error.message;
  // The node lists them by shard; the file's reader wants them in its order.
  const named = conflicts
    .flatMap((c: { index?: unknown; onRoll?: unknown }) => {
      const voter = typeof c.index === 'number' ? voters[error.first + c.index] : undefined;
      return voter ? [{ voter, onRoll: c.onRoll }] : [];
    })
    .sort((a, b) => a.voter.line - b.voter.line);
  const lines = named.map(
    ({ voter, onRoll }) =>
      `line ${voter.line} (${JSON.stringify(voter.written)}): weight ${voter.weight ?? 1} in the file, ${onRoll} on the roll`,
  );
  return lines.length === 0 ? error.message : `${error.message}: ${lines.join('; ')}`;
}

/**
 * A roll line's fields: `voterId` or `voterId,weight`, comma-separated, each either bare or
 * quoted (RFC 4180: `"…"`, `""` for a quote; Excel quotes a field that holds a comma or a
 * quote, weights such as `"1,000"` included). Anything else is refused rather than guessed:
 * a third field (a name column, a trailing comma) would otherwise become part of an id, and a
 * roll entry can never be removed.
 * @throws RangeError naming the line: an unclosed quote, a quote inside a bare field, more
 *   than two fields, a bare id holding ";" (a semicolon CSV).
 */
function splitLine(line: string, at: string): [string, string | undefined] {
  const fields: { text: string; quoted: boolean }[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let text = '';
      let from = i + 1;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) throw new RangeError(`${at}: a quoted field is not closed`);
        text += line.slice(from, quote);
        if (line[quote + 1] !== '"') {
          i = quote + 1;
          break;
        }
        text += '"';
        from = quote + 2;
      }
      if (i < line.length && line[i] !== ',')
        throw new RangeError(`${at}: a comma must follow a quoted field`);
      fields.push({ text, quoted: true });
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const text = line.slice(i, end);
      if (text.includes('"'))
        throw new RangeError(
          `${at}: a quote inside a field that does not start with one: quote the whole field, with "" for a quote`,
        );
      fields.push({ text, quoted: false });
      i = end;
    }
    if (i >= line.length) break;
    i++; // past the comma: the next field may be empty (a trailing comma)
  }
  if (fields.length > 2)
    throw new RangeError(
      `${at}: ${fields.length} fields: a roll line is voterId or voterId,weight (quote an id that holds a comma)`,
    );
  const [id, weight] = fields as [{ text: string; quoted: boolean }, { text: string } | undefined];
  if (!id.quoted && id.text.includes(';'))
    throw new RangeError(
      `${at}: ${JSON.stringify(id.text)} holds ";": separate the fields with commas (voterId,weight), or quote an id that holds ";"`,
    );
  return [id.text, weight === undefined ? undefined : weight.text.trim()];
}

/** Where and what `sendRoll` sends: the voters, 1000 a request unless `chunk` says. */
export type SendRollOptions = VoterChunks<RollLine>;

/**
 * Adds `voters` to the roll of `pollId` through `target`, a chunk per request, and yields
 * each chunk's reply in order. Safe to run again: voters on the roll already with the same
 * weight are counted `unchanged`.
 * @throws TokenRequestError on the first refused request (earlier chunks were added); its
 *   `first` is the index in `voters` of that request's first voter (rollRefusal reads it).
 */
export async function* sendRoll(o: SendRollOptions): AsyncGenerator<RollReply> {
  const voters = o.voters.map(({ voterId, weight }) =>
    weight === undefined ? { voterId } : { voterId, weight },
  );
  yield* postVoterChunks<RollReply>('roll', { ...o, voters });
}
