// What a stopping node answers. Once it stops, the server accepts no new connection and closes
// the idle ones (fastify's forceCloseConnections); a request that still arrives on one that is
// open (behind a request in flight: a keep-alive client's next one, a pipelined one) gets the
// 503 every fault gets: NOT_READY in the API's error shape, with Retry-After, and its
// connection is closed, so the client's retry goes to a node that is up. (fastify's own
// return503OnClosing answered with its own body and no Retry-After.) GET /health answers for
// itself, in its own shape: 503 `unavailable` while the node stops.
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/** The routes that answer a stopping node's requests themselves (they ask `stopping()`). */
const ANSWER_THEMSELVES = new Set(['/health']);

/** Installs the hooks; returns whether the node is stopping (its server is closing). */
export function answerWhileStopping(app: FastifyInstance): () => boolean {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!stopping) return;
    reply.header('connection', 'close');
    if (ANSWER_THEMSELVES.has(request.routeOptions.url ?? '')) return;
    return sendError(
      reply,
      new VoteStreamError('NOT_READY', 'The node is stopping; retry (on another node)'),
    );
  });
  return () => stopping;
}
