// Reading the projection: a poll's tally, a voter's counted vote, and the live tally (SSE);
// for a sealed poll, without any per-option figure or choice (src/domain/sealed-results.ts).
import type { FastifyInstance } from 'fastify';
import { voterVote } from '../domain/fold-lookup.ts';
import { isSealed, sealVoterVote } from '../domain/sealed-results.ts';
import { shardOf } from '../domain/shard-of.ts';
import { secrecyOf } from '../domain/voter-tag.ts';
import { VoteStreamError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { normalizedId } from './normalized-ids.ts';
import { pollIdParams, voterParams } from './schemas.ts';
import type { TallyStream } from './tally-stream.ts';

export function tallyRoutes(ctx: AppContext, stream: TallyStream) {
  return async (app: FastifyInstance) => {
    const requirePoll = async (pollId: string) => {
      const entry = await ctx.catalogue.get(pollId);
      if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
      return entry;
    };

    app.get<{ Params: { pollId: string } }>(
      '/polls/:pollId/tally',
      { schema: { params: pollIdParams } },
      async (request) => {
        await requirePoll(request.params.pollId);
        return stream.tally(request.params.pollId);
      },
    );

    app.get<{ Params: { pollId: string; voterId: string } }>(
      '/polls/:pollId/voters/:voterId',
      { schema: { params: voterParams } },
      async (request) => {
        const { pollId } = request.params;
        const voterId = normalizedId(request.params.voterId, 'voterId');
        const entry = await requirePoll(pollId);
        // Whatever the voter id: an answer (even a 404) would tell anyone who voted and how.
        if (secrecyOf(entry.poll) === 'pseudonymous')
          throw new VoteStreamError(
            'BALLOT_SECRET',
            `poll ${pollId} is secret: a voter finds their ballot by its receipt (GET /votes/:voteId)`,
          );
        const shard = shardOf(pollId, voterId, ctx.config.shards);
        const state = ctx.projections.states[shard];
        const vote = state && voterVote(state, pollId, voterId);
        if (!vote)
          throw new VoteStreamError(
            'VOTE_NOT_FOUND',
            `voter ${voterId} has no counted vote in poll ${pollId}`,
          );
        // Anyone may ask for any voter id: a sealed poll's choices would add up to its results.
        const shown = isSealed(entry.poll, ctx.projections.states) ? sealVoterVote(vote) : vote;
        return { vote: { ...shown, shard } };
      },
    );

    app.get<{ Params: { pollId: string } }>(
      '/polls/:pollId/events',
      { schema: { params: pollIdParams } },
      async (request, reply) => {
        await requirePoll(request.params.pollId);
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const lastEventId = request.headers['last-event-id'];
        stream.subscribe(
          request.params.pollId,
          reply.raw,
          typeof lastEventId === 'string' ? lastEventId : undefined,
        );
      },
    );
  };
}
