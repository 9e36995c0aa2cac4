// The return codes of the Lua scripts in streams/lua, named once (each script's header documents
// them), and the one place that says what a code means here: for the scripts a client's request
// runs, a refusal is an error of the table in src/errors.ts; for the leader's commit marker, a
// MarkResult. test/log/script-codes.test.ts holds these names to the scripts' headers.
import { type ErrorCode, VoteStreamError } from '../errors.ts';
import type { MarkResult } from './commit-marker.ts';

/** append-votes.lua, one code per vote. */
export const APPEND_VOTES = {
  appended: 1,
  /** The voteId is recorded with this content: its original receipt. */
  replayed: 0,
  pollClosed: -1,
  alreadyVoted: -2,
  /** The voteId is recorded in this shard with other content. */
  recordedOtherwise: -3,
  /** The voteId is claimed by a vote in another shard. */
  claimedElsewhere: -4,
  /** The poll has a roll and the voter is not on it. */
  notOnRoll: -5,
} as const;

/** add-to-roll-4.lua. */
export const ADD_TO_ROLL = {
  added: 1,
  pollClosed: -1,
  /** A voter of the request is on the roll already (another request added it meanwhile). */
  onRoll: -2,
} as const;

/** reserve-roll-weight-1.lua. */
export const RESERVE_ROLL_WEIGHT = { reserved: 1, tooHeavy: -1 } as const;

/** claim-vote-ids-2.lua, one code per voteId. */
export const CLAIM_VOTE_IDS = {
  claimed: 1,
  /** Claimed before by this same vote (a retry). */
  claimedBefore: 0,
  /** Claimed by another vote, or recorded in the claim shard. */
  taken: -1,
} as const;

/** create-poll-2.lua. */
export const CREATE_POLL = { created: 1, identical: 0, exists: -1 } as const;

/** close-poll-3.lua. */
export const CLOSE_POLL = { closed: 1, alreadyClosed: 0, notFound: -1 } as const;

/** close-shard-3.lua. */
export const CLOSE_SHARD = { appended: 1, alreadyThere: 0 } as const;

/** mark-commit-3.lua. */
export const MARK_COMMIT = {
  marked: 1,
  unchanged: 0,
  fenced: -1,
  beyondHead: -2,
  hashMismatch: -3,
} as const;

/** acquire-lease-3.lua. */
export const ACQUIRE_LEASE = { acquired: 1, held: 0 } as const;

/** renew-lease-1.lua. */
export const RENEW_LEASE = { renewed: 1, lost: 0 } as const;

/** release-lease-2.lua. */
export const RELEASE_LEASE = { released: 1, notHolder: 0 } as const;

/** The codes of one script: the union of its code object's values. */
export type CodeOf<Codes> = Codes[keyof Codes];

/** Per script that a client's request runs: its refusals, as codes of the error table. */
const REFUSALS = {
  appendVotes: {
    [APPEND_VOTES.pollClosed]: 'POLL_CLOSED',
    [APPEND_VOTES.alreadyVoted]: 'ALREADY_VOTED',
    [APPEND_VOTES.recordedOtherwise]: 'VOTE_ID_CONFLICT',
    [APPEND_VOTES.claimedElsewhere]: 'VOTE_ID_CONFLICT',
    [APPEND_VOTES.notOnRoll]: 'NOT_ON_ROLL',
  },
  claimVoteIds: { [CLAIM_VOTE_IDS.taken]: 'VOTE_ID_CONFLICT' },
  createPoll: { [CREATE_POLL.exists]: 'POLL_EXISTS' },
  closePoll: { [CLOSE_POLL.notFound]: 'POLL_NOT_FOUND' },
} as const satisfies Record<string, Record<number, ErrorCode>>;

/** The scripts whose refusals a client sees. */
export type RefusingScript = keyof typeof REFUSALS;

/**
 * The error a client gets when `script` answers `code`, or undefined when `code` is no refusal
 * (the script did its work, or found it done). `details` and `message` go into the error;
 * without `message` it is the error table's.
 */
export function scriptRefusal(
  script: RefusingScript,
  code: number,
  details?: Record<string, unknown>,
  message?: string,
): VoteStreamError | undefined {
  const refusals: Partial<Record<number, ErrorCode>> = REFUSALS[script];
  const error = refusals[code];
  return error === undefined ? undefined : new VoteStreamError(error, message, details);
}

/**
 * A script's `{ code, detail }` reply (create-poll, close-poll, close-shard, mark-commit), as
 * a pipeline hands it over: untyped, so checked here. `detail` is absent when the script
 * returned the code alone.
 * @throws Error when `reply` is not a table that starts with an integer code.
 */
export function codedReply(reply: unknown): { code: number; detail: unknown } {
  const coded = readCoded(reply);
  if (!coded) throw new Error(`a script replied ${JSON.stringify(reply)}, not { code, detail }`);
  return coded;
}

function readCoded(reply: unknown): { code: number; detail: unknown } | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [code, detail]: unknown[] = reply;
  return typeof code === 'number' && Number.isInteger(code) ? { code, detail } : undefined;
}

/**
 * What mark-commit-3.lua's reply says to the leader; an Error for a reply the script does not
 * give (nothing was learned: the committer tries again).
 */
export function markCommitResult(reply: unknown): MarkResult | Error {
  const coded = readCoded(reply);
  if (!coded) return new Error(`mark-commit replied ${JSON.stringify(reply)}`);
  const { code, detail } = coded;
  switch (code) {
    case MARK_COMMIT.marked:
      return { status: 'marked', entryId: String(detail) };
    case MARK_COMMIT.unchanged:
      return { status: 'unchanged', committed: Number(detail) };
    case MARK_COMMIT.fenced:
      return { status: 'fenced', fence: Number(detail) };
    case MARK_COMMIT.beyondHead:
      return { status: 'beyond-head', headSeq: Number(detail) };
    case MARK_COMMIT.hashMismatch:
      return { status: 'hash-mismatch', headHash: String(detail) };
    default:
      return new Error(`mark-commit replied with the unknown code ${code}`);
  }
}

/**
 * A code as the scripts that answer many votes at once write it (one field of a space-separated
 * string); NaN for a field that is not an integer, which is no code of any script.
 */
export function parseCode(field: string): number {
  return /^-?\d+$/.test(field) ? Number(field) : Number.NaN;
}
