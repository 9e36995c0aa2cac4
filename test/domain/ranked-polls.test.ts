import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import {
  checkBallot,
  definePoll,
  isRefusal,
  type PollInput,
  pollCreatedVersion,
  pollDefinition,
} from '../../src/domain/poll-rules.ts';

const NOW = 1_700_000_000_000;
const SEED = 'ab'.repeat(16);
const input = (extra: Partial<PollInput>): PollInput => ({
  id: 'r',
  title: 'Ranked',
  options: ['a', 'b', 'c', 'd'],
  seed: SEED,
  ...extra,
});
const defined = (extra: Partial<PollInput>): Poll => {
  const poll = definePoll(input(extra), NOW);
  if (isRefusal(poll)) throw new Error(poll.message);
  return poll;
};
const refusedField = (extra: Partial<PollInput>) => {
  const refusal = definePoll(input(extra), NOW);
  assert.ok(isRefusal(refusal), `${JSON.stringify(extra)} was accepted`);
  return isRefusal(refusal) ? [refusal.code, refusal.details?.field] : [];
};

const define = suite('a ranked poll: its definition');

define('irv: maxRanks defaults to every option, the seed is kept, PollCreated v3', () => {
  const poll = defined({ method: 'irv' });
  assert.equal(poll, {
    id: 'r',
    title: 'Ranked',
    options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
    maxChoices: 4,
    revote: 'reject',
    createdAt: NOW,
    method: 'irv',
    seed: SEED,
  });
  assert.is(pollCreatedVersion(poll), 3);
  assert.is(pollCreatedVersion(defined({ method: 'irv', voterAuth: 'token' })), 3);
});

define('plurality keeps the form and version polls had before ranked ballots', () => {
  const poll = defined({ method: 'plurality', maxChoices: 2 });
  assert.not.ok('method' in poll);
  assert.not.ok('seed' in poll, 'a plurality poll draws no lots');
  assert.is(pollCreatedVersion(poll), 1);
  assert.is(pollCreatedVersion(defined({ voterAuth: 'token' })), 2);
  assert.is(pollDefinition(poll), pollDefinition(defined({ maxChoices: 2 })));
});

define('stv needs seats from 2 to options − 1; irv may batch eliminations', () => {
  assert.is(defined({ method: 'stv', seats: 3 }).seats, 3);
  assert.equal(refusedField({ method: 'stv' }), ['VALIDATION_FAILED', 'seats']);
  assert.equal(refusedField({ method: 'stv', seats: 4 }), ['VALIDATION_FAILED', 'seats']);
  assert.equal(refusedField({ method: 'irv', seats: 2 }), ['VALIDATION_FAILED', 'seats']);
  assert.is(defined({ method: 'irv', batchElimination: true }).batchElimination, true);
  assert.not.ok('batchElimination' in defined({ method: 'irv', batchElimination: false }));
  assert.equal(refusedField({ method: 'stv', seats: 2, batchElimination: true }), [
    'VALIDATION_FAILED',
    'batchElimination',
  ]);
});

define('options of another method are refused, naming the field', () => {
  assert.equal(refusedField({ method: 'irv', maxChoices: 2 }), ['VALIDATION_FAILED', 'maxChoices']);
  assert.equal(refusedField({ maxRanks: 2 }), ['VALIDATION_FAILED', 'maxRanks']);
  assert.equal(refusedField({ seats: 2 }), ['VALIDATION_FAILED', 'seats']);
  assert.equal(refusedField({ batchElimination: true }), ['VALIDATION_FAILED', 'batchElimination']);
  assert.equal(refusedField({ method: 'schulze', maxRanks: 5 }), ['VALIDATION_FAILED', 'maxRanks']);
  assert.equal(refusedField({ method: 'irv', seed: 'short' }), ['VALIDATION_FAILED', 'seed']);
});

define('the seed and the creation time are not part of the definition', () => {
  const first = defined({ method: 'schulze' });
  const again = definePoll(input({ method: 'schulze', seed: 'cd'.repeat(16) }), NOW + 5);
  assert.is(pollDefinition(first), pollDefinition(again as Poll));
  assert.is.not(pollDefinition(first), pollDefinition(defined({ method: 'irv' })));
  assert.is.not(
    pollDefinition(defined({ method: 'irv' })),
    pollDefinition(defined({ method: 'irv', batchElimination: true })),
  );
});

define.run();

const ballot = suite('a ranked poll: its ballots');

ballot('a ranking keeps its order; a plurality ballot is sorted', () => {
  assert.equal(checkBallot(defined({ method: 'irv' }), ['c', 'a', 'd'], NOW, false), [
    'c',
    'a',
    'd',
  ]);
  assert.equal(checkBallot(defined({ maxChoices: 3 }), ['c', 'a'], NOW, false), ['a', 'c']);
});

ballot('a duplicate rank, an unknown option and too many ranks are refused by code', () => {
  const poll = defined({ method: 'stv', seats: 2, maxRanks: 2 });
  const code = (choices: string[]) => {
    const r = checkBallot(poll, choices, NOW, false);
    return isRefusal(r) ? [r.code, r.details] : r;
  };
  assert.equal(code(['a', 'b', 'a'].slice(0, 2)), ['a', 'b']);
  assert.equal(code(['a', 'a']), ['DUPLICATE_CHOICE', { choice: 'a' }]);
  assert.equal(code(['a', 'x']), ['UNKNOWN_OPTION', { choice: 'x' }]);
  assert.equal(code(['a', 'b', 'c']), ['TOO_MANY_CHOICES', { maxRanks: 2 }]);
});

ballot.run();
