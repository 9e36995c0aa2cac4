// Voter and vote ids as routes use them: the NFC form the identity policy gives, so sharding,
// tokens, the one-vote index and lookups all see one spelling (src/domain/identity.ts).
import { isIdRefusal, normalizeId } from '../domain/identity.ts';
import { VoteStreamError } from '../errors.ts';

/**
 * The id `text` stands for, or the 400 that names `field`. Route schemas refuse such text
 * before a handler runs (the `identity` keyword); this keeps the handler from trusting that.
 */
export function idOrRefusal(text: string, field: string): string | VoteStreamError {
  const id = normalizeId(text);
  if (!isIdRefusal(id)) return id;
  return new VoteStreamError('VALIDATION_FAILED', `${field} ${id.message}`, { field });
}

/** idOrRefusal for a handler that throws its refusals. */
export function normalizedId(text: string, field: string): string {
  const id = idOrRefusal(text, field);
  if (id instanceof VoteStreamError) throw id;
  return id;
}
