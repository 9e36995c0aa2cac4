// The log's contract for sealed polls (streams/schemas/poll-created.json): a sealed poll is a
// PollCreated v5 carrying `results: "afterClose"`; older versions cannot carry it, so a node
// that predates sealing refuses the entry (and serves nothing of the poll) instead of showing
// its tally.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { definePoll, isRefusal, type PollInput } from '../../src/domain/poll-rules.ts';
import { validateEvent } from '../../src/log/schemas.ts';

const SEED = 'cd'.repeat(16);
const SECRET = { secrecy: 'pseudonymous', tagCheck: 'A'.repeat(43) } as const;
const defined = (extra: Partial<PollInput> = {}): Poll => {
  const poll = definePoll({ id: 's', title: 'Sealed', options: ['a', 'b', 'c'], ...extra }, 1);
  if (isRefusal(poll)) throw new Error(poll.message);
  return poll;
};
const created = (v: number, poll: unknown) => () =>
  validateEvent({ type: 'PollCreated', v, poll } as { type: string });

const schema = suite('PollCreated v5: a sealed poll');

schema('v5 carries results, with any method, voter rule and secrecy', () => {
  created(5, defined({ results: 'afterClose' }))();
  created(5, defined({ results: 'afterClose', voterAuth: 'token' }))();
  created(5, defined({ results: 'afterClose', method: 'stv', seats: 2, seed: SEED }))();
  created(5, defined({ results: 'afterClose', ...SECRET }))();
});

schema('v1 to v4 cannot carry results; v5 must', () => {
  const sealed = defined({ results: 'afterClose' });
  // Each otherwise a valid poll of its version: only `results` is wrong.
  assert.throws(created(1, sealed), /results/, 'v1');
  assert.throws(created(2, defined({ results: 'afterClose', voterAuth: 'token' })), /results/);
  assert.throws(
    created(3, defined({ results: 'afterClose', method: 'irv', seed: SEED })),
    /results/,
    'v3',
  );
  assert.throws(created(4, defined({ results: 'afterClose', ...SECRET })), /results/, 'v4');
  assert.throws(created(5, defined()), /results/);
  assert.throws(created(5, { ...sealed, results: 'live' }), /results/, 'live is never stored');
});

schema('a ranked v5 poll still needs its seed, a secret one its tagCheck', () => {
  const { seed: _seed, ...unseeded } = defined({
    results: 'afterClose',
    method: 'irv',
    seed: SEED,
  });
  assert.throws(created(5, unseeded), /seed/);
  assert.throws(created(5, { ...defined({ results: 'afterClose' }), seed: SEED }), /seed/);
  const { tagCheck: _tagCheck, ...unchecked } = defined({ results: 'afterClose', ...SECRET });
  assert.throws(created(5, unchecked), /tagCheck/);
  assert.throws(created(5, { ...defined({ results: 'afterClose' }), tagCheck: SECRET.tagCheck }));
});

schema.run();
