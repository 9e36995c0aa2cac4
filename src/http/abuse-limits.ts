// Abuse limits: a per-client rate limit on appends, and load shedding when the node is
// saturated. Both answer in our error shape with Retry-After; both are plain fastify plugins
// registered before the routes, so their hooks run first, before any body is parsed.
import { getHeapStatistics } from 'node:v8';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { VoteStreamError } from '../errors.ts';

/** The routes that append to the log: the only ones a client can flood with writes. */
const APPEND_ROUTES = new Set(['POST /votes', 'POST /votes/batch']);
/** Never shed: a load balancer and Prometheus must still see a saturated node. */
const NEVER_SHED = new Set(['/health', '/metrics']);

/** How often the pressure is checked (under-pressure itself samples once a second). */
const CHECK_MS = 100;

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url}`;

/** Registers the rate limit (when `rateLimit` > 0) and load shedding (unless both are 0). */
export function registerAbuseLimits(app: FastifyInstance, config: Config): void {
  if (config.rateLimit > 0) {
    app.register(rateLimit, {
      max: config.rateLimit,
      timeWindow: config.rateLimitWindowMs,
      hook: 'onRequest',
      // Keyed by the client's address (request.ip): behind a proxy, every client shares one.
      allowList: (request) => !APPEND_ROUTES.has(routeOf(request)),
      errorResponseBuilder: (_request, context) =>
        new VoteStreamError(
          'RATE_LIMITED',
          `more than ${context.max} appends in ${config.rateLimitWindowMs} ms from this client; retry in ${context.after}`,
          undefined,
          Math.max(1, Math.ceil(context.ttl / 1000)),
        ),
    });
  }
  const heapLimit = getHeapStatistics().heap_size_limit;
  const pressure = watchPressure(app, config.shedAfterMs);
  app.register(underPressure, {
    maxEventLoopDelay: config.shedEventLoopDelayMs,
    maxHeapUsedBytes: Math.floor((heapLimit * config.shedHeapPercent) / 100),
    pressureHandler: (request, _reply, type, value) => {
      if (!pressure.sustained() || NEVER_SHED.has(request.routeOptions.url ?? '')) return undefined;
      const measured =
        type === 'eventLoopDelay'
          ? `event loop delay ${Math.round(Number(value))} ms`
          : `${type} ${value}`;
      // A rejected promise reaches fastify's error path, and so our error handler.
      return Promise.reject(
        new VoteStreamError('OVERLOADED', `the node is overloaded (${measured}); retry later`),
      );
    },
  });
}

/**
 * under-pressure samples once a second, and one long pause — a big synchronous fold, code
 * loading at start, a GC — makes one sample look saturated (with no sample at all in the
 * interval it even reports an infinite delay). Saturation is pressure that lasts: requests
 * are shed only once the node has been under pressure at every check for `afterMs`.
 */
function watchPressure(app: FastifyInstance, afterMs: number): { sustained(): boolean } {
  let since: number | undefined;
  const check = () => {
    // Decorated by under-pressure once it has loaded (its types declare it from the start).
    if (!app.hasDecorator('isUnderPressure') || !app.isUnderPressure()) since = undefined;
    else since ??= Date.now();
  };
  const timer = setInterval(check, CHECK_MS).unref();
  app.addHook('onClose', async () => clearInterval(timer));
  return {
    sustained() {
      check();
      return since !== undefined && Date.now() - since >= afterMs;
    },
  };
}
