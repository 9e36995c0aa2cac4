// /health: 200 when the node can serve writes, 503 (with Retry-After) when it cannot.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { healthReply } from './reply-schemas.ts';
import { replies } from './route-replies.ts';

const RETRY_AFTER = { 'retry-after': { type: 'integer', minimum: 1 } };

export function healthRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const schema = {
      summary: 'Whether this node can serve writes',
      tags: ['cluster'],
      response: replies(
        {
          200: ['Ready', healthReply],
          503: ['Not connected to Redis: retry later', { headers: RETRY_AFTER, ...healthReply }],
        },
        [],
        // Never shed: a load balancer must see a saturated node (abuse-limits.ts).
        { shed: false },
      ),
    };
    app.get('/health', { schema }, async (_request, reply) => {
      const ready = ctx.ready();
      if (!ready) reply.header('retry-after', '1');
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'unavailable',
        nodeId: ctx.config.nodeId,
        durability: ctx.target.durable ? 'replica' : 'local',
      });
    });
  };
}
