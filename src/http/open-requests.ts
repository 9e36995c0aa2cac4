// The requests a node is serving right now, from the moment their headers arrive (before the
// body is read) until their response is closed, so that a stop that runs out of time can say
// which ones it cut off: a slow upload, an append waiting on Redis, a live stream.
import type { IncomingMessage } from 'node:http';
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
  const open = new Map<IncomingMessage, number>();
  // A callback hook, not an async one: it runs on every request, and a promise per request
  // showed in profiles of the append path.
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    open.set(raw, performance.now());
    reply.raw.once('close', () => open.delete(raw));
    done();
  });
  return {
    list() {
      const now = performance.now();
      return [...open].map(([raw, at]) => ({
        method: raw.method ?? '',
        url: raw.url ?? '',
        ageMs: Math.round(now - at),
        bodyReceived: raw.complete,
      }));
    },
  };
}

/** "POST /votes (body unfinished, open 3.2 s)", for a log line. */
export function describeOpenRequest(r: OpenRequest): string {
  return `${r.method} ${r.url.slice(0, 200)} (${r.bodyReceived ? '' : 'body unfinished, '}open ${(r.ageMs / 1000).toFixed(1)} s)`;
}
