// POST /polls/:pollId/tokens (admin): the voter tokens of a token poll. Tokens are computed,
// not stored: issuing writes nothing, and issuing the same voter twice gives the same token.
import type { FastifyInstance } from 'fastify';
import { hasRoll } from '../domain/roll.ts';
import { pollSecret, voterAuthOf, voterToken } from '../domain/voter-token.ts';
import { VoteStreamError } from '../errors.ts';
import { rollWeights } from '../log/roll-store.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { normalizedId } from './normalized-ids.ts';
import { recordedVoterId } from './recorded-voter.ts';
import { tokensReply } from './reply-schemas.ts';
import { ADMIN_CODES, ADMIN_SECURITY, BODY_CODES, PARAM_CODES, replies } from './route-replies.ts';
import { pollIdParams, tokensBody } from './schemas.ts';

/**
 * A thousand voter ids at the length limit fit, in any spelling: once decomposed, one of the
 * 128 characters of an id is at most 12 bytes of UTF-8 (three 4-byte code points, U+16126),
 * so a thousand ids are at most about 1.5 MB.
 */
export const TOKENS_BODY_LIMIT = 2 * 1024 * 1024;

export function tokenRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { pollId: string }; Body: { voters: string[] } }>(
      '/polls/:pollId/tokens',
      {
        schema: {
          summary: "Issue a token poll's voter tokens",
          tags: ['admin'],
          security: ADMIN_SECURITY,
          params: pollIdParams,
          body: tokensBody,
          response: replies({ 200: ['A token per voter, in request order', tokensReply] }, [
            ...BODY_CODES,
            ...PARAM_CODES,
            ...ADMIN_CODES,
            'POLL_NOT_FOUND',
            'VOTER_AUTH_OPEN',
            'VOTER_AUTH_UNAVAILABLE',
            'NOT_ON_ROLL',
            'STORAGE_UNAVAILABLE',
            'VOTER_SECRET_MISMATCH',
            'SECRET_BALLOT_UNAVAILABLE',
          ]),
        },
        preHandler: requireAdmin(ctx.config.adminToken),
        bodyLimit: TOKENS_BODY_LIMIT,
      },
      async (request) => {
        const { pollId } = request.params;
        const entry = await ctx.catalogue.get(pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
        if (voterAuthOf(entry.poll) === 'open')
          throw new VoteStreamError(
            'VOTER_AUTH_OPEN',
            `poll ${pollId} accepts votes without tokens`,
          );
        const { voterSecret } = ctx.config;
        if (!voterSecret) {
          throw new VoteStreamError(
            'VOTER_AUTH_UNAVAILABLE',
            'this node cannot issue voter tokens: VS_VOTER_SECRET is not set',
          );
        }
        const secret = pollSecret(voterSecret, entry.poll);
        const source = { voterSecret, log: ctx.log };
        // Per voter id as sent, in order: its NFC form and the token of the voter the log
        // records (that form, or in a secret poll its tag), so two spellings of one voter get
        // one token (the one a vote under either spelling is checked with).
        const tokens = request.body.voters.map((sent, i) => {
          const voterId = normalizedId(sent, `voters.${i}`);
          const recorded = recordedVoterId(entry.poll, voterId, source, `voters.${i}`);
          if (recorded instanceof VoteStreamError) throw recorded;
          return { voterId, recorded, token: voterToken(secret, pollId, recorded) };
        });
        if (hasRoll(entry.poll)) {
          // Tokens for voters on the roll only: a request naming anyone else issues none.
          const ids = tokens.map((t) => t.recorded);
          const weights = await rollWeights(ctx.target, pollId, ids);
          const missing = tokens.flatMap((t, i) => (weights[i] === undefined ? [t.voterId] : []));
          if (missing.length > 0)
            throw new VoteStreamError(
              'NOT_ON_ROLL',
              `${missing.length} of the voters are not on the roll of poll ${pollId}: no token issued`,
              { voters: missing.slice(0, 10) },
            );
        }
        // Who issued how many, never the tokens themselves (the logger redacts them as well).
        request.log.info(
          { event: 'voter_tokens_issued', pollId, count: tokens.length },
          'voter tokens issued',
        );
        return { pollId, tokens: tokens.map(({ voterId, token }) => ({ voterId, token })) };
      },
    );
  };
}
