// GET /polls/:pollId/results: the poll counted by its method, from this node's projection.
// Counts are cached per poll and scope, keyed by the poll's change marks in every shard: they
// are served again without counting until a ballot of this poll is committed (or, for a
// provisional count, cast); other polls' traffic does not invalidate them. Ranked polls are
// counted on a worker thread (result-counter.ts); plurality polls from the tally, in place.
// A sealed poll is not counted at all until it is final: it gets its turnout (sealedResult).
import type { FastifyInstance } from 'fastify';
import type { Poll } from '../domain/events.ts';
import type { ShardState } from '../domain/fold-state.ts';
import { type PollResult, pollResult, resultKey } from '../domain/poll-results.ts';
import type { ProfileScope } from '../domain/ranking-profile.ts';
import { isSealed, sealedResult } from '../domain/sealed-results.ts';
import { VoteStreamError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { resultsReply } from './reply-schemas.ts';
import { ResultCounter } from './result-counter.ts';
import { PARAM_CODES, replies } from './route-replies.ts';
import { pollIdParams } from './schemas.ts';

const resultsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { include: { enum: ['pending'] } },
} as const;

/**
 * The last result counted per poll and scope, with the change marks it counted. The entry holds
 * the promise, so requests that arrive while a count runs wait for that count instead of
 * starting another; a count that fails is forgotten and tried again by the next request.
 */
export class ResultCache {
  readonly #entries = new Map<string, { key: string; result: Promise<PollResult> }>();

  constructor(private readonly counter: ResultCounter) {}

  /** The result of `poll` at the shards' current position, counted only if it is new. */
  resultOf(poll: Poll, shards: readonly ShardState[], scope: ProfileScope): Promise<PollResult> {
    const slot = `${scope}\n${poll.id}`;
    const key = resultKey(poll.id, shards, scope);
    const cached = this.#entries.get(slot);
    if (cached?.key === key) return cached.result;
    // The key and the rankings counted are read together, synchronously: no fold step between.
    const result =
      poll.method === undefined
        ? Promise.resolve(pollResult(poll, shards, scope))
        : this.counter.count(poll, shards, scope);
    const entry = { key, result };
    this.#entries.set(slot, entry);
    result.catch(() => {
      if (this.#entries.get(slot) === entry) this.#entries.delete(slot);
    });
    return result;
  }
}

export function resultsRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const counter = new ResultCounter();
    const cache = new ResultCache(counter);
    app.addHook('onClose', () => counter.close());
    app.get<{ Params: { pollId: string }; Querystring: { include?: 'pending' } }>(
      '/polls/:pollId/results',
      {
        schema: {
          summary: 'A poll counted by its method',
          description:
            'Finalized ballots only, or every latest ballot with ?include=pending (provisional). A sealed poll shows its turnout only until it is final.',
          tags: ['polls'],
          params: pollIdParams,
          querystring: resultsQuery,
          response: replies({ 200: ['The result', resultsReply] }, [
            ...PARAM_CODES,
            'POLL_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
            'NOT_READY',
          ]),
        },
      },
      async (request) => {
        const { pollId } = request.params;
        const entry = await ctx.catalogue.get(pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
        const scope = request.query.include === 'pending' ? 'pending' : 'finalized';
        const states = ctx.projections.states;
        if (isSealed(entry.poll, states)) return sealedResult(entry.poll, states, scope);
        return cache.resultOf(entry.poll, states, scope);
      },
    );
  };
}
