// One table of coded errors. Codes are stable: clients and tests depend on them.

export const ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the schema' },
  UNAUTHORIZED: { status: 401, message: 'An admin bearer token is required' },
  FORBIDDEN: { status: 403, message: 'The token is not valid for this action' },
  VOTER_TOKEN_REQUIRED: { status: 403, message: 'This poll requires a voter token' },
  VOTER_TOKEN_INVALID: { status: 403, message: 'The voter token is not valid for this vote' },
  NOT_ON_ROLL: { status: 403, message: 'The voter is not on the roll of this poll' },
  NOT_FOUND: { status: 404, message: 'No such route' },
  POLL_NOT_FOUND: { status: 404, message: 'No such poll' },
  VOTE_NOT_FOUND: { status: 404, message: 'No such vote' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  ALREADY_VOTED: { status: 409, message: 'This voter has already voted in this poll' },
  POLL_EXISTS: { status: 409, message: 'A different poll with this id exists' },
  POLL_CLOSED: { status: 409, message: 'The poll is closed' },
  POLL_NOT_OPEN: { status: 409, message: 'The poll is not open yet' },
  VOTE_ID_CONFLICT: { status: 409, message: 'This voteId was used for a different vote' },
  // 409, not 5xx: this node's configuration (no VS_VOTER_SECRET) conflicts with the request,
  // and retrying the same node cannot help; a node configured with the secret succeeds.
  VOTER_AUTH_UNAVAILABLE: {
    status: 409,
    message: 'Voter tokens are not configured on this node (VS_VOTER_SECRET)',
  },
  VOTER_AUTH_OPEN: { status: 409, message: 'This poll is open to every voter: it uses no tokens' },
  NO_ROLL: {
    status: 409,
    message: 'This poll was created without a roll: any voter may vote in it',
  },
  ROLL_CONFLICT: {
    status: 409,
    message: 'A voter is on the roll already with another weight; roll entries never change',
  },
  // 409 like VOTER_AUTH_UNAVAILABLE: a node without VS_VOTER_SECRET cannot tag voters.
  SECRET_BALLOT_UNAVAILABLE: {
    status: 409,
    message: 'Secret ballots are not configured on this node (VS_VOTER_SECRET)',
  },
  BALLOT_SECRET: {
    status: 403,
    message: 'This poll is secret: a ballot is found by its receipt, not by its voter',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is too large' },
  URI_TOO_LONG: { status: 414, message: 'A path parameter is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The body must be application/json' },
  UNKNOWN_OPTION: { status: 422, message: 'A choice is not an option of this poll' },
  DUPLICATE_CHOICE: { status: 422, message: 'A choice appears more than once' },
  TOO_MANY_CHOICES: { status: 422, message: 'More choices than the poll allows' },
  DUPLICATE_VOTER: { status: 422, message: 'A voter appears more than once in the request' },
  WEIGHT_NOT_ALLOWED: {
    status: 422,
    message: 'This poll is not weighted: its voters have no weight',
  },
  ROLL_TOO_HEAVY: {
    status: 422,
    message: 'The roll would weigh more than 2^53 − 1 in total',
  },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, message: 'Internal error' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'The log is unavailable; retry later' },
  NOT_DURABLE: {
    status: 503,
    message: 'The write was not confirmed by a replica in time; retry with the same voteId',
  },
  NOT_READY: { status: 503, message: 'The node is not ready' },
  OVERLOADED: { status: 503, message: 'The node is overloaded; retry later' },
  // 503: this node's VS_VOTER_SECRET differs from the one the secret poll was created with;
  // another node (or this one, once configured like the others) can take the vote.
  VOTER_SECRET_MISMATCH: {
    status: 503,
    message: "This node's voter secret is not the poll's; retry on another node",
  },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code; the HTTP layer turns it into `{"error":{"code","message",…}}`. */
export class VoteStreamError extends Error {
  override name = 'VoteStreamError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds a client should wait before retrying (503, 429). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
  ) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
    this.retryAfter = retryAfter ?? (this.status === 503 ? 1 : undefined);
  }
}

export function voteStreamError(
  code: ErrorCode,
  message?: string,
  details?: Record<string, unknown>,
): VoteStreamError {
  return new VoteStreamError(code, message, details);
}
