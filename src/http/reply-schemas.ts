// Reply schemas: what each route answers, by status. They document the API (the OpenAPI
// document is generated from them, src/http/openapi.ts) and the contract test checks every
// reply the test suite receives against that document. They do not shape replies: app.ts keeps
// JSON.stringify as the serializer (POST /votes' receipts excepted), so a field missing here is
// a contract-test failure, never a field silently dropped. Success schemas are exported `as
// const` by name, so a typed client can derive its types with json-schema-to-ts' FromSchema.
import { ERRORS, type ErrorCode } from '../errors.ts';

const STRING = { type: 'string' } as const;
const INTEGER = { type: 'integer' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
/** Exact decimal figures of a count (weights and STV fractions do not fit a float). */
const DECIMAL = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' } as const;
/** Date.toISOString(): years past 9999 are signed and 6 digits long, so not format date-time. */
const ISO_TIME = {
  type: 'string',
  pattern: '^([0-9]{4}|[+-][0-9]{6})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$',
} as const;
const COUNTS = { type: 'object', additionalProperties: COUNT } as const;

export const receipt = {
  type: 'object',
  required: ['voteId', 'pollId', 'shard', 'seq', 'entryId', 'hash'],
  properties: {
    voteId: STRING,
    pollId: STRING,
    shard: COUNT,
    seq: COUNT,
    entryId: STRING,
    hash: STRING,
    weight: { type: 'integer', minimum: 1 },
  },
} as const;

/** POST /votes, 201 (appended) and 200 (the same voteId again: the first receipt). */
export const receiptReply = {
  type: 'object',
  required: ['receipt'],
  properties: { receipt },
  examples: [
    {
      receipt: {
        voteId: 'v-3f9c',
        pollId: 'lunch',
        shard: 5,
        seq: 42,
        entryId: '1764493200000-0',
        hash: '6b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c',
      },
    },
  ],
} as const;

/** The error body of every 4xx and 5xx: `code` is stable, `message` for people; details vary. */
export const errorReply = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { enum: Object.keys(ERRORS) as ErrorCode[] },
        message: STRING,
        field: { type: 'string', description: 'VALIDATION_FAILED: the field refused' },
      },
    },
  },
} as const;

/** A poll as the API shows it: its definition, times in ISO 8601, and its status now. */
export const poll = {
  type: 'object',
  required: [
    'id',
    'title',
    'options',
    'maxChoices',
    'revote',
    'createdAt',
    'method',
    'voterAuth',
    'roll',
    'weighted',
    'secrecy',
    'results',
    'status',
  ],
  properties: {
    id: STRING,
    title: STRING,
    options: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: STRING, label: STRING },
      },
    },
    maxChoices: INTEGER,
    maxRanks: INTEGER,
    revote: { enum: ['reject', 'replace'] },
    opensAt: ISO_TIME,
    closesAt: ISO_TIME,
    createdAt: ISO_TIME,
    method: { enum: ['plurality', 'irv', 'stv', 'schulze'] },
    seats: INTEGER,
    batchElimination: { type: 'boolean' },
    seed: { type: 'string', description: 'Ranked polls: the seed every lot is drawn from (hex)' },
    voterAuth: { enum: ['open', 'token'] },
    roll: { type: 'boolean' },
    weighted: { type: 'boolean' },
    secrecy: { enum: ['none', 'pseudonymous'] },
    tagCheck: STRING,
    results: { enum: ['live', 'afterClose'] },
    status: {
      enum: ['scheduled', 'open', 'closed', 'final'],
      description: 'final: closed, and every ballot committed on this node: the result is fixed',
    },
  },
} as const;

const POLL_EXAMPLE = {
  id: 'lunch',
  title: 'Where do we eat?',
  options: [{ id: 'pizza' }, { id: 'sushi', label: 'Sushi bar' }],
  maxChoices: 1,
  revote: 'reject',
  createdAt: '2026-11-30T08:00:00.000Z',
  method: 'plurality',
  voterAuth: 'open',
  roll: false,
  weighted: false,
  secrecy: 'none',
  results: 'live',
  status: 'open',
} as const;

export const pollReply = {
  type: 'object',
  required: ['poll'],
  properties: { poll },
  examples: [{ poll: POLL_EXAMPLE }],
} as const;

export const pollsReply = {
  type: 'object',
  required: ['polls'],
  properties: { polls: { type: 'array', items: poll } },
} as const;

