// votestream/client: a typed client of the HTTP API (README.md, "Client").
export {
  type BatchOutcome,
  type CallOptions,
  type Cast,
  type CastOptions,
  type ClientOptions,
  type RetryNotice,
  type TallyEvent,
  type VoteIdSource,
  VotestreamClient,
} from './client.ts';
export {
  type ClientErrorCode,
  VotestreamError,
  type VotestreamErrorCode,
} from './client-error.ts';
export type * from './replies.ts';
export type * from './requests.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry-policy.ts';
export { BATCH_BODY_BYTES, VOTE_BATCH_LIMITS } from './vote-batches.ts';
