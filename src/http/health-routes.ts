// /health: 200 when the node can serve writes, 503 (with Retry-After) when it cannot: not
// connected to Redis, or stopping.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { healthReply } from './reply-schemas.ts';
import { replies } from './route-replies.ts';

const RETRY_AFTER = { 'retry-after': { type: 'integer', minimum: 1 } };

/** `stopping`: whether the node is stopping (stopping-replies.ts). */
export function healthRoutes(ctx: AppContext, stopping: () => boolean = () => false) {
  return async (app: FastifyInstance) => {
    const schema = {
      summary: 'Whether this node can serve writes',
      tags: ['cluster'],
      response: replies(
        {
          200: ['Ready', healthReply],
          503: [
            'Not connected to Redis, or stopping: retry later (another node)',
            { headers: RETRY_AFTER, ...healthReply },
          ],
        },
        [],
        // Never shed: a load balancer must see a saturated node (abuse-limits.ts). A stopping
        // node's /health answers for itself (503 `unavailable`), in its own shape.
        { shed: false, stopping: false },
      ),
    };
    app.get('/health', { schema }, async (_request, reply) => {
      const ready = ctx.ready() && !stopping();
      if (!ready) reply.header('retry-after', '1');
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'unavailable',
        nodeId: ctx.config.nodeId,
        durability: ctx.target.durable ? 'replica' : 'local',
      });
    });
  };
}
