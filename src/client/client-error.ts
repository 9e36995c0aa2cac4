// The one error the client throws: what a node refused (its status and stable code), or why no
// node answered. The server's codes are in src/errors.ts; the client adds three of its own.
import type { ErrorCode } from '../errors.ts';

/**
 * Codes the client itself gives:
 * - `NETWORK_ERROR`: no node answered (status 0) within the retry policy;
 * - `VOTE_OUTCOME_UNKNOWN`: a vote sent without a voteId (`voteIds: 'server'`) may have
 *   reached a node, which did not answer: it may or may not be recorded, and without its
 *   voteId it cannot be retried safely (status 0). Look the voter up, or cast with voteIds;
 * - `BAD_REPLY`: a node answered with a body that is not the API's JSON (a proxy's page).
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'VOTE_OUTCOME_UNKNOWN' | 'BAD_REPLY';

/** Every code a VotestreamError can carry: the API's (src/errors.ts) and the client's. */
export type VotestreamErrorCode = ErrorCode | ClientErrorCode;

/** A refused or failed call. `code` is the API's stable code (src/errors.ts) or a client code. */
export class VotestreamError extends Error {
  override name = 'VotestreamError';
  /** The HTTP status; 0 when no node answered. */
  readonly status: number;
  /** The stable code: the API's (`ALREADY_VOTED`, `STORAGE_UNAVAILABLE`, …) or a client code. */
  readonly code: VotestreamErrorCode;
  /** The error's other fields from the API (`field`, `voteId`, `voters`, …). */
  readonly details: Record<string, unknown>;
  /** Base URL of the node that answered (or last failed to). */
  readonly node: string;
  /** Retry-After of the answer, in seconds, when it had one. */
  readonly retryAfterS: number | undefined;

  constructor(o: {
    status: number;
    code: VotestreamErrorCode;
    message: string;
    node: string;
    details?: Record<string, unknown>;
    retryAfterS?: number | undefined;
    cause?: unknown;
  }) {
    super(o.message, o.cause === undefined ? undefined : { cause: o.cause });
    this.status = o.status;
    this.code = o.code;
    this.node = o.node;
    this.details = o.details ?? {};
    this.retryAfterS = o.retryAfterS;
  }
}

/**
 * The error of an API error body `{"error":{"code","message",…}}`; a body of another shape is
 * `BAD_REPLY` with the start of what was sent.
 */
export function errorOfReply(
  status: number,
  body: unknown,
  node: string,
  retryAfterS?: number,
): VotestreamError {
  const error = (body as { error?: unknown } | null)?.error as
    | ({ code?: unknown; message?: unknown } & Record<string, unknown>)
    | undefined;
  if (error && typeof error.code === 'string') {
    const { code, message, ...details } = error;
    return new VotestreamError({
      status,
      // The API's codes (its error body's schema enumerates them); a code this client does not
      // know (a newer node's) is passed on as sent rather than hidden.
      code: code as ErrorCode,
      message: typeof message === 'string' ? message : code,
      node,
      details,
      retryAfterS,
    });
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new VotestreamError({
    status,
    code: 'BAD_REPLY',
    message: `${status} ${String(text).slice(0, 200)}`,
    node,
    retryAfterS,
  });
}
