// POST /polls/:pollId/participation (admin): which of a list of voters have voted — for
// reminders. It answers voted or not voted per voter and nothing else (no choices, times,
// seqs or shards), for any poll; in a secret poll it is the one question about a voter id the
// API answers. It writes nothing and logs only how many voters were asked about.
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { haveVoted } from '../log/participation.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { ensureReady } from './ensure-ready.ts';
import { recordedVoterId } from './recorded-voter.ts';
import { participationReply } from './reply-schemas.ts';
import { ADMIN_CODES, ADMIN_SECURITY, BODY_CODES, PARAM_CODES, replies } from './route-replies.ts';
import { participationBody, pollIdParams } from './schemas.ts';
import { TOKENS_BODY_LIMIT } from './token-routes.ts';

export function participationRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { pollId: string }; Body: { voters: string[] } }>(
      '/polls/:pollId/participation',
      {
        schema: {
          summary: 'Which of these voters have voted',
          tags: ['admin'],
          security: ADMIN_SECURITY,
          params: pollIdParams,
          body: participationBody,
          response: replies({ 200: ['The voters, as sent, split in two', participationReply] }, [
            ...BODY_CODES,
            ...PARAM_CODES,
            ...ADMIN_CODES,
            'POLL_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
            'VOTER_SECRET_MISMATCH',
            'SECRET_BALLOT_UNAVAILABLE',
          ]),
        },
        preHandler: requireAdmin(ctx.config.adminToken),
        bodyLimit: TOKENS_BODY_LIMIT,
      },
      async (request) => {
        ensureReady(ctx);
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
