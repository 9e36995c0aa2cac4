// /health: 200 when the node can serve writes, 503 (with Retry-After) when it cannot.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';

export function healthRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get('/health', async (_request, reply) => {
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
