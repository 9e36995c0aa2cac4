// Admin routes need `Authorization: Bearer <VS_ADMIN_TOKEN>`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { VoteStreamError } from '../errors.ts';

/** A preHandler that admits only the admin token: 401 without one, 403 with a wrong one. */
export function requireAdmin(adminToken: string | undefined) {
  // Digests have equal length, so timingSafeEqual never leaks the token's length.
  const expected = adminToken ? digest(adminToken) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token =
      typeof header === 'string' ? header.match(/^Bearer\s+(\S+)\s*$/i)?.[1] : undefined;
    if (!token) throw new VoteStreamError('UNAUTHORIZED', 'an admin bearer token is required');
    if (!expected)
      throw new VoteStreamError(
        'FORBIDDEN',
        'admin routes are disabled: VS_ADMIN_TOKEN is not set',
      );
    if (!timingSafeEqual(digest(token), expected))
      throw new VoteStreamError('FORBIDDEN', 'the admin token is wrong');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
