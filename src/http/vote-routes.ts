// /votes: cast one vote, cast a batch, look a vote up.

import fastJson from 'fast-json-stringify';
import type { FastifyInstance, FastifySerializerCompiler } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { findReceipt } from '../log/receipts.ts';
import { castBatch } from './cast-batch.ts';
import { type Ballot, castVote } from './cast-vote.ts';
import type { AppContext } from './context.ts';
import { ensureReady } from './ensure-ready.ts';
import type { NodeMetrics } from './metrics.ts';
import { normalizedId } from './normalized-ids.ts';
import { batchReply, receiptReply, voteLookupReply } from './reply-schemas.ts';
import { BODY_CODES, PARAM_CODES, replies } from './route-replies.ts';
import { batchBody, voteBody, voteIdParams } from './schemas.ts';
import { statusOf } from './vote-status.ts';

const BATCH_BODY_LIMIT = 1024 * 1024;

/**
 * Receipts (200, 201) are written by fast-json-stringify from their exact schema: half the time
 * JSON.stringify takes on the append path, and a field the contract lacks is never leaked.
 * Every other status of POST /votes is written by JSON.stringify, like all replies (app.ts).
 */
export const receiptSerializer: FastifySerializerCompiler<unknown> = ({ schema, httpStatus }) =>
  httpStatus === '200' || httpStatus === '201'
    ? fastJson(schema as Parameters<typeof fastJson>[0])
    : (data: unknown) => JSON.stringify(data);

/** What casting a vote can be refused with, besides the body parser and the schema. */
const BALLOT_CODES = [
  'VALIDATION_FAILED',
  'VOTER_TOKEN_REQUIRED',
  'VOTER_TOKEN_INVALID',
  'VOTER_AUTH_UNAVAILABLE',
  'SECRET_BALLOT_UNAVAILABLE',
  'NOT_ON_ROLL',
  'POLL_NOT_FOUND',
  'ALREADY_VOTED',
  'POLL_CLOSED',
  'POLL_NOT_OPEN',
  'VOTE_ID_CONFLICT',
  'UNKNOWN_OPTION',
  'DUPLICATE_CHOICE',
  'TOO_MANY_CHOICES',
  'RATE_LIMITED',
  'STORAGE_UNAVAILABLE',
  'NOT_DURABLE',
  'VOTER_SECRET_MISMATCH',
] as const;

export function voteRoutes(ctx: AppContext, metrics: NodeMetrics) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: Ballot }>(
      '/votes',
      {
        schema: {
          summary: 'Cast a vote',
          description:
            'Appends the vote and answers its receipt once it is durable. Retrying with the same voteId never votes twice: it answers the first receipt (200).',
          tags: ['votes'],
          body: voteBody,
          response: replies(
            {
              200: ['The same voteId was recorded before: its receipt', receiptReply],
              201: ['Appended: the receipt', receiptReply],
            },
            [...BODY_CODES, ...BALLOT_CODES],
          ),
        },
        serializerCompiler: receiptSerializer,
      },
      async (request, reply) => {
        const timer = metrics.appendSeconds.startTimer();
        try {
          ensureReady(ctx);
          const result = await castVote(ctx, request.body);
          metrics.vote(result.status);
          if (result.error) throw result.error;
          timer();
          return reply.status(result.status).send({ receipt: result.receipt });
        } catch (error) {
          if (!(error instanceof VoteStreamError && error.status < 500)) metrics.vote(503);
          throw error;
        }
      },
    );

    app.post<{ Body: { votes: unknown[] } }>(
      '/votes/batch',
      {
        // No response schema: for a thousand results, JSON.stringify's flat string is written
        // faster than fast-json-stringify's concatenation.
        schema: {
          summary: 'Cast up to 1000 votes',
          description:
            'Each vote is checked and cast on its own: one result per vote, in request order, with the status and receipt or error POST /votes would answer.',
          tags: ['votes'],
          body: batchBody,
          response: replies({ 200: ['One result per vote', batchReply] }, [
            ...BODY_CODES,
            'VALIDATION_FAILED',
            'RATE_LIMITED',
            'STORAGE_UNAVAILABLE',
          ]),
        },
        bodyLimit: BATCH_BODY_LIMIT,
      },
      async (request) => {
        ensureReady(ctx);
        // The ballots reach the appender together: one pipeline per master, one call per shard.
        const results = await castBatch(ctx, request.body.votes);
        for (const r of results) metrics.vote(r.status);
        return { results };
      },
    );

    app.get<{ Params: { voteId: string } }>(
      '/votes/:voteId',
      {
        schema: {
          summary: "A vote's receipt and status on this node",
          tags: ['votes'],
          params: voteIdParams,
          response: replies({ 200: ['The receipt and status', voteLookupReply] }, [
            ...PARAM_CODES,
            'VOTE_NOT_FOUND',
            'STORAGE_UNAVAILABLE',
          ]),
        },
      },
      async (request) => {
        ensureReady(ctx);
        const voteId = normalizedId(request.params.voteId, 'voteId');
        const receipt = await findReceipt(ctx.target, voteId);
        if (!receipt) throw new VoteStreamError('VOTE_NOT_FOUND', `no vote ${voteId}`);
        return { receipt, ...statusOf(ctx, receipt) };
      },
    );
  };
}
