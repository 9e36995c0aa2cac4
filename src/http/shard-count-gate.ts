// What a node answers before it has checked its shard count against the log (it started while
// Redis did not answer: src/node.ts), or after the check found another count: 503 NOT_READY,
// with Retry-After, to every request but /health and /metrics — at once, whether Redis answers
// yet or not. Such a node would put voters in other shards than the rest, close or roll the
// wrong shards, change the members, and show tallies of a fold it has not started; a request
// let through while Redis was away would wait in the client's queue and run, unchecked, the
// moment Redis came back (a roll entry in the wrong shard, a member set that stopped commits,
// a tally of zeros). Another node can serve it.
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
