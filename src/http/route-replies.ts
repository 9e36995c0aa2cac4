// A route's `schema.response`: its success bodies and, per error status, the error body with
// the stable codes the route can answer with there. The codes come from the one table
// (src/errors.ts), so a status is documented exactly when a code the route names has it.
import { ERRORS, type ErrorCode } from '../errors.ts';
import { errorReply } from './reply-schemas.ts';

/** The body parser's refusals: any route that takes a body (POST) can answer them. */
export const BODY_CODES = [
  'BAD_REQUEST',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly ErrorCode[];
/** A path parameter the router (bad percent-encoding, too long) or its schema refuses. */
export const PARAM_CODES = [
  'BAD_REQUEST',
  'URI_TOO_LONG',
  'VALIDATION_FAILED',
] as const satisfies readonly ErrorCode[];
/** requireAdmin (src/http/admin-auth.ts): no bearer token, or not the admin's. */
export const ADMIN_CODES = ['UNAUTHORIZED', 'FORBIDDEN'] as const satisfies readonly ErrorCode[];

/** The admin bearer scheme, as a route's `security`. */
export const ADMIN_SECURITY = [{ admin: [] }];

const RETRY_AFTER = {
  'retry-after': {
    type: 'integer',
    minimum: 1,
    description: 'Seconds to wait before retrying (a vote: with the same voteId)',
  },
};

/** A success reply: its description, and its JSON schema or `{ content }` by media type. */
export type Success = readonly [description: string, schema: object];

/**
 * `schema.response` for a route: `success` by status, then one error body per status of
 * `codes`, each with the enum of those codes, plus INTERNAL (500, never from client input but
 * not impossible), unless `shed` is false OVERLOADED (503, load shedding in abuse-limits.ts),
 * and unless `stopping` is false NOT_READY (503, what a stopping node answers:
 * stopping-replies.ts). 503 and 429 document their Retry-After header.
 */
export function replies(
  success: Record<number, Success>,
  codes: readonly ErrorCode[],
  { shed = true, stopping = true } = {},
): Record<number, object> {
  const all = new Set<ErrorCode>([
    ...codes,
    'INTERNAL',
    ...(shed ? ['OVERLOADED' as const] : []),
    ...(stopping ? ['NOT_READY' as const] : []),
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) {
    const { status } = ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const response: Record<number, object> = {};
  for (const [status, [description, schema]] of Object.entries(success))
    response[Number(status)] = { description, ...schema };
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (response[status]) throw new Error(`status ${status} is both a success and an error`);
    response[status] = errorAt(status, list);
  }
  return response;
}

function errorAt(status: number, codes: readonly ErrorCode[]): object {
  const { error } = errorReply.properties;
  return {
    description: codes.map((code) => `${code}: ${ERRORS[code].message}`).join('. '),
    ...(status === 503 || status === 429 ? { headers: RETRY_AFTER } : {}),
    ...errorReply,
    properties: { error: { ...error, properties: { ...error.properties, code: { enum: codes } } } },
  };
}
