// A window on every reply a node sends, for the contract test (test/helpers/contract.ts): it
// sees each response as it finishes, hijacked ones (the SSE stream) included. Production nodes
// install none.
import type { FastifyInstance } from 'fastify';

/** One reply as sent. */
export interface ObservedReply {
  method: string;
  /** The route's URL pattern (`/polls/:pollId`); undefined when no route matched (404). */
  route: string | undefined;
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  /** The body as sent when fastify serialized it to a string; undefined for streams, buffers. */
  body: string | undefined;
}

export type ReplyObserver = (reply: ObservedReply) => void;

const bodies = new WeakMap<object, string>();

/** Calls `observe` once per response `app` finishes; call before the app is ready. */
export function observeReplies(app: FastifyInstance, observe: ReplyObserver): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    // fastify, and a hijacked route like the SSE stream, pass their headers to writeHead,
    // which does not keep them where getHeader looks: read them on their way out.
    const headers: Record<string, string> = {};
    const writeHead = raw.writeHead.bind(raw) as (...args: unknown[]) => typeof raw;
    raw.writeHead = ((...args: unknown[]) => {
      const given = args.find((a) => a !== null && typeof a === 'object');
      for (const [name, value] of Object.entries(given ?? {}))
        headers[name.toLowerCase()] = String(value);
      return writeHead(...args);
    }) as typeof raw.writeHead;
    raw.once('finish', () => {
      const header = (name: string) => headers[name] ?? raw.getHeader(name)?.toString();
      observe({
        method: request.method,
        route: request.is404 ? undefined : request.routeOptions.url,
        status: raw.statusCode,
        contentType: header('content-type'),
        retryAfter: header('retry-after'),
        body: bodies.get(raw),
      });
    });
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (typeof payload === 'string') bodies.set(reply.raw, payload);
    done(null, payload);
  });
}
