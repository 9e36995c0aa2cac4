// Cutting a stream of votes (or voter ids) into requests the routes take: at most `maxItems`
// each and, for POST /votes/batch, a JSON body under the route's size limit.
import { MAX_BATCH } from '../http/schemas.ts';

/** The body limit of POST /votes/batch (src/http/vote-routes.ts: 1 MiB). */
export const BATCH_BODY_BYTES = 1024 * 1024;

/** Room left for the envelope `{"votes":[…]}` and for ids a node may add: none, but be safe. */
const ENVELOPE_BYTES = 1024;

/** What one batch request may hold. */
export interface BatchLimits {
  /** Items per request (POST /votes/batch: 1000). */
  maxItems: number;
  /** Bytes of the items' JSON per request, commas included. */
  maxBytes: number;
}

export const VOTE_BATCH_LIMITS: BatchLimits = {
  maxItems: MAX_BATCH,
  maxBytes: BATCH_BODY_BYTES - ENVELOPE_BYTES,
};

/**
 * The items of `items`, in order, in arrays of at most `limits.maxItems` whose JSON takes at
 * most `limits.maxBytes` (an item larger than that alone goes alone: the node refuses it with
 * 413, which is the caller's to see).
 */
export async function* chunked<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limits: BatchLimits,
): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for await (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (chunk.length > 0 && (chunk.length >= limits.maxItems || bytes + size > limits.maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
