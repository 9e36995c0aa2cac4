// build(ctx) returns the fastify app without listening; src/node.ts listens, tests inject().
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config.ts';
import { MAX_ID_SPELLING } from '../domain/identity.ts';
import type { Logger } from '../logger.ts';
import { registerAbuseLimits } from './abuse-limits.ts';
import { clusterRoutes } from './cluster-routes.ts';
import type { AppContext } from './context.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { frameworkErrors, installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { addInputKeywords } from './input-keywords.ts';
import { installJsonParser } from './json-body.ts';
import { countResponses, createMetrics, metricsRoutes } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { participationRoutes } from './participation-routes.ts';
import { pollRoutes } from './poll-routes.ts';
import { referenceRoutes } from './reference-routes.ts';
import { observeReplies, type ReplyObserver } from './reply-observer.ts';
import { resultsRoutes } from './results-routes.ts';
import { rollRoutes } from './roll-routes.ts';
import { answerWhileShardCountUnchecked } from './shard-count-gate.ts';
import { answerWhileStopping } from './stopping-replies.ts';
import { tallyRoutes } from './tally-routes.ts';
import { TallyStream } from './tally-stream.ts';
import { tokenRoutes } from './token-routes.ts';
import { voteRoutes } from './vote-routes.ts';

/** Default body limit; /votes/batch raises it to 1 MiB. */
const BODY_LIMIT = 64 * 1024;
/**
 * Any spelling of an id the schema admits (MAX_ID_SPELLING code points of up to 4 bytes),
 * percent-encoded (3 characters a byte), fits in a path: the schema, not the router, refuses.
 */
const MAX_PARAM_LENGTH = MAX_ID_SPELLING * 4 * 3;

/** What build() takes besides the node's context. */
export interface BuildOptions {
  /** Sees every reply the node sends (the contract test records them); none in production. */
  observeReply?: ReplyObserver;
}

export function build(ctx: AppContext, { observeReply }: BuildOptions = {}): FastifyInstance {
  const app = httpServer(ctx.config, ctx.log);
  if (observeReply) observeReplies(app, observeReply);
  const stopping = answerWhileStopping(app);
  answerWhileShardCountUnchecked(app, ctx);
  // First: the generator collects the routes registered after it.
  registerOpenApi(app);
  const metrics = createMetrics(ctx);
  countResponses(app, metrics);
  app.register(healthRoutes(ctx, stopping));
  app.register(pollRoutes(ctx));
  app.register(tokenRoutes(ctx));
  app.register(rollRoutes(ctx));
  app.register(participationRoutes(ctx));
  app.register(voteRoutes(ctx, metrics));
  app.register(metricsRoutes(metrics));
  const stream = new TallyStream(ctx);
  // Live streams never end by themselves: end them before the server waits for connections.
  app.addHook('preClose', async () => stream.close());
  app.register(tallyRoutes(ctx, stream));
  app.register(resultsRoutes(ctx));
  app.register(clusterRoutes(ctx));
  app.register(dashboardRoutes());
  app.register(referenceRoutes(app));
  return app;
}

/**
 * The node's HTTP server without its routes: the logger, body parsing and limits, the error
 * shape, the rate limit and load shedding. bench/append measures an empty route on it as the
 * baseline that appends are compared with.
 */
export function httpServer(config: Config, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request lines at 10,000 votes/s would drown the log; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Reject rather than strip: a body with unknown fields or wrong types writes nothing.
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
      },
      plugins: [addInputKeywords],
    },
    // secure-json-parse: "__proto__" and "constructor.prototype" keys are refused (400).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Ours instead (stopping-replies.ts): the API's error shape and Retry-After.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  });
  // Response schemas document replies (OpenAPI, the contract test); they do not write them.
  // fast-json-stringify would silently drop a field a schema lacks and coerce types, so a gap
  // in the documentation would change a reply: JSON.stringify writes them as it always did,
  // and the contract test (test/helpers/contract.ts) holds the replies to the schemas. A route
  // with its own serializerCompiler (POST /votes' receipts) keeps it.
  app.addHook('onRoute', (route) => {
    route.serializerCompiler ??= () => (data) => JSON.stringify(data);
  });
  // JSON only: without this, fastify would parse text/plain bodies and answer 400, not 415.
  app.removeContentTypeParser('text/plain');
  installJsonParser(app);
  installErrorHandler(app);
  registerAbuseLimits(app, config);
  return app;
}
