// /polls: create, list, read and close polls.

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CountingMethod, Poll } from '../domain/events.ts';
import { pollFinal } from '../domain/fold-progress.ts';
import { isInstantRefusal, parseInstant } from '../domain/instant.ts';
import {
  definePoll,
  isRanked,
  isRefusal,
  methodOf,
  type PollInput,
  pollStatus,
} from '../domain/poll-rules.ts';
import { hasRoll, isWeighted } from '../domain/roll.ts';
import { type ResultsRule, resultsRuleOf } from '../domain/sealed-results.ts';
import {
  defaultSecrecy,
  type Secrecy,
  secrecyOf,
  tagKey,
  tagKeyCheck,
} from '../domain/voter-tag.ts';
import { type VoterAuth, voterAuthOf } from '../domain/voter-token.ts';
import { VoteStreamError } from '../errors.ts';
import type { CatalogueEntry } from '../log/poll-catalogue.ts';
import { closePoll, createPoll } from '../log/poll-store.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { ensureReady } from './ensure-ready.ts';
import { tagKeyOf } from './recorded-voter.ts';
import { closeReply, pollReply, pollsReply } from './reply-schemas.ts';
import { ADMIN_CODES, ADMIN_SECURITY, BODY_CODES, PARAM_CODES, replies } from './route-replies.ts';
import { pollBody, pollIdParams } from './schemas.ts';

export interface PollBody {
  id?: string;
  title: string;
  options: (string | { id: string; label?: string })[];
  maxChoices?: number;
  revote?: 'reject' | 'replace';
  opensAt?: string | number;
  closesAt?: string | number;
  voterAuth?: VoterAuth;
  method?: CountingMethod;
  seats?: number;
  maxRanks?: number;
  batchElimination?: boolean;
  roll?: boolean;
  weighted?: boolean;
  secrecy?: Secrecy;
  results?: ResultsRule;
}

