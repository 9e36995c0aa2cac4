// /votes: cast one vote, cast a batch, look a vote up.
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { findReceipt } from '../log/receipts.ts';
import { castBatch } from './cast-batch.ts';
import { type Ballot, castVote } from './cast-vote.ts';
import type { AppContext } from './context.ts';
import type { NodeMetrics } from './metrics.ts';
import { normalizedId } from './normalized-ids.ts';
import { batchBody, receiptReply, voteBody, voteIdParams } from './schemas.ts';
import { statusOf } from './vote-status.ts';

const BATCH_BODY_LIMIT = 1024 * 1024;

export function voteRoutes(ctx: AppContext, metrics: NodeMetrics) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: Ballot }>(
      '/votes',
      { schema: { body: voteBody, response: { 200: receiptReply, 201: receiptReply } } },
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
        schema: { body: batchBody },
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
      { schema: { params: voteIdParams } },
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

function ensureReady(ctx: AppContext): void {
  if (!ctx.ready())
    throw new VoteStreamError('STORAGE_UNAVAILABLE', 'the node is not connected to Redis');
}
