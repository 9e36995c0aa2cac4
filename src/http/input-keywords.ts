// Schema keywords that hand a string to the domain's own parser, so a route's schema accepts
// exactly what the code after it can use, and says why it refuses the rest (a 400
// VALIDATION_FAILED naming the field). Registered on fastify's ajv and on the batch's.
import type { Ajv, SchemaValidateFunction } from 'ajv';
import { isIdRefusal, isWellFormed, normalizeId } from '../domain/identity.ts';
import { isInstantRefusal, parseInstant } from '../domain/instant.ts';

/** `identity: true`: a voter or vote id under the identity policy (src/domain/identity.ts). */
const identity: SchemaValidateFunction = (_schema: boolean, data: string) => {
  const id = normalizeId(data);
  identity.errors = isIdRefusal(id) ? [failure('identity', id.message)] : [];
  return !isIdRefusal(id);
};

/** `instant: true`: a date-time string the domain's instant parser takes. */
const instant: SchemaValidateFunction = (_schema: boolean, data: string) => {
  const ms = parseInstant(data);
  instant.errors = isInstantRefusal(ms) ? [failure('instant', ms.message)] : [];
  return !isInstantRefusal(ms);
};

/** `wellFormed: true`: text without unpaired surrogates, which UTF-8 cannot carry. */
const wellFormed: SchemaValidateFunction = (_schema: boolean, data: string) => {
  const ok = isWellFormed(data);
  wellFormed.errors = ok ? [] : [failure('wellFormed', 'contains an unpaired surrogate')];
  return ok;
};

/** Adds the keywords to an ajv instance (fastify's `ajv.plugins` calls it with its own). */
export function addInputKeywords(ajv: Ajv): Ajv {
  for (const [keyword, validate] of [
    ['identity', identity],
    ['instant', instant],
    ['wellFormed', wellFormed],
  ] as const) {
    ajv.addKeyword({ keyword, type: 'string', schemaType: 'boolean', errors: true, validate });
  }
  return ajv;
}

function failure(keyword: string, message: string) {
  return { keyword, message, params: {} };
}
