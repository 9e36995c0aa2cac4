// What the routes answer, as the client reads it. TO BE REPLACED by `FromSchema` of the reply
// schemas in src/http/reply-schemas.ts once they land (another part of issue 18 writes them for
// OpenAPI): until then each type below is taken from the type the route itself sends (type
// imports only: nothing of the server is loaded), so they cannot drift from the code either.
// Keep every reply type in this one file so that the swap touches nothing else.
import type { ClusterStatus } from '../cluster/cluster-status.ts';
import type { VoterVote } from '../domain/fold-lookup.ts';
import type { PollResult } from '../domain/poll-results.ts';
import type { SealedResult, SealedTally, SealedVoterVote } from '../domain/sealed-results.ts';
import type { PollTally } from '../domain/tally.ts';
import type { present } from '../http/poll-routes.ts';
import type { PresentedStatus } from '../http/vote-status.ts';
import type { Receipt as LogReceipt } from '../log/append-vote.ts';
import type { RollChange } from '../log/roll-store.ts';

/** A vote's receipt: where it is in the log (POST /votes, /votes/batch, GET /votes/:voteId). */
export type Receipt = LogReceipt;

/** A poll as the API shows it: its definition, times as ISO strings, and `status`. */
export type PollView = Omit<ReturnType<typeof present>, 'status'> & {
  status: 'scheduled' | 'open' | 'closed' | 'final';
};

/** POST /polls (201 created, 200 the same poll again), GET /polls/:pollId. */
export interface PollReply {
  poll: PollView;
}

/** GET /polls. */
export interface PollsReply {
  polls: PollView[];
}

/** POST /polls/:pollId/close. */
export interface CloseReply {
  poll: PollView;
  alreadyClosed: boolean;
  /** Per shard: the seq of its PollClosed barrier. */
  barriers: { shard: number; seq: number }[];
}

/** POST /votes: 201 appended, 200 the same vote again (its original receipt). */
export interface CastReply {
  receipt: Receipt;
}

/** One item of POST /votes/batch's `results`, in request order. */
export type BatchItemReply =
  | { status: number; receipt: Receipt }
  | { status: number; error: { code: string; message: string; [detail: string]: unknown } };

/** POST /votes/batch. */
export interface BatchReply {
  results: BatchItemReply[];
}

/** GET /votes/:voteId: the receipt and what became of the vote on the node asked. */
export interface VoteLookupReply {
  receipt: Receipt;
  status: PresentedStatus;
  /** Whether the node asked has folded the vote yet (its status is `pending` until then). */
  folded: boolean;
}

/** GET /polls/:pollId/tally (and each SSE `tally` event): sealed polls show turnout only. */
export type TallyReply = PollTally | SealedTally;

/** GET /polls/:pollId/voters/:voterId. */
export interface VoterVoteReply {
  vote: (VoterVote | SealedVoterVote) & { shard: number };
}

/** GET /polls/:pollId/results[?include=pending]. */
export type ResultsReply = PollResult | SealedResult;

/** POST /polls/:pollId/tokens. */
export interface TokensReply {
  pollId: string;
  tokens: { voterId: string; token: string }[];
}

/** POST /polls/:pollId/roll. */
export type RollReply = { pollId: string } & Pick<
  RollChange,
  'added' | 'weight' | 'unchanged' | 'commitments'
>;

/** POST /polls/:pollId/participation. */
export interface ParticipationReply {
  voted: string[];
  notVoted: string[];
}

/** GET /cluster. */
export type ClusterReply = ClusterStatus;

/** GET /cluster/digests: this node's fold per shard. */
export interface DigestsReply {
  nodeId: string;
  shards: {
    shard: number;
    appliedSeq: number;
    committedSeq: number;
    headHash: string;
    digest: string;
  }[];
}

/** POST /cluster/members. */
export interface MembersReply {
  members: string[];
}

/** GET /health (200 ready; 503 unavailable, which the client reports without throwing). */
export interface HealthReply {
  status: 'ready' | 'unavailable';
  nodeId: string;
  durability: 'replica' | 'local';
}
