// `votestream replay --from/--to`: an ISO time in the API's grammar or an entry id, as a bound
// Redis takes — never a negative time, a silently shifted date or a part rounded past 2^53.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { toEntryId } from '../../src/tools/replay.ts';

const MAX = '18446744073709551615';
const ids = suite('toEntryId');

ids('an entry id, whole or its time part only, as a start or an end', () => {
  assert.is(toEntryId('1700000000000-5'), '1700000000000-5');
  assert.is(toEntryId('1700000000000'), '1700000000000-0');
  assert.is(toEntryId('1700000000000', true), `1700000000000-${MAX}`);
});

ids('entry id parts past 2^53 are kept exactly, up to 2^64 - 1', () => {
  assert.is(toEntryId(`${MAX}-${MAX}`), `${MAX}-${MAX}`);
  assert.is(toEntryId('9007199254740993'), '9007199254740993-0');
});

ids('entry id parts past 2^64 - 1 are refused, not sent to Redis', () => {
  assert.throws(() => toEntryId('18446744073709551616'), /at most 18446744073709551615/);
  assert.throws(() => toEntryId(`1-${'9'.repeat(30)}`), /at most/);
});

ids('an ISO time is its epoch milliseconds', () => {
  assert.is(toEntryId('2026-11-27T09:00:00Z'), '1795770000000-0');
  assert.is(toEntryId('2026-11-27T10:00:00+01:00', true), `1795770000000-${MAX}`);
});

const refused: [string, string][] = [
  ['a time before 1970 (a negative entry id)', '1969-12-31T23:59:59Z'],
  ['a date that does not exist (Date.parse shifts it to March 1)', '2030-02-29T00:00:00Z'],
  ['an offset without minutes', '2030-01-01T00:00:00+09'],
  ['a leap second', '2016-12-31T23:59:60Z'],
  ['a time without a zone (Date.parse reads it as local time)', '2030-01-01T00:00:00'],
  ['free text Date.parse takes', 'Jan 1 2030'],
  ['a negative number', '-1000'],
];
for (const [what, value] of refused) {
  ids(`refused: ${what}`, () => {
    assert.throws(() => toEntryId(value), /neither an entry id nor an ISO time/);
  });
}

ids.run();