export const closeReply = {
  type: 'object',
  required: ['poll', 'alreadyClosed', 'barriers'],
  properties: {
    poll,
    alreadyClosed: { type: 'boolean' },
    barriers: {
      type: 'array',
      description: 'The PollClosed barrier appended to each shard',
      items: {
        type: 'object',
        required: ['shard', 'seq'],
        properties: { shard: COUNT, seq: COUNT },
      },
    },
  },
} as const;

export const tokensReply = {
  type: 'object',
  required: ['pollId', 'tokens'],
  properties: {
    pollId: STRING,
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        required: ['voterId', 'token'],
        properties: { voterId: STRING, token: STRING },
      },
    },
  },
} as const;

export const rollReply = {
  type: 'object',
  required: ['pollId', 'added', 'weight', 'unchanged', 'commitments'],
  properties: {
    pollId: STRING,
    added: COUNT,
    weight: COUNT,
    unchanged: COUNT,
    commitments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['shard', 'seq', 'count', 'weight', 'sha256'],
        properties: { shard: COUNT, seq: COUNT, count: COUNT, weight: COUNT, sha256: STRING },
      },
    },
  },
} as const;

/**
 * ROLL_CONFLICT's `voters` (POST /polls/:pollId/roll, 409): the request's voters on the roll
 * with another weight, at most 10. `index` is the voter's place in the request's `voters`:
 * in a secret poll `voterId` is the voter's tag, which the client cannot match to its id.
 */
export const rollConflictVoters = {
  type: 'array',
  description: "ROLL_CONFLICT: the request's voters on the roll with another weight (at most 10)",
  maxItems: 10,
  items: {
    type: 'object',
    required: ['index', 'voterId', 'weight', 'onRoll'],
    additionalProperties: false,
    properties: {
      index: { ...COUNT, description: "the voter's place in the request's voters, from 0" },
      voterId: { ...STRING, description: "as the log records it: a secret poll's voter tag" },
      weight: { type: 'integer', minimum: 1, description: 'the weight in the request' },
      onRoll: { type: 'integer', minimum: 1, description: 'the weight on the roll' },
    },
  },
} as const;

export const participationReply = {
  type: 'object',
  required: ['voted', 'notVoted'],
  properties: {
    voted: { type: 'array', items: STRING },
    notVoted: { type: 'array', items: STRING },
  },
} as const;

/** One item of a batch reply, in request order: a receipt, or this vote's own error. */
export const batchReply = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        anyOf: [
          {
            type: 'object',
            required: ['status', 'receipt'],
            properties: { status: { enum: [200, 201] }, receipt },
          },
          {
            type: 'object',
            required: ['status', 'error'],
            properties: {
              status: { enum: [400, 403, 404, 409, 422, 503] },
              error: errorReply.properties.error,
            },
          },
        ],
      },
    },
  },
} as const;

export const voteLookupReply = {
  type: 'object',
  required: ['receipt', 'status', 'folded'],
  properties: {
    receipt,
    status: { enum: ['pending', 'finalized', 'superseded', 'void'] },
    folded: { type: 'boolean', description: 'Whether this node has folded the vote yet' },
  },
} as const;

export const voterVoteReply = {
  type: 'object',
  required: ['vote'],
  properties: {
    vote: {
      type: 'object',
      required: ['pollId', 'voterId', 'seq', 'status', 'finalized', 'shard'],
      properties: {
        pollId: STRING,
        voterId: STRING,
        seq: COUNT,
        shard: COUNT,
        choices: { type: 'array', items: STRING, description: 'Absent while the poll is sealed' },
        status: { enum: ['pending', 'finalized'] },
        finalized: {
          anyOf: [
            { type: 'object', required: ['seq'], properties: { seq: COUNT, choices: {} } },
            { type: 'null' },
          ],
        },
        sealed: { const: true },
      },
    },
  },
} as const;

const PROGRESS = {
  type: 'array',
  items: {
    type: 'object',
    required: ['shard', 'appliedSeq', 'committedSeq'],
    properties: { shard: COUNT, appliedSeq: COUNT, committedSeq: COUNT },
  },
} as const;
const SPLIT = {
  type: 'object',
  required: ['finalized', 'pending'],
  properties: { finalized: COUNT, pending: COUNT },
} as const;

const TALLY_FIGURES = {
  pollId: STRING,
  ballots: SPLIT,
  revotesPending: COUNT,
  weight: SPLIT,
  roll: {
    type: 'object',
    required: ['voters', 'weight'],
    properties: { voters: COUNT, weight: COUNT },
  },
  shards: PROGRESS,
} as const;

