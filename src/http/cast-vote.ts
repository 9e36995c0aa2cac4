// One ballot from request to receipt: the poll's rules on this node, then the append.

import { checkBallot, isRefusal } from '../domain/poll-rules.ts';
import { hasRoll, isWeighted } from '../domain/roll.ts';
import { checkVoter } from '../domain/voter-token.ts';
import { VoteStreamError } from '../errors.ts';
import { newVoteIdFor, type Receipt, type VoteRequest } from '../log/append-vote.ts';
import type { CatalogueEntry } from '../log/poll-catalogue.ts';
import type { Logger } from '../logger.ts';
import type { AppContext } from './context.ts';
import { idOrRefusal } from './normalized-ids.ts';
import { recordedVoterId } from './recorded-voter.ts';

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
  const { config, log } = ctx;
  const vote = prepareVote(entry, ballot, ctx.now(), config.voterSecret, ctx.target.shards, log);
  if (vote instanceof VoteStreamError) return refused(vote);
  const outcome = await ctx.appender.append(vote);
  if (outcome.status === 'refused') return refused(outcome.error);
  return { status: outcome.status === 'appended' ? 201 : 200, receipt: outcome.receipt };
}

/**
 * The vote to append for a ballot, or why the poll refuses it (checked on this node). Its ids
 * are their NFC forms (src/domain/identity.ts), and its voter is the one the poll's log records
 * (`recordedVoterId`: in a secret poll, the voter's tag). The voter comes first: a ballot
 * without a valid token learns nothing about its choices.
 */
export function prepareVote(
  entry: CatalogueEntry | undefined,
  ballot: Ballot,
  now: number,
  voterSecret: string | undefined,
  shards: number,
  log?: Logger,
): VoteRequest | VoteStreamError {
  // One spelling per id before anything depends on it: the shard, the token, the indexes.
  const sentVoter = idOrRefusal(ballot.voterId, 'voterId');
  if (sentVoter instanceof VoteStreamError) return sentVoter;
  const sentVoteId = ballot.voteId === undefined ? undefined : idOrRefusal(ballot.voteId, 'voteId');
  if (sentVoteId instanceof VoteStreamError) return sentVoteId;
  if (!entry) return new VoteStreamError('POLL_NOT_FOUND', `no poll ${ballot.pollId}`);
  const voterId = recordedVoterId(entry.poll, sentVoter, { voterSecret, log });
  if (voterId instanceof VoteStreamError) return voterId;
  const voter = checkVoter(entry.poll, voterId, ballot.token, voterSecret);
  if (voter) return new VoteStreamError(voter.code, voter.message, voter.details);
  const checked = checkBallot(entry.poll, ballot.choices, now, entry.closed);
  if (isRefusal(checked))
    return new VoteStreamError(checked.code, checked.message, checked.details);
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
