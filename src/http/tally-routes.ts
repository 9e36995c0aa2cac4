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
import { tallyReply, voterVoteReply } from './reply-schemas.ts';
import { PARAM_CODES, replies } from './route-replies.ts';
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
      {
        schema: {
          summary: "A poll's tally on this node",
          description: 'A sealed poll (results: afterClose, not final yet) shows its turnout only.',
          tags: ['polls'],
          params: pollIdParams,
          response: replies({ 200: ['The tally', tallyReply] }, [
            ...PARAM_CODES,
            'POLL_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
          ]),
        },
      },
      async (request) => {
        await requirePoll(request.params.pollId);
        return stream.tally(request.params.pollId);
      },
    );

    app.get<{ Params: { pollId: string; voterId: string } }>(
      '/polls/:pollId/voters/:voterId',
      {
        schema: {
          summary: "A voter's counted vote",
          tags: ['polls'],
          params: voterParams,
          response: replies({ 200: ['The vote', voterVoteReply] }, [
            ...PARAM_CODES,
            'POLL_NOT_FOUND',
            'VOTE_NOT_FOUND',
            'BALLOT_SECRET',
            'STORAGE_UNAVAILABLE',
          ]),
        },
      },
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
      {
        schema: {
          summary: 'The live tally (Server-Sent Events)',
          description:
            'Each `tally` event carries the whole tally (as GET /polls/:pollId/tally) and its version as id; send Last-Event-ID to resume.',
          tags: ['polls'],
          params: pollIdParams,
          response: replies(
            {
              200: [
                'An endless event stream',
                { content: { 'text/event-stream': { schema: { type: 'string' } } } },
              ],
            },
            [...PARAM_CODES, 'POLL_NOT_FOUND', 'STORAGE_UNAVAILABLE'],
          ),
        },
      },
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