/**
 * A poll's tally; a sealed poll's (`sealed: true`) has no per-option figures. Two closed
 * shapes, so a client tells them apart by `'sealed' in tally` (and a field the route starts
 * sending fails the contract test until it is documented here).
 */
export const tallyReply = {
  anyOf: [
    {
      type: 'object',
      required: ['pollId', 'finalized', 'pending', 'ballots', 'revotesPending', 'shards'],
      additionalProperties: false,
      properties: { ...TALLY_FIGURES, finalized: COUNTS, pending: COUNTS },
    },
    {
      type: 'object',
      required: ['pollId', 'ballots', 'revotesPending', 'shards', 'sealed'],
      additionalProperties: false,
      properties: { ...TALLY_FIGURES, sealed: { const: true } },
    },
  ],
  examples: [
    {
      pollId: 'lunch',
      finalized: { pizza: 3, sushi: 2 },
      pending: { pizza: 1, sushi: 0 },
      ballots: { finalized: 5, pending: 1 },
      revotesPending: 0,
      shards: [{ shard: 0, appliedSeq: 12, committedSeq: 11 }],
    },
  ],
} as const;

const CANDIDATES = { type: 'array', items: STRING } as const;
const DECIMALS = { type: 'object', additionalProperties: DECIMAL } as const;

/** Where a candidate's ballots went at the end of a round (src/domain/count/result.ts). */
const TRANSFER = {
  type: 'object',
  required: ['from', 'kind', 'to', 'exhausted'],
  properties: {
    from: STRING,
    kind: { enum: ['elimination', 'surplus', 'exclusion'] },
    to: DECIMALS,
    exhausted: DECIMAL,
    residual: DECIMAL,
  },
} as const;

/**
 * One round of a count, the fields of every method in one shape (plurality: round and tally;
 * IRV: tally to transfers; STV: action to residual); which are present follows `method`.
 */
const ROUND = {
  type: 'object',
  required: ['round'],
  properties: {
    round: COUNT,
    tally: DECIMALS,
    continuing: DECIMAL,
    exhausted: DECIMAL,
    threshold: DECIMAL,
    elected: CANDIDATES,
    eliminated: CANDIDATES,
    transfers: { type: 'array', items: TRANSFER },
    action: { enum: ['first-preferences', 'surplus', 'exclusion'] },
    candidate: STRING,
    surplus: DECIMAL,
    votes: DECIMALS,
    excluded: CANDIDATES,
    nonTransferable: DECIMAL,
    residual: DECIMAL,
  },
} as const;

/** How one tie was decided: by earlier rounds, or by lot. */
const TIE_BREAK = {
  type: 'object',
  required: ['round', 'reason', 'candidates', 'chosen', 'by'],
  properties: {
    round: COUNT,
    reason: { enum: ['elimination', 'final-two', 'exclusion', 'surplus-order', 'ranking'] },
    candidates: CANDIDATES,
    chosen: STRING,
    by: { enum: ['earlier-round', 'lot'] },
    decidedAt: COUNT,
    lot: { enum: ['seed', 'order'] },
    drawnFrom: CANDIDATES,
  },
} as const;

/**
 * A poll counted by its method. Fields that only some methods have (quota, ranking, …) are
 * optional here; a sealed poll's result has no count at all.
 */
export const resultsReply = {
  type: 'object',
  required: ['pollId', 'method', 'provisional', 'ballots'],
  properties: {
    pollId: STRING,
    method: { enum: ['plurality', 'irv', 'stv', 'schulze'] },
    provisional: { type: 'boolean' },
    sealed: { const: true },
    seats: COUNT,
    maxChoices: COUNT,
    batchElimination: { type: 'boolean' },
    rule: { const: 'scottish' },
    ballots: DECIMAL,
    blank: DECIMAL,
    exhausted: DECIMAL,
    quota: DECIMAL,
    residual: DECIMAL,
    winners: CANDIDATES,
    ranking: CANDIDATES,
    finalVotes: DECIMALS,
    pairwise: { type: 'object', additionalProperties: DECIMALS },
    strongestPaths: { type: 'object', additionalProperties: DECIMALS },
    rounds: { type: 'array', items: ROUND },
    tieBreaks: { type: 'array', items: TIE_BREAK },
    weighted: { const: true },
    voters: DECIMAL,
    roll: {
      type: 'object',
      required: ['voters', 'weight'],
      properties: { voters: DECIMAL, weight: DECIMAL },
    },
  },
} as const;