export function pollRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const admin = requireAdmin(ctx.config.adminToken);

    app.post<{ Body: PollBody }>(
      '/polls',
      {
        schema: {
          summary: 'Create a poll',
          description:
            'Creating the same poll again (same id and definition) answers it with 200; a different poll with that id is a 409 POLL_EXISTS.',
          tags: ['polls', 'admin'],
          security: ADMIN_SECURITY,
          body: pollBody,
          response: replies(
            { 201: ['Created', pollReply], 200: ['This poll existed already', pollReply] },
            [
              ...BODY_CODES,
              ...ADMIN_CODES,
              'VALIDATION_FAILED',
              'POLL_EXISTS',
              'VOTER_AUTH_UNAVAILABLE',
              'SECRET_BALLOT_UNAVAILABLE',
              'STORAGE_UNAVAILABLE',
              'VOTER_SECRET_MISMATCH',
            ],
          ),
        },
        preHandler: admin,
      },
      async (request, reply) => {
        ensureReady(ctx);
        const body = request.body;
        // Refused before anything is written: votes in a token poll this node created could
        // not be verified here either.
        if (body.voterAuth === 'token' && !ctx.config.voterSecret) {
          throw new VoteStreamError(
            'VOTER_AUTH_UNAVAILABLE',
            'this node cannot create token polls: VS_VOTER_SECRET is not set',
          );
        }
        const { voterSecret } = ctx.config;
        const defined = pollOf(body, ctx.now(), voterSecret);
        const { created, poll } = await createPoll(ctx.target, defined);
        await ctx.catalogue.refresh();
        if (secrecyOf(poll) === 'pseudonymous') {
          // A create repeated on a node whose secret differs finds the first one's poll, whose
          // voters this node cannot tag (and says so) — better now than at the first vote.
          const key = tagKeyOf(poll, { voterSecret, log: ctx.log });
          if (key instanceof VoteStreamError) throw key;
        }
        return reply
          .status(created ? 201 : 200)
          .send({ poll: present(ctx, { poll, closed: false }) });
      },
    );

    const listSchema = {
      summary: 'Every poll',
      tags: ['polls'],
      response: replies({ 200: ['The polls', pollsReply] }, ['STORAGE_UNAVAILABLE']),
    };
    app.get('/polls', { schema: listSchema }, async () => {
      // While Redis is away no node can create a poll: the ones this node knows are all.
      if (ctx.ready()) await ctx.catalogue.refresh();
      const now = ctx.now();
      return { polls: ctx.catalogue.list().map((entry) => present(ctx, entry, now)) };
    });

    app.get<{ Params: { pollId: string } }>(
      '/polls/:pollId',
      {
        schema: {
          summary: 'A poll',
          tags: ['polls'],
          params: pollIdParams,
          response: replies({ 200: ['The poll', pollReply] }, [
            ...PARAM_CODES,
            'POLL_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
          ]),
        },
      },
      async (request) => {
        const entry = await ctx.catalogue.get(request.params.pollId);
        if (!entry) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${request.params.pollId}`);
        return { poll: present(ctx, entry) };
      },
    );

    app.post<{ Params: { pollId: string } }>(
      '/polls/:pollId/close',
      {
        schema: {
          summary: 'Close a poll',
          description:
            'Appends a close barrier to every shard; closing a closed poll answers alreadyClosed: true.',
          tags: ['polls', 'admin'],
          security: ADMIN_SECURITY,
          params: pollIdParams,
          response: replies({ 200: ['Closed', closeReply] }, [
            ...BODY_CODES,
            ...PARAM_CODES,
            ...ADMIN_CODES,
            'POLL_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
          ]),
        },
        preHandler: admin,
      },
      async (request) => {
        ensureReady(ctx);
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
 * The API's view of a poll: ISO times and its status now — `final` once this node has folded
 * a committed close barrier in every shard (pollFinal, the same test that unseals a sealed
 * poll): the finalized tally is then the poll's result and can no longer change.
 */
export function present(ctx: AppContext, entry: CatalogueEntry, now = ctx.now()) {
  const { poll } = entry;
  const status = pollStatus(poll, now, entry.closed);
  const final = pollFinal(poll.id, ctx.projections.states);
  return {
    ...poll,
    method: methodOf(poll),
    ...(isRanked(poll) ? { maxRanks: poll.maxChoices } : {}),
    voterAuth: voterAuthOf(poll),
    roll: hasRoll(poll),
    weighted: isWeighted(poll),
    secrecy: secrecyOf(poll),
    results: resultsRuleOf(poll),
    opensAt: iso(poll.opensAt),
    closesAt: iso(poll.closesAt),
    createdAt: iso(poll.createdAt),
    status: final ? 'final' : status,
  };
}

/**
 * The poll a create request defines, its times parsed as the schema's `instant` keyword
 * parsed them; a secret poll carries the check value of the tag key `voterSecret` derives for
 * it. No I/O: the route writes it; test/http/schema-agreement checks it fits PollCreated for
 * every body the schema takes.
 * @throws VoteStreamError the definition's refusal (VALIDATION_FAILED naming the field), or
 *   SECRET_BALLOT_UNAVAILABLE for a secret poll without `voterSecret`
 */
export function pollOf(body: PollBody, now: number, voterSecret?: string): Poll {
  const input: PollInput = {
    id: body.id ?? `p-${crypto.randomUUID()}`,
    title: body.title,
    options: body.options,
    maxChoices: body.maxChoices,
    revote: body.revote,
    opensAt: instant(body.opensAt, 'opensAt'),
    closesAt: instant(body.closesAt, 'closesAt'),
    voterAuth: body.voterAuth,
    method: body.method,
    seats: body.seats,
    maxRanks: body.maxRanks,
    batchElimination: body.batchElimination,
    roll: body.roll,
    weighted: body.weighted,
    results: body.results,
    // Drawn once per create: a retried create that finds the poll keeps the first one's.
    seed: randomBytes(32).toString('hex'),
    secrecy: body.secrecy,
  };
  if ((input.secrecy ?? defaultSecrecy(input)) === 'pseudonymous') {
    // Refused before anything is written: this node could not tag the poll's voters.
    if (voterSecret === undefined)
      throw new VoteStreamError(
        'SECRET_BALLOT_UNAVAILABLE',
        'this node cannot create secret polls: VS_VOTER_SECRET is not set',
      );
    input.tagCheck = tagKeyCheck(tagKey(voterSecret, { id: input.id, createdAt: now }));
  }
  const defined = definePoll(input, now);
  if (isRefusal(defined)) throw new VoteStreamError(defined.code, defined.message, defined.details);
  return defined;
}

/** Epoch ms of a poll time, by the one parser the schema's `instant` keyword also runs. */
function instant(value: string | number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value);
  if (isInstantRefusal(ms))
    throw new VoteStreamError('VALIDATION_FAILED', `${field} ${ms.message}`, { field });
  return ms;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
