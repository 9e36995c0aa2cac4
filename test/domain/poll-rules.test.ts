import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import {
  checkBallot,
  definePoll,
  isRefusal,
  pollDefinition,
  pollStatus,
} from '../../src/domain/poll-rules.ts';

const NOW = 1_700_000_000_000;
const poll = (extra: Partial<Poll> = {}): Poll => ({
  id: 'p',
  title: 'T',
  options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  maxChoices: 2,
  revote: 'reject',
  createdAt: NOW - 1000,
  ...extra,
});

const define = suite('definePoll');

define('normalizes string options and applies defaults', () => {
  const p = definePoll({ id: 'x', title: 'X', options: ['a', { id: 'b', label: 'B' }] }, NOW);
  assert.equal(p, {
    id: 'x',
    title: 'X',
    options: [{ id: 'a' }, { id: 'b', label: 'B' }],
    maxChoices: 1,
    revote: 'reject',
    createdAt: NOW,
  });
});

define(
  'refuses duplicate options, maxChoices above the options, and a window that ends first',
  () => {
    const cases = [
      { id: 'x', title: 'X', options: ['a', 'a'] },
      { id: 'x', title: 'X', options: ['a', 'b'], maxChoices: 3 },
      { id: 'x', title: 'X', options: ['a', 'b'], opensAt: 10, closesAt: 10 },
    ];
    for (const input of cases) {
      const result = definePoll(input, NOW);
      assert.ok(isRefusal(result), JSON.stringify(input));
      assert.is(isRefusal(result) && result.code, 'VALIDATION_FAILED');
    }
  },
);

define('the definition ignores createdAt, so a re-create later is the same poll', () => {
  assert.is(pollDefinition(poll({ createdAt: 1 })), pollDefinition(poll({ createdAt: 2 })));
  assert.is.not(pollDefinition(poll()), pollDefinition(poll({ title: 'other' })));
});

define.run();

const ballot = suite('checkBallot');

ballot('accepts known distinct choices and returns them sorted', () => {
  assert.equal(checkBallot(poll(), ['c', 'a'], NOW, false), ['a', 'c']);
});

ballot('refuses unknown, duplicate and too many choices with their codes', () => {
  const code = (choices: string[]) => {
    const r = checkBallot(poll(), choices, NOW, false);
    return isRefusal(r) ? r.code : 'accepted';
  };
  assert.is(code(['z']), 'UNKNOWN_OPTION');
  assert.is(code(['a', 'a']), 'DUPLICATE_CHOICE');
  assert.is(code(['a', 'b', 'c']), 'TOO_MANY_CHOICES');
});

ballot('refuses before opensAt, at and after closesAt, and once closed', () => {
  const code = (p: Poll, closed = false) => {
    const r = checkBallot(p, ['a'], NOW, closed);
    return isRefusal(r) ? r.code : 'accepted';
  };
  assert.is(code(poll({ opensAt: NOW + 1 })), 'POLL_NOT_OPEN');
  assert.is(code(poll({ opensAt: NOW })), 'accepted');
  assert.is(code(poll({ closesAt: NOW })), 'POLL_CLOSED');
  assert.is(code(poll({ closesAt: NOW + 1 })), 'accepted');
  assert.is(code(poll(), true), 'POLL_CLOSED');
});

ballot('pollStatus follows the schedule and the close', () => {
  assert.is(pollStatus(poll({ opensAt: NOW + 1 }), NOW, false), 'scheduled');
  assert.is(pollStatus(poll(), NOW, false), 'open');
  assert.is(pollStatus(poll({ closesAt: NOW - 1 }), NOW, false), 'closed');
  assert.is(pollStatus(poll(), NOW, true), 'closed');
});

ballot.run();
