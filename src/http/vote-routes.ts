// /votes: cast one vote, cast a batch, look a vote up.
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { findReceipt } from '../log/receipts.ts';
import { type Ballot, type CastResult, castVote } from './cast-vote.ts';
import type { AppContext } from './context.ts';
import { toVoteStreamError } from './error-handler.ts';
import { batchBody, voteBody, voteIdParams } from './schemas.ts';

const BATCH_BODY_LIMIT = 1024 * 1024;
const validateBallot = new Ajv({ allErrors: false }).compile<Ballot>(voteBody);

export function voteRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: Ballot }>('/votes', { schema: { body: voteBody } }, async (request, reply) => {
      ensureReady(ctx);
      const result = await castVote(ctx, request.body);
      if (result.error) throw result.error;
      return reply.status(result.status).send({ receipt: result.receipt });
    });

    app.post<{ Body: { votes: unknown[] } }>(
      '/votes/batch',
      { schema: { body: batchBody }, bodyLimit: BATCH_BODY_LIMIT },
      async (request) => {
        ensureReady(ctx);
        // All ballots are queued in the same turn, so the appender sends one pipeline per shard.
        const results = await Promise.all(
          request.body.votes.map((vote, i) => castOne(ctx, vote, i)),
        );
        return { results: results.map(presentResult) };
      },
    );

    app.get<{ Params: { voteId: string } }>(
      '/votes/:voteId',
      { schema: { params: voteIdParams } },
      async (request) => {
        ensureReady(ctx);
        const receipt = await findReceipt(ctx.target, request.params.voteId);
        if (!receipt)
          throw new VoteStreamError('VOTE_NOT_FOUND', `no vote ${request.params.voteId}`);
        return { receipt };
      },
    );
  };
}

async function castOne(ctx: AppContext, vote: unknown, index: number): Promise<CastResult> {
  if (!validateBallot(vote)) {
    const first = validateBallot.errors?.[0];
    const field = [
      first?.instancePath.replace(/^\//, ''),
      first?.params.missingProperty ?? first?.params.additionalProperty,
    ]
      .filter(Boolean)
      .join('.');
    const error = new VoteStreamError(
      'VALIDATION_FAILED',
      `votes[${index}]${first?.instancePath.replaceAll('/', '.') ?? ''} ${first?.message ?? 'is invalid'}`,
      { field: `votes[${index}]${field ? `.${field}` : ''}` },
    );
    return { status: error.status, error };
  }
  try {
    return await castVote(ctx, vote);
  } catch (error) {
    const known = toVoteStreamError(error) ?? new VoteStreamError('STORAGE_UNAVAILABLE');
    return { status: known.status, error: known };
  }
}

function presentResult(result: CastResult) {
  if (result.error) {
    const { code, message, details } = result.error;
    return { status: result.status, error: { code, message, ...(details ?? {}) } };
  }
  return { status: result.status, receipt: result.receipt };
}

function ensureReady(ctx: AppContext): void {
  if (!ctx.ready())
    throw new VoteStreamError('STORAGE_UNAVAILABLE', 'the node is not connected to Redis');
}
