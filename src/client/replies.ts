// What the routes answer, as the client reads it: each type is json-schema-to-ts' FromSchema of
// the reply schema the route documents (src/http/reply-schemas.ts, the OpenAPI document's
// source), and the contract test checks every reply the test suite receives against those
// schemas, so the client's types cannot drift from what nodes send. Type imports only: nothing
// of the server is loaded. Every reply type lives in this one file.
import type { FromSchema } from 'json-schema-to-ts';
import type { ErrorCode } from '../errors.ts';
import type {
  batchReply,
  closeReply,
  clusterReply,
  digestsReply,
  errorReply,
  healthReply,
  membersReply,
  participationReply,
  poll,
  pollReply,
  pollsReply,
  receipt,
  receiptReply,
  resultsReply,
  rollReply,
  tallyReply,
  tokensReply,
  voteLookupReply,
  voterVoteReply,
} from '../http/reply-schemas.ts';

/** A vote's receipt: where it is in the log (POST /votes, /votes/batch, GET /votes/:voteId). */
export type Receipt = FromSchema<typeof receipt>;

/** A poll as the API shows it: its definition, times as ISO strings, and `status`. */
export type PollView = FromSchema<typeof poll>;

/** POST /polls (201 created, 200 the same poll again), GET /polls/:pollId. */
export type PollReply = FromSchema<typeof pollReply>;

/** GET /polls. */
export type PollsReply = FromSchema<typeof pollsReply>;

/** POST /polls/:pollId/close: `barriers`, per shard, the seq of its PollClosed barrier. */
export type CloseReply = FromSchema<typeof closeReply>;

/** POST /votes: 201 appended, 200 the same vote again (its original receipt). */
export type CastReply = FromSchema<typeof receiptReply>;

/** The error body of every 4xx and 5xx. `code` is one of the API's stable codes. */
export type ErrorReply = FromSchema<typeof errorReply>;

/** An API error code (src/errors.ts): the literal union, not `string`. */
export type ApiErrorCode = ErrorCode;

/** POST /votes/batch: one item per vote, in request order, with a receipt or an `error`. */
export type BatchReply = FromSchema<typeof batchReply>;

/** One item of POST /votes/batch's `results`. */
export type BatchItemReply = BatchReply['results'][number];

/** GET /votes/:voteId: the receipt and what became of the vote on the node asked. */
export type VoteLookupReply = FromSchema<typeof voteLookupReply>;

/** GET /polls/:pollId/tally (and each SSE `tally` event): sealed polls show turnout only. */
export type TallyReply = FromSchema<typeof tallyReply>;

/** GET /polls/:pollId/voters/:voterId. */
export type VoterVoteReply = FromSchema<typeof voterVoteReply>;

/** GET /polls/:pollId/results[?include=pending]: the count's fields follow `method`. */
export type ResultsReply = FromSchema<typeof resultsReply>;

/** POST /polls/:pollId/tokens. */
export type TokensReply = FromSchema<typeof tokensReply>;

/** POST /polls/:pollId/roll. */
export type RollReply = FromSchema<typeof rollReply>;

/** POST /polls/:pollId/participation. */
export type ParticipationReply = FromSchema<typeof participationReply>;

/** GET /cluster. */
export type ClusterReply = FromSchema<typeof clusterReply>;

/** GET /cluster/digests: this node's fold per shard. */
export type DigestsReply = FromSchema<typeof digestsReply>;

/** POST /cluster/members. */
export type MembersReply = FromSchema<typeof membersReply>;

/** GET /health (200 ready; 503 unavailable, which the client reports without throwing). */
export type HealthReply = FromSchema<typeof healthReply>;
