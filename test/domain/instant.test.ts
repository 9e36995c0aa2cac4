import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isInstantRefusal, MAX_INSTANT, parseInstant } from '../../src/domain/instant.ts';
import { dateTimeLike, unrepresentableDateTime } from '../http/fuzz-input-classes.ts';

const why = (value: string | number) => {
  const ms = parseInstant(value);
  return isInstantRefusal(ms) ? ms.message : `accepted as ${ms}`;
};

const taken = suite('parseInstant: what it takes');

taken('RFC 3339 date-times with Z or ±HH:MM, t and z in either case', () => {
  assert.is(parseInstant('2030-01-01T00:00:00Z'), 1_893_456_000_000);
  assert.is(parseInstant('2030-01-01T09:00:00+09:00'), 1_893_456_000_000);
  assert.is(parseInstant('2029-12-31T14:30:00.000-09:30'), 1_893_456_000_000);
  assert.is(parseInstant('2030-01-01t00:00:00z'), 1_893_456_000_000);
  assert.is(parseInstant('2030-01-01T00:00:00-00:00'), 1_893_456_000_000);
  assert.is(parseInstant('2030-01-01T00:00:00.5Z'), 1_893_456_000_500);
  assert.is(parseInstant('2028-02-29T00:00:00Z'), Date.UTC(2028, 1, 29));
  assert.is(parseInstant('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
});

taken('from the first instant to the last a Date holds, in both forms', () => {
  assert.is(parseInstant(0), 0);
  assert.ok(Object.is(parseInstant(-0), 0));
  assert.is(parseInstant('1969-12-31T23:00:00-01:00'), 0);
  assert.is(parseInstant(MAX_INSTANT), MAX_INSTANT);
  assert.is(parseInstant('+275760-09-13T00:00:00.000Z'), MAX_INSTANT);
  assert.is(parseInstant('+275760-09-13T01:00:00+01:00'), MAX_INSTANT);
});

taken('every instant the API shows (toISOString) is taken back as itself', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_INSTANT }), (ms) => {
      assert.is(parseInstant(new Date(ms).toISOString()), ms);
    }),
    { numRuns: 2000 },
  );
});

taken('where it takes a date-time, V8’s Date.parse agrees with it', () => {
  fc.assert(
    fc.property(dateTimeLike, (text) => {
      const ms = parseInstant(text);
      if (!isInstantRefusal(ms)) assert.is(ms, Date.parse(text), text);
    }),
    { numRuns: 5000 },
  );
});

taken.run();

const refused = suite('parseInstant: what it refuses, and why');

const cases: [string, string | number, RegExp][] = [
  ['an offset without minutes', '2030-01-01T00:00:00+09', /must be an RFC 3339 date-time/],
  ['an offset without a colon', '2030-01-01T00:00:00+0900', /RFC 3339/],
  ['no zone', '2030-01-01T00:00:00', /RFC 3339/],
  ['a space for the T', '2030-01-01 00:00:00Z', /RFC 3339/],
  ['a date alone', '2030-01-01', /RFC 3339/],
  ['a leap second', '2016-12-31T23:59:60Z', /leap second/],
  [
    'more than millisecond precision',
    '2030-01-01T00:00:00.0001Z',
    /more precise than a millisecond/,
  ],
  ['February 29 of a common year', '2100-02-29T00:00:00Z', /no such date/],
  ['April 31', '2030-04-31T00:00:00Z', /no such date/],
  ['month 13', '2030-13-01T00:00:00Z', /no such date/],
  ['hour 24', '2030-01-01T24:00:00Z', /no such time/],
  ['an offset of 24 hours', '2030-01-01T00:00:00+24:00', /no such offset/],
  ['a time before 1970', '1969-12-31T23:59:59.999Z', /before 1970/],
  ['an offset that puts it before 1970', '1970-01-01T00:00:00+00:01', /before 1970/],
  ['year 0070 (Date.UTC would read 1970)', '0070-01-01T00:00:00Z', /before 1970/],
  ['past the last Date', '+275760-09-13T00:00:00.001Z', /after \+275760/],
  ['far past the last Date', '+999999-12-31T23:59:59Z', /after \+275760/],
  ['milliseconds past the last Date', MAX_INSTANT + 1, /after \+275760/],
  ['negative milliseconds', -1, /before 1970/],
  ['a fraction of a millisecond', 1.5, /whole milliseconds/],
  ['Infinity', Number.POSITIVE_INFINITY, /whole milliseconds/],
  ['NaN', Number.NaN, /whole milliseconds/],
];
for (const [what, value, reason] of cases) {
  refused(what, () => {
    assert.match(why(value), reason);
  });
}

refused('a date-time broken in one part is refused whatever the rest', () => {
  fc.assert(
    fc.property(unrepresentableDateTime, (text) => {
      assert.ok(isInstantRefusal(parseInstant(text)), text);
    }),
    { numRuns: 2000 },
  );
});

refused.run();