export const healthReply = {
  type: 'object',
  required: ['status', 'nodeId', 'durability'],
  properties: {
    status: { enum: ['ready', 'unavailable'] },
    nodeId: STRING,
    durability: { enum: ['replica', 'local'] },
  },
} as const;

const NULLABLE_COUNT = { type: ['integer', 'null'] } as const;
const NULLABLE_NUMBER = { type: ['number', 'null'] } as const;
const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const ROLE = { enum: ['leader', 'follower', 'candidate', 'observer'] } as const;

/** GET /cluster: this node's view of roles, terms, members, clock and every shard. */
export const clusterReply = {
  type: 'object',
  required: ['nodeId', 'role', 'term', 'leader', 'quorum', 'members', 'clock', 'shards'],
  properties: {
    nodeId: STRING,
    role: ROLE,
    term: COUNT,
    leader: {
      anyOf: [
        {
          type: 'object',
          required: ['nodeId', 'term', 'address'],
          properties: { nodeId: STRING, term: COUNT, address: STRING },
        },
        { type: 'null' },
      ],
    },
    quorum: COUNT,
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['nodeId', 'member', 'status'],
        properties: {
          nodeId: STRING,
          member: { type: 'boolean' },
          status: {
            enum: ['alive', 'suspect', 'dead'],
            description: 'Liveness from its heartbeats',
          },
          role: { anyOf: [ROLE, { type: 'null' }] },
          term: NULLABLE_COUNT,
          address: NULLABLE_STRING,
          lastHeartbeatAgeMs: NULLABLE_NUMBER,
          clockDeltaMs: NULLABLE_NUMBER,
          uptimeMs: NULLABLE_NUMBER,
          divergent: {
            type: 'array',
            description: "Its Applied reports that disagree with this node's fold",
            items: {
              type: 'object',
              required: ['nodeId', 'shard', 'seq', 'theirs', 'mine'],
              properties: {
                nodeId: STRING,
                shard: COUNT,
                seq: COUNT,
                theirs: STRING,
                mine: STRING,
              },
            },
          },
        },
      },
    },
    clock: {
      type: 'object',
      required: ['now', 'offsetMs'],
      properties: {
        now: ISO_TIME,
        offsetMs: { type: 'number' },
        uncertaintyMs: NULLABLE_NUMBER,
        samples: COUNT,
        leaderClock: { anyOf: [ISO_TIME, { type: 'null' }] },
      },
    },
    shards: {
      type: 'array',
      items: {
        type: 'object',
        required: ['shard', 'headSeq', 'appliedSeq', 'committedSeq', 'lag', 'appliedBy'],
        properties: {
          shard: COUNT,
          headSeq: NULLABLE_COUNT,
          appliedSeq: COUNT,
          committedSeq: COUNT,
          lag: { type: 'object', additionalProperties: NULLABLE_COUNT },
          appliedBy: { type: 'object', additionalProperties: COUNT },
          chainBreaks: COUNT,
          broken: {
            type: 'object',
            description: 'Set while the log itself is broken (the same break after a refold)',
            required: ['reason', 'entryId', 'expectedSeq', 'gotSeq', 'message'],
            properties: {
              reason: {
                enum: ['gap', 'repeat', 'hash', 'marker-hash', 'marker-ahead', 'invalid-entry'],
              },
              entryId: STRING,
              expectedSeq: INTEGER,
              gotSeq: INTEGER,
              message: STRING,
            },
          },
          durable: { type: ['boolean', 'null'] },
          durableReason: { type: ['string', 'null'] },
          replicasInSync: NULLABLE_COUNT,
        },
      },
    },
  },
} as const;

export const digestsReply = {
  type: 'object',
  required: ['nodeId', 'shards'],
  properties: {
    nodeId: STRING,
    shards: {
      type: 'array',
      items: {
        type: 'object',
        required: ['shard', 'appliedSeq', 'committedSeq', 'headHash', 'digest'],
        properties: {
          shard: COUNT,
          appliedSeq: COUNT,
          committedSeq: COUNT,
          headHash: STRING,
          digest: STRING,
        },
      },
    },
  },
} as const;

export const membersReply = {
  type: 'object',
  required: ['members'],
  properties: { members: { type: 'array', items: STRING } },
} as const;
