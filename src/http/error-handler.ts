// The one place errors become responses: {"error":{"code","message",…}} with a fitting status.
// Nothing a client sends may become a 500: parser and schema errors are 4xx, storage faults 503.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { type ErrorCode, VoteStreamError } from '../errors.ts';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** ioredis and Redis errors that mean "the log is unavailable right now". */
const STORAGE_FAULT =
  /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Stream isn't writeable|CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Reached the max retries|Command timed out/i;

export function sendError(reply: FastifyReply, error: VoteStreamError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply.status(error.status).send({
    error: { code: error.code, message: error.message, ...(error.details ?? {}) },
  });
}

export function toVoteStreamError(error: unknown): VoteStreamError | undefined {
  if (error instanceof VoteStreamError) return error;
  const e = error as FastifyError & {
    validation?: { instancePath?: string; params?: Record<string, unknown> }[];
  };
  if (e.validation) {
    const first = e.validation[0];
    const missing = first?.params?.missingProperty as string | undefined;
    const extra = first?.params?.additionalProperty as string | undefined;
    const path = (first?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const field =
      [path, missing ?? extra].filter(Boolean).join('.') || (e.validationContext ?? 'body');
    return new VoteStreamError('VALIDATION_FAILED', e.message, { field });
  }
  const code = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (code) return new VoteStreamError(code, e.message);
  if (
    e instanceof SyntaxError ||
    (e.statusCode === 400 && /JSON|prototype|constructor/i.test(e.message))
  ) {
    return new VoteStreamError('INVALID_JSON', e.message);
  }
  if (
    STORAGE_FAULT.test(e.message ?? '') ||
    e.name === 'ReplyError' ||
    e.name === 'MaxRetriesPerRequestError'
  ) {
    return new VoteStreamError('STORAGE_UNAVAILABLE');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new VoteStreamError('BAD_REQUEST', e.message);
  }
  return undefined;
}

/**
 * Fastify's `frameworkErrors` option: a bad percent-encoding or an overlong path parameter is
 * refused by the router before any route runs; without this it would answer in its own shape.
 */
export function frameworkErrors(error: FastifyError, _request: unknown, reply: FastifyReply) {
  return sendError(reply, toVoteStreamError(error) ?? new VoteStreamError('BAD_REQUEST'));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toVoteStreamError(error);
    if (known) {
      if (known.status >= 500)
        request.log.warn({ err: (error as Error).message, code: known.code }, 'request failed');
      return sendError(reply, known);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, new VoteStreamError('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new VoteStreamError(
        'NOT_FOUND',
        `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
      ),
    ),
  );
}
