// The requests a node is serving right now, from the moment their headers arrive (before the
// body is read) until their response is closed, so that a stop that runs out of time can say
// which ones it cut off: a slow upload, an append waiting on Redis, a live stream.
import type { FastifyInstance } from 'fastify';

export interface OpenRequest {
  method: string;
  url: string;
  /** How long it has been open (ms). */
  ageMs: number;
  /** False while its body is still arriving. */
  bodyReceived: boolean;
}

export interface OpenRequests {
  list(): OpenRequest[];
}

/** Follows `app`'s requests; call before the app is ready. */
export function trackOpenRequests(app: FastifyInstance): OpenRequests {
  const open = new Map<object, { method: string; url: string; at: number; body: () => boolean }>();
  app.addHook('onRequest', async (request, reply) => {
    const raw = request.raw;
    open.set(raw, {
      method: request.method,
      url: request.url,
      at: performance.now(),
      body: () => raw.complete,
    });
    reply.raw.once('close', () => open.delete(raw));
  });
  return {
    list() {
      const now = performance.now();
      return [...open.values()].map((r) => ({
        method: r.method,
        url: r.url,
        ageMs: Math.round(now - r.at),
        bodyReceived: r.body(),
      }));
    },
  };
}

/** "POST /votes (body unfinished, open 3.2 s)", for a log line. */
export function describeOpenRequest(r: OpenRequest): string {
  return `${r.method} ${r.url.slice(0, 200)} (${r.bodyReceived ? '' : 'body unfinished, '}open ${(r.ageMs / 1000).toFixed(1)} s)`;
}
