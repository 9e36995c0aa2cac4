// /polls: create, list, read and close polls.
import type { FastifyInstance } from 'fastify';
import type { Poll } from '../domain/events.ts';
import { barrierOf } from '../domain/fold-progress.ts';
import { definePoll, isRefusal, pollStatus } from '../domain/poll-rules.ts';
import { type VoterAuth, voterAuthOf } from '../domain/voter-token.ts';
import { VoteStreamError } from '../errors.ts';
import type { CatalogueEntry } from '../log/poll-catalogue.ts';
import { closePoll, createPoll } from '../log/poll-store.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { pollBody, pollIdParams } from './schemas.ts';

interface PollBody {
  id?: string;
  title: string;
  options: (string | { id: string; label?: string })[];
  maxChoices?: number;
  revote?: 'reject' | 'replace';
  opensAt?: string | number;
  closesAt?: string | number;
  voterAuth?: VoterAuth;
}

export function pollRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const admin = requireAdmin(ctx.config.adminToken);

    app.post<{ Body: PollBody }>(
      '/polls',
      { schema: { body: pollBody }, preHandler: admin },
      async (request, reply) => {
        const body = request.body;
        // Refused before anything is written: votes in a token poll this node created could
        // not be verified here either.
        if (body.voterAuth === 'token' && !ctx.config.voterSecret) {
          throw new VoteStreamError(
            'VOTER_AUTH_UNAVAILABLE',
            'this node cannot create token polls: VS_VOTER_SECRET is not set',
          );
        }
        const now = ctx.now();
        const defined = definePoll(
          {
            id: body.id ?? `p-${crypto.randomUUID()}`,
            title: body.title,
            options: body.options,
            maxChoices: body.maxChoices,
            revote: body.revote,
            opensAt: instant(body.opensAt),
            closesAt: instant(body.closesAt),
            voterAuth: body.voterAuth,
          },
          now,
        );
        if (isRefusal(defined))
          throw new VoteStreamError(defined.code, defined.message, defined.details);
        const { created, poll } = await createPoll(ctx.target, defined);
        await ctx.catalogue.refresh();
        return reply
          .status(created ? 201 : 200)
          .send({ poll: present(ctx, { poll, closed: false }) });
      },
    );

    app.get('/polls', async () => {
      await ctx.catalogue.refresh();
      const now = ctx.now();
      return { polls: ctx.catalogue.list().map((entry) => present(ctx, entry, now)) };
    });

    app.get<{ Params: { pollId: string } }>(
      '/polls/:pollId',
      { schema: { params: pollIdParams } },
      async (request) => {
        const entry = await ctx.catalogue.get(request.params.pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${request.params.pollId}`);
        return { poll: present(ctx, entry) };
      },
    );

    app.post<{ Params: { pollId: string } }>(
      '/polls/:pollId/close',
      { schema: { params: pollIdParams }, preHandler: admin },
      async (request) => {
        const { pollId } = request.params;
        const { alreadyClosed, barriers } = await closePoll(
          ctx.target,
          pollId,
          ctx.config.nodeId,
          ctx.now(),
        );
        await ctx.catalogue.refresh();
        const entry = ctx.catalogue.peek(pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`);
        request.log.info({ event: 'poll_closed', pollId, alreadyClosed }, 'poll closed');
        return { poll: present(ctx, entry), alreadyClosed, barriers };
      },
    );
  };
}

/**
 * The API's view of a poll: ISO times and its status now — `final` once it is closed and
 * this node has folded a committed close barrier in every shard: the finalized tally is then
 * the poll's result and can no longer change.
 */
export function present(ctx: AppContext, entry: CatalogueEntry, now = ctx.now()) {
  const { poll } = entry;
  const status = pollStatus(poll as Poll, now, entry.closed);
  const final =
    status === 'closed' && ctx.folder.states.every((s) => barrierOf(s, poll.id)?.committed);
  return {
    ...poll,
    voterAuth: voterAuthOf(poll),
    opensAt: iso(poll.opensAt),
    closesAt: iso(poll.closesAt),
    createdAt: iso(poll.createdAt),
    status: final ? 'final' : status,
  };
}

function instant(value: string | number | undefined): number | undefined {
  return typeof value === 'string' ? Date.parse(value) : value;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
