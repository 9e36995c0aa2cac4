// One ballot from request to receipt: the poll's rules on this node, then the append.
import { v7 as uuidv7 } from 'uuid';
import { checkBallot, isRefusal } from '../domain/poll-rules.ts';
import { VoteStreamError } from '../errors.ts';
import type { Receipt } from '../log/append-vote.ts';
import type { AppContext } from './context.ts';

export interface Ballot {
  pollId: string;
  voterId: string;
  choices: string[];
  voteId?: string;
}

export interface CastResult {
  /** 201 appended, 200 replayed (same voteId), or the refusal's status. */
  status: number;
  receipt?: Receipt;
  error?: VoteStreamError;
}

/** Casts one ballot. Refusals come back as results; storage faults are thrown (503). */
export async function castVote(ctx: AppContext, ballot: Ballot): Promise<CastResult> {
  const entry = await ctx.catalogue.get(ballot.pollId);
  if (!entry) return refused(new VoteStreamError('POLL_NOT_FOUND', `no poll ${ballot.pollId}`));
  const checked = checkBallot(entry.poll, ballot.choices, ctx.now(), entry.closed);
  if (isRefusal(checked))
    return refused(new VoteStreamError(checked.code, checked.message, checked.details));
  const outcome = await ctx.appender.append({
    voteId: ballot.voteId ?? uuidv7(),
    pollId: ballot.pollId,
    voterId: ballot.voterId,
    choices: checked,
    revote: entry.poll.revote,
    at: ctx.now(),
  });
  if (outcome.status === 'refused') return refused(outcome.error);
  return { status: outcome.status === 'appended' ? 201 : 200, receipt: outcome.receipt };
}

function refused(error: VoteStreamError): CastResult {
  return { status: error.status, error };
}
