// POST /polls/:pollId/roll (admin): adds voters to a poll's roll. Each addition is in the log
// (a RollChanged per shard, committing to its voters); entries are never changed or removed.
import type { FastifyInstance } from 'fastify';
import { pollStatus } from '../domain/poll-rules.ts';
import { isRollRefusal, rollEntries } from '../domain/roll.ts';
import { VoteStreamError } from '../errors.ts';
import { addToRoll } from '../log/roll-store.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { ensureReady } from './ensure-ready.ts';
import { recordedVoterId } from './recorded-voter.ts';
import { rollConflictVoters, rollReply } from './reply-schemas.ts';
import { ADMIN_CODES, ADMIN_SECURITY, BODY_CODES, PARAM_CODES, replies } from './route-replies.ts';
import { pollIdParams, rollBody } from './schemas.ts';

/** A thousand voter ids at the length limit fit in any spelling (as for tokens), with weights. */
const ROLL_BODY_LIMIT = 2 * 1024 * 1024;

export interface RollBody {
  voters: { voterId: string; weight?: number }[];
}

export function rollRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { pollId: string }; Body: RollBody }>(
      '/polls/:pollId/roll',
      {
        schema: {
          summary: "Add voters to a poll's roll",
          tags: ['admin'],
          security: ADMIN_SECURITY,
          params: pollIdParams,
          body: rollBody,
          response: withConflictVoters(
            replies({ 200: ['What the request added', rollReply] }, [
              ...BODY_CODES,
              ...PARAM_CODES,
              ...ADMIN_CODES,
              'POLL_NOT_FOUND',
              'NO_ROLL',
              'POLL_CLOSED',
              'ROLL_CONFLICT',
              'DUPLICATE_VOTER',
              'WEIGHT_NOT_ALLOWED',
              'ROLL_TOO_HEAVY',
              'STORAGE_UNAVAILABLE',
              'VOTER_SECRET_MISMATCH',
              'SECRET_BALLOT_UNAVAILABLE',
            ]),
          ),
        },
        preHandler: requireAdmin(ctx.config.adminToken),
        bodyLimit: ROLL_BODY_LIMIT,
      },
      async (request) => {
        ensureReady(ctx);
        const { pollId } = request.params;
        const entry = await ctx.catalogue.get(pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
        const { poll } = entry;
        const source = { voterSecret: ctx.config.voterSecret, log: ctx.log };
        // The roll is keyed as the log records voters: NFC ids, or in a secret poll their tags.
        const voters = request.body.voters.map(({ voterId, weight }, i) => {
          const recorded = recordedVoterId(poll, voterId, source, `voters.${i}.voterId`);
          if (recorded instanceof VoteStreamError) throw recorded;
          return { voterId: recorded, ...(weight === undefined ? {} : { weight }) };
        });
        const closed = pollStatus(poll, ctx.now(), entry.closed) === 'closed';
        const entries = rollEntries(poll, voters, closed);
        if (isRollRefusal(entries))
          throw new VoteStreamError(entries.code, entries.message, entries.details);
        const change = await addToRoll(ctx.target, poll, entries, ctx.now()).catch((error) => {
          throw withRequestIndexes(error, voters);
        });
        request.log.info(
          { event: 'roll_changed', pollId, added: change.added, unchanged: change.unchanged },
          'voters added to the roll',
        );
        return {
          pollId,
          added: change.added,
          weight: change.weight,
          unchanged: change.unchanged,
          commitments: change.commitments,
        };
      },
    );
  };
}

/**
 * A ROLL_CONFLICT names each voter by the id the log records, which in a secret poll is a tag
 * the client cannot match to what it sent: each gets `index`, its place in the request's
 * `voters` (as DUPLICATE_VOTER names its `indexes`). Recorded ids are distinct in a request
 * (rollEntries refused it otherwise), so the index is unambiguous. Other errors pass as they are.
 */
function withRequestIndexes(error: unknown, voters: readonly { voterId: string }[]): unknown {
  const conflicts = error instanceof VoteStreamError && error.code === 'ROLL_CONFLICT';
  if (!conflicts || !Array.isArray(error.details?.voters)) return error;
  const indexes = new Map(voters.map(({ voterId }, i) => [voterId, i]));
  const named = (error.details.voters as { voterId: string }[]).map((conflict) => ({
    index: indexes.get(conflict.voterId),
    ...conflict,
  }));
  return new VoteStreamError(error.code, error.message, { ...error.details, voters: named });
}

/** The 409 body documents ROLL_CONFLICT's `voters` beside the codes replies() lists. */
function withConflictVoters(response: Record<number, object>): Record<number, object> {
  const conflict = response[409] as {
    properties: { error: { properties: Record<string, unknown> } };
  };
  const { error } = conflict.properties;
  return {
    ...response,
    409: {
      ...conflict,
      properties: {
        ...conflict.properties,
        error: { ...error, properties: { ...error.properties, voters: rollConflictVoters } },
      },
    },
  };
}
