// POST /polls/:pollId/participation (admin): which of a list of voters have voted — for
// reminders. It answers voted or not voted per voter and nothing else (no choices, times,
// seqs or shards), for any poll; in a secret poll it is the one question about a voter id the
// API answers. It writes nothing and logs only how many voters were asked about.
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { haveVoted } from '../log/participation.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { recordedVoterId } from './recorded-voter.ts';
import { participationBody, pollIdParams } from './schemas.ts';
import { TOKENS_BODY_LIMIT } from './token-routes.ts';

export function participationRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { pollId: string }; Body: { voters: string[] } }>(
      '/polls/:pollId/participation',
      {
        schema: { params: pollIdParams, body: participationBody },
        preHandler: requireAdmin(ctx.config.adminToken),
        bodyLimit: TOKENS_BODY_LIMIT,
      },
      async (request) => {
        const { pollId } = request.params;
        const { voters } = request.body;
        const entry = await ctx.catalogue.get(pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
        const source = { voterSecret: ctx.config.voterSecret, log: ctx.log };
        const recorded = voters.map((sent, i) => {
          const voter = recordedVoterId(entry.poll, sent, source, `voters.${i}`);
          if (voter instanceof VoteStreamError) throw voter;
          return voter;
        });
        const voted = await haveVoted(ctx.target, pollId, recorded);
        request.log.info(
          { event: 'participation_asked', pollId, count: voters.length },
          'participation asked',
        );
        // Each id as the admin sent it, in the order sent: the lists match the admin's own.
        return {
          voted: voters.filter((_, i) => voted[i]),
          notVoted: voters.filter((_, i) => !voted[i]),
        };
      },
    );
  };
}
