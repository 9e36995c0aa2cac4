// The first step of every handler that must reach Redis to answer (an append, an admin write,
// a read of the log): while the node is not connected, 503 STORAGE_UNAVAILABLE with Retry-After
// at once. Without it the request waited in the Redis client's offline queue for as long as the
// outage lasted and then ran — a member change, a poll, a roll entry written minutes after its
// client had given up (test/log/redis-outage.test.ts).
import { VoteStreamError } from '../errors.ts';
import type { AppContext } from './context.ts';

/** @throws VoteStreamError STORAGE_UNAVAILABLE when `ctx.ready()` is false. */
export function ensureReady(ctx: AppContext): void {
  if (!ctx.ready())
    throw new VoteStreamError('STORAGE_UNAVAILABLE', 'the node is not connected to Redis');
}
