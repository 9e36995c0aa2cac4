// One ballot from request to receipt: the poll's rules on this node, then the append.

import { checkBallot, isRefusal } from '../domain/poll-rules.ts';
import { ballotVoterId, hasRoll, isWeighted } from '../domain/roll.ts';
import { checkVoter } from '../domain/voter-token.ts';
import { VoteStreamError } from '../errors.ts';
import { newVoteIdFor, type Receipt, type VoteRequest } from '../log/append-vote.ts';
import type { CatalogueEntry } from '../log/poll-catalogue.ts';
import type { AppContext } from './context.ts';
import { idOrRefusal } from './normalized-ids.ts';

export interface Ballot {
  pollId: string;
  voterId: string;
  choices: string[];
  voteId?: string;
  /** The voter's token, for a `voterAuth: "token"` poll. Checked here, never appended. */
  token?: string;
}

export interface CastResult {
  /** 201 appended, 200 replayed (same voteId), or the refusal's status. */
  status: number;
  receipt?: Receipt;
  error?: VoteStreamError;
}

/** Casts one ballot. Refusals come back as results; storage faults are thrown (503). */
export async function castVote(ctx: AppContext, ballot: Ballot): Promise<CastResult> {
  const entry = ctx.catalogue.peek(ballot.pollId) ?? (await ctx.catalogue.get(ballot.pollId));
  const vote = prepareVote(entry, ballot, ctx.now(), ctx.config.voterSecret, ctx.target.shards);
  if (vote instanceof VoteStreamError) return refused(vote);
  const outcome = await ctx.appender.append(vote);
  if (outcome.status === 'refused') return refused(outcome.error);
  return { status: outcome.status === 'appended' ? 201 : 200, receipt: outcome.receipt };
}

/**
 * The vote to append for a ballot, or why the poll refuses it (checked on this node). Its ids
 * are their NFC forms (src/domain/identity.ts). The voter comes first: a ballot without a
 * valid token learns nothing about its choices.
 */
export function prepareVote(
  entry: CatalogueEntry | undefined,
  ballot: Ballot,
  now: number,
  voterSecret: string | undefined,
  shards: number,
): VoteRequest | VoteStreamError {
  // One spelling per id before anything depends on it: the shard, the token, the indexes.
  const normalized = idOrRefusal(ballot.voterId, 'voterId');
  if (normalized instanceof VoteStreamError) return normalized;
  const sentVoteId = ballot.voteId === undefined ? undefined : idOrRefusal(ballot.voteId, 'voteId');
  if (sentVoteId instanceof VoteStreamError) return sentVoteId;
  if (!entry) return new VoteStreamError('POLL_NOT_FOUND', `no poll ${ballot.pollId}`);
  const voter = checkVoter(entry.poll, normalized, ballot.token, voterSecret);
  if (voter) return new VoteStreamError(voter.code, voter.message, voter.details);
  const checked = checkBallot(entry.poll, ballot.choices, now, entry.closed);
  if (isRefusal(checked))
    return new VoteStreamError(checked.code, checked.message, checked.details);
  // The identity the shard, the one-vote index, the roll and the log key this voter by.
  const voterId = ballotVoterId(entry.poll, normalized);
  const voteId = sentVoteId ?? newVoteIdFor(ballot.pollId, voterId, shards);
  const roll = isWeighted(entry.poll) ? 'weighted' : hasRoll(entry.poll) ? 'roll' : undefined;
  return {
    voteId,
    pollId: ballot.pollId,
    voterId,
    choices: checked,
    revote: entry.poll.revote,
    at: now,
    ...(roll ? { roll } : {}),
  };
}

function refused(error: VoteStreamError): CastResult {
  return { status: error.status, error };
}
