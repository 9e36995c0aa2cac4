// What a node answers before it has checked its shard count against the log (it started while
// Redis did not answer: src/node.ts), or after the check found another count. Such a node
// would put voters in other shards than the rest, close or roll the wrong shards, and show
// tallies of a fold it has not started, so once Redis answers every request but /health and
// /metrics gets 503 NOT_READY, with Retry-After: another node can serve it. While Redis does
// not answer, the routes answer as they do for any outage (503 STORAGE_UNAVAILABLE).
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { sendError } from './error-handler.ts';

/** The routes that say for themselves that the node is not ready. */
const ANSWER_THEMSELVES = new Set(['/health', '/metrics']);

export function answerWhileShardCountUnchecked(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request, reply) => {
    const why = ctx.notServing?.();
    if (!why || ANSWER_THEMSELVES.has(request.routeOptions.url ?? '')) return;
    return sendError(reply, new VoteStreamError('NOT_READY', why));
  });
}
