// Many ballots from one request to one result each. Every ballot is checked on its own (one
// bad vote does not sink the batch); the good ones go to the appender together, behind one
// promise, so a batch costs one settle per vote instead of a promise chain per vote.
import { Ajv } from 'ajv';
import { VoteStreamError } from '../errors.ts';
import type { BatchOutcome, Receipt, VoteRequest } from '../log/append-vote.ts';
import { type Ballot, prepareVote } from './cast-vote.ts';
import type { AppContext } from './context.ts';
import { toVoteStreamError } from './error-handler.ts';
import { addInputKeywords } from './input-keywords.ts';
import { voteBody } from './schemas.ts';

/** One item of a batch reply: a receipt, or the error this vote alone ran into. */
export type BatchResult =
  | { status: number; receipt: Receipt }
  | { status: number; error: { code: string; message: string; [detail: string]: unknown } };

const validateBallot = addInputKeywords(new Ajv({ allErrors: false })).compile<Ballot>(voteBody);

/** Casts the ballots of a batch; results are in request order. Never rejects. */
export async function castBatch(
  ctx: AppContext,
  items: readonly unknown[],
): Promise<BatchResult[]> {
  const results = new Array<BatchResult>(items.length);
  const votes: VoteRequest[] = [];
  /** Where each vote of `votes` came from in `items`. */
  const positions: number[] = [];
  const now = ctx.now();
  const { voterSecret } = ctx.config;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!validateBallot(item)) {
      results[i] = failed(invalidItem(i));
      continue;
    }
    let entry = ctx.catalogue.peek(item.pollId);
    if (!entry) {
      try {
        entry = await ctx.catalogue.get(item.pollId);
      } catch (error) {
        results[i] = failed(toVoteStreamError(error) ?? new VoteStreamError('STORAGE_UNAVAILABLE'));
        continue;
      }
    }
    const vote = prepareVote(entry, item, now, voterSecret, ctx.target.shards, ctx.log);
    if (vote instanceof VoteStreamError) {
      results[i] = failed(vote);
      continue;
    }
    votes.push(vote);
    positions.push(i);
  }
  // A voteId used twice in one batch: the later use goes in a later round, once the earlier
  // one is settled, so the first in request order decides (sent together, a later vote that
  // needs a claim of its own would be claimed before the earlier one's append, and win).
  for (const round of voteIdRounds(votes)) {
    const outcomes = await ctx.appender.appendAll(round.map((k) => votes[k]!));
    round.forEach((k, j) => {
      results[positions[k]!] = present(outcomes[j]!);
    });
  }
  return results;
}

/**
 * Splits votes (by index) into rounds in which no voteId repeats: a vote goes in round n when n
 * earlier votes of the batch carry its voteId. Each round keeps request order.
 */
export function voteIdRounds(votes: readonly { voteId: string }[]): number[][] {
  const seen = new Map<string, number>();
  const rounds: number[][] = [];
  votes.forEach((vote, k) => {
    const round = seen.get(vote.voteId) ?? 0;
    seen.set(vote.voteId, round + 1);
    const members = rounds[round] ?? [];
    members.push(k);
    rounds[round] = members;
  });
  return rounds;
}

function present(outcome: BatchOutcome): BatchResult {
  switch (outcome.status) {
    case 'appended':
      return { status: 201, receipt: outcome.receipt };
    case 'replayed':
      return { status: 200, receipt: outcome.receipt };
    default:
      return failed(outcome.error);
  }
}

function failed({ status, code, message, details }: VoteStreamError): BatchResult {
  return { status, error: { code, message, ...(details ?? {}) } };
}

/** The first schema error of item `index`, named by its place in the batch. */
function invalidItem(index: number): VoteStreamError {
  const first = validateBallot.errors?.[0];
  const field = [
    first?.instancePath.replace(/^\//, ''),
    first?.params.missingProperty ?? first?.params.additionalProperty,
  ]
    .filter(Boolean)
    .join('.');
  return new VoteStreamError(
    'VALIDATION_FAILED',
    `votes[${index}]${first?.instancePath.replaceAll('/', '.') ?? ''} ${first?.message ?? 'is invalid'}`,
    { field: `votes[${index}]${field ? `.${field}` : ''}` },
  );
}
