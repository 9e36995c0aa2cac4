// Every body a route's schema takes is one the code behind it can use: a poll it creates fits
// the PollCreated schema and shows as ISO times, a vote it takes fits VoteCast. Generated
// bodies go through the node's own HTTP server (its ajv, keywords and error handler) to probe
// routes that run the routes' own pure steps and then the event schemas; a mismatch is a 500.
// No Redis: nothing is written, so every class of input can be tried, valid ones included.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config.ts';
import type { PollCreated } from '../../src/domain/events.ts';
import { definePoll, isRefusal, pollCreatedVersion } from '../../src/domain/poll-rules.ts';
import { VoteStreamError } from '../../src/errors.ts';
import { httpServer } from '../../src/http/app.ts';
import { type Ballot, prepareVote } from '../../src/http/cast-vote.ts';
import { type PollBody, pollOf } from '../../src/http/poll-routes.ts';
import { pollBody, voteBody } from '../../src/http/schemas.ts';
import { encodeVote } from '../../src/log/codec.ts';
import { validateEvent } from '../../src/log/schemas.ts';
import { createLogger } from '../../src/logger.ts';
import {
  dateTimeLike,
  illFormedText,
  lengthEdgeId,
  refusedId,
  respelledId,
  widthMix,
} from './fuzz-input-classes.ts';

const NOW = 1_700_000_000_000;
const RUNS = 3000;

const VOTER_SECRET = 'schema-agreement-voter-secret-0123456789';
const poll = definePoll(
  { id: 'probe', title: 'Probe', options: ['a', 'b', 'c'], maxChoices: 3 },
  0,
);
if (isRefusal(poll)) throw new Error(poll.message);
/** The same poll, secret: its ballots carry voter tags. */
const secretPoll = pollOf(
  { id: 'probe', title: 'Probe', options: ['a', 'b', 'c'], secrecy: 'pseudonymous' },
  0,
  VOTER_SECRET,
);

const app = httpServer(
  loadConfig({ VS_LOG_LEVEL: 'silent' }, {}),
  createLogger({ level: 'silent' }),
);
app.post<{ Body: PollBody }>('/probe/polls', { schema: { body: pollBody } }, async (request) => {
  const defined = pollOf(request.body, NOW, VOTER_SECRET);
  const event: PollCreated = { type: 'PollCreated', v: pollCreatedVersion(defined), poll: defined };
  validateEvent(event);
  // What GET /polls shows: ISO times (toISOString throws past what a Date holds).
  for (const at of [defined.opensAt, defined.closesAt])
    if (at !== undefined) new Date(at).toISOString();
  return { ok: true };
});
app.post<{ Body: Ballot }>('/probe/votes', { schema: { body: voteBody } }, async (request) => {
  for (const p of [poll, secretPoll]) {
    const vote = prepareVote({ poll: p, closed: false }, request.body, NOW, VOTER_SECRET, 16);
    if (vote instanceof VoteStreamError) throw vote;
    encodeVote(vote);
  }
  return { ok: true };
});
/** Posts `body`; fails on a 5xx, i.e. a value the schema took and the code could not use. */
async function probe(url: string, body: unknown): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  if (res.statusCode >= 500)
    throw new Error(`${res.statusCode} for ${JSON.stringify(body)}: ${res.body}`);
  return res.statusCode;
}

const anyId = fc.oneof(
  refusedId,
  lengthEdgeId,
  respelledId.map((r) => r.spelling),
  widthMix(1, 140),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 130 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 130 }),
);
const anyInstant = fc.oneof(
  dateTimeLike,
  fc.integer({ min: 0, max: 8.64e15 }).map((ms) => new Date(ms).toISOString()),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 8.64e15, 8.64e15 + 1, 2 ** 53, -0, 1e21),
);
const anyText = (max: number) =>
  fc.oneof(
    widthMix(1, max + 20),
    illFormedText,
    fc.string({ unit: 'binary', maxLength: max + 20 }),
  );

const agree = suite('route schemas and the code behind them agree');

agree.after(async () => {
  await app.close();
});

agree(`${RUNS} poll bodies: what the schema takes fits PollCreated and shows as ISO`, async () => {
  let created = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record(
        {
          title: anyText(500),
          options: fc
            .constantFrom(['a', 'b'], ['a', { id: 'b', label: 'B' }])
            .chain((o) => anyText(200).map((label) => [...o, { id: 'c', label }])),
          opensAt: anyInstant,
          closesAt: anyInstant,
          secrecy: fc.constantFrom('none', 'pseudonymous'),
          voterAuth: fc.constantFrom('open', 'token'),
          results: fc.constantFrom('live', 'afterClose'),
        },
        { requiredKeys: ['title', 'options'] },
      ),
      async (body) => {
        if ((await probe('/probe/polls', body)) === 200) created++;
      },
    ),
    { numRuns: RUNS },
  );
  // A generator that the schema always refused would prove nothing.
  assert.ok(created > RUNS / 10, `only ${created} of ${RUNS} bodies were taken`);
});

agree(`${RUNS} ballots: what the schema takes fits VoteCast`, async () => {
  let taken = 0;
  await fc.assert(
    fc.asyncProperty(anyId, fc.option(anyId, { nil: undefined }), async (voterId, voteId) => {
      const body = { pollId: 'probe', voterId, choices: ['a'], ...(voteId ? { voteId } : {}) };
      if ((await probe('/probe/votes', body)) === 200) taken++;
    }),
    { numRuns: RUNS },
  );
  assert.ok(taken > RUNS / 10, `only ${taken} of ${RUNS} ballots were taken`);
});

agree.run();
