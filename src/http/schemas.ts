// Request schemas for fastify's ajv. Nothing extra is accepted and nothing is coerced. The
// keywords identity, instant and wellFormed (./input-keywords.ts) run the domain's own parsers,
// so what a schema accepts is exactly what the code after it can use.
import { MAX_ID_SPELLING } from '../domain/identity.ts';
import { MAX_INSTANT } from '../domain/instant.ts';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
/**
 * Voter and vote ids under the identity policy (src/domain/identity.ts): any spelling of an
 * id of at most 128 characters once normalized; the route then uses its NFC form.
 */
const IDENTITY = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_ID_SPELLING,
  identity: true,
} as const;
/** Milliseconds since 1970, or a date-time the domain's parseInstant takes. */
const INSTANT = {
  anyOf: [
    { type: 'string', instant: true },
    { type: 'integer', minimum: 0, maximum: MAX_INSTANT },
  ],
} as const;

export const pollIdParams = {
  type: 'object',
  required: ['pollId'],
  properties: { pollId: ID },
} as const;

export const voterParams = {
  type: 'object',
  required: ['pollId', 'voterId'],
  properties: { pollId: ID, voterId: IDENTITY },
} as const;

export const membersBody = {
  type: 'object',
  additionalProperties: false,
  required: ['members'],
  properties: {
    members: { type: 'array', minItems: 1, maxItems: 64, uniqueItems: true, items: ID },
  },
} as const;

export const voteIdParams = {
  type: 'object',
  required: ['voteId'],
  properties: { voteId: IDENTITY },
} as const;

export const pollBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'options'],
  properties: {
    id: ID,
    title: { type: 'string', minLength: 1, maxLength: 500, wellFormed: true },
    options: {
      type: 'array',
      minItems: 2,
      maxItems: 64,
      items: {
        anyOf: [
          ID,
          {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: {
              id: ID,
              label: { type: 'string', minLength: 1, maxLength: 200, wellFormed: true },
            },
          },
        ],
      },
    },
    maxChoices: { type: 'integer', minimum: 1, maximum: 64 },
    revote: { enum: ['reject', 'replace'] },
    opensAt: INSTANT,
    closesAt: INSTANT,
    voterAuth: { enum: ['open', 'token'] },
    method: { enum: ['plurality', 'irv', 'stv', 'schulze'] },
    seats: { type: 'integer', minimum: 2, maximum: 63 },
    maxRanks: { type: 'integer', minimum: 1, maximum: 64 },
    batchElimination: { type: 'boolean' },
    roll: { type: 'boolean' },
    weighted: { type: 'boolean' },
    secrecy: { enum: ['none', 'pseudonymous'] },
    results: { enum: ['live', 'afterClose'] },
  },
} as const;

export const voteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['pollId', 'voterId', 'choices'],
  properties: {
    pollId: ID,
    voterId: IDENTITY,
    voteId: IDENTITY,
    // Any short string: one that is not an option is a 422 UNKNOWN_OPTION, not a 400.
    choices: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    },
    // Any short string: a malformed token on a token poll is a 403 VOTER_TOKEN_INVALID like a
    // forged one, not a 400 that would tell a forger which guesses are well-formed.
    token: { type: 'string', maxLength: 128 },
  },
} as const;

export const MAX_BATCH = 1000;

export const batchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['votes'],
  properties: {
    // Items are checked one by one, so one bad vote does not sink the batch.
    votes: { type: 'array', minItems: 1, maxItems: MAX_BATCH },
  },
} as const;

/** Voter ids per POST /polls/:pollId/tokens; the CLI sends larger lists in chunks of this. */
export const MAX_TOKENS = 1000;

export const tokensBody = {
  type: 'object',
  additionalProperties: false,
  required: ['voters'],
  properties: {
    voters: { type: 'array', minItems: 1, maxItems: MAX_TOKENS, items: IDENTITY },
  },
} as const;

/** Voters per POST /polls/:pollId/roll; `votestream roll` sends larger rolls in chunks of this. */
export const MAX_ROLL_VOTERS = 1000;

export const rollBody = {
  type: 'object',
  additionalProperties: false,
  required: ['voters'],
  properties: {
    voters: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ROLL_VOTERS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['voterId'],
        properties: {
          voterId: IDENTITY,
          // A positive integer below 2^53, so JSON.parse's rounding of a longer number never
          // reaches the roll (9007199254740993 is refused, whatever it rounds to).
          weight: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
    },
  },
} as const;

/** Voter ids per POST /polls/:pollId/participation; the CLI sends larger lists in chunks. */
export const MAX_PARTICIPATION = 1000;

export const participationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['voters'],
  properties: {
    voters: { type: 'array', minItems: 1, maxItems: MAX_PARTICIPATION, items: IDENTITY },
  },
} as const;
