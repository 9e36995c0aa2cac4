// Voter tokens from a node's admin endpoint, for `votestream tokens`. The tool holds only the
// admin token: the voter secret stays in the nodes' configuration.
import { readFileSync } from 'node:fs';
import { type RollVoter, VotestreamClient, VotestreamError } from '../client/index.ts';
import { isIdRefusal, normalizeId } from '../domain/identity.ts';
import { readProblem } from './read-problem.ts';

/** One voter's token, as the node issued it. */
export interface IssuedToken {
  voterId: string;
  token: string;
}

/** Where and which voter ids `issueTokens` asks for: 1000 a request unless `chunk` says. */
export type IssueTokensOptions = VoterChunks<string>;

/** A node refused the request; carries the API's error code when there was one. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  readonly status: number;
  readonly code: string | undefined;
  /** The error's other fields from the API (`voters`, `field`, …). */
  readonly details: Record<string, unknown>;
  /** Index in the voters sent of the refused request's first voter: its `voters.0`. */
  readonly first: number;

  constructor(
    status: number,
    code: string | undefined,
    message: string,
    details: Record<string, unknown> = {},
    first = 0,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.first = first;
  }
}

/** The client's error as a TokenRequestError; `first`: see TokenRequestError. */
export function tokenRequestError(error: VotestreamError, first = 0): TokenRequestError {
  const answered = error.code !== 'BAD_REPLY' && error.status !== 0;
  return new TokenRequestError(
    error.status,
    answered ? error.code : undefined,
    answered ? `${error.status} ${error.code}: ${error.message}` : error.message,
    error.details,
    first,
  );
}

/**
 * `target: message` for the CLI's one error line, unless the message names the target
 * already: a failed connection's does ("http://…:3999: connect ECONNREFUSED"), and the line
 * said the URL twice.
 */
export function withTarget(target: string, message: string): string {
  return message.startsWith(target) ? message : `${target}: ${message}`;
}

/**
 * The text of a voters file (`-`: standard input), for parseVoterIds or parseRoll.
 * @throws RangeError `cannot read <file>: <why>` for a file that is missing, a directory or
 *   unreadable, so the CLI prints one line rather than Node's stack trace.
 */
export function readVotersFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw readProblem(file, error);
  }
}

/**
 * `text` without one byte-order mark (U+FEFF) at its very start, as Excel's "CSV UTF-8" writes
 * it; one anywhere else stays (and is refused in an id: it is invisible).
 */
export function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * The voter ids of a voters file: one per line, under the API's identity policy
 * (src/domain/identity.ts) — in their NFC form, which the tokens are issued for; a CR before
 * the newline is dropped, empty lines skipped, a first line `voterId` (a header) skipped, a
 * byte-order mark at the start of the text dropped (one anywhere else is an invisible
 * character in an id, refused).
 * @throws RangeError naming the first line that is not a voter id, and why.
 */
export function parseVoterIds(text: string): string[] {
  const voters: string[] = [];
  const lines = withoutBom(text).split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Empty lines, and a header naming the column (`voterId`, as a roll file's).
    if (line === '' || (i === 0 && /^"?voterId"?$/i.test(line))) continue;
    const voterId = normalizeId(line);
    if (isIdRefusal(voterId))
      throw new RangeError(`line ${i + 1}: not a voter id: it ${voterId.message}`);
    voters.push(voterId);
  }
  return voters;
}

/**
 * Asks `target` for the tokens of `voters` in poll `pollId`, a chunk per request; yields each
 * chunk's tokens in order as it arrives, so a long list is printed while it is issued.
 * @throws TokenRequestError on the first refused request (earlier chunks were yielded).
 */
export async function* issueTokens(o: IssueTokensOptions): AsyncGenerator<IssuedToken[]> {
  for await (const reply of postVoterChunks<{ tokens: IssuedToken[] }>('tokens', o))
    yield reply.tokens;
}

/** What an admin route of a poll that takes `{voters:[…]}` in chunks is sent. */
export interface VoterChunks<V> {
  /** Base URL of a node, e.g. http://127.0.0.1:3001. */
  target: string;
  adminToken: string;
  pollId: string;
  voters: readonly V[];
  /** Voters per request; the admin routes take at most 1000. */
  chunk?: number;
}

/**
 * POSTs `{voters}` to `/polls/:pollId/<route>` (admin) a chunk at a time through the client
 * (src/client/: 503s and lost connections are retried; both routes are idempotent) and yields
 * each reply's JSON body, in order (`votestream tokens`, `votestream roll`).
 * @throws TokenRequestError on the first refused request (earlier chunks were sent); its
 *   `first` is the index in `o.voters` of that request's first voter.
 */
export async function* postVoterChunks<R, V = unknown>(
  route: 'tokens' | 'roll',
  o: VoterChunks<V>,
): AsyncGenerator<R> {
  const chunk = o.chunk ?? 1000;
  const client = new VotestreamClient({ nodes: [o.target], adminToken: o.adminToken });
  try {
    for (let start = 0; start < o.voters.length; start += chunk) {
      const voters = o.voters.slice(start, start + chunk);
      try {
        yield (await (route === 'tokens'
          ? client.issueTokens(o.pollId, voters as string[])
          : client.addToRoll(o.pollId, voters as RollVoter[]))) as R;
      } catch (error) {
        if (!(error instanceof VotestreamError)) throw error;
        throw tokenRequestError(error, start);
      }
    }
  } finally {
    // Also when the caller stops iterating early (return() runs this finally).
    await client.close();
  }
}
