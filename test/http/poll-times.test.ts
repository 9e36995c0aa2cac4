// Poll times (opensAt, closesAt): every form the schema takes is one the code represents, and
// every other form is a 400 VALIDATION_FAILED naming the field — never a 500, never written.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

let node: RunningNode;
let n = 0;

/** POST /polls with a raw JSON body, so numbers reach the parser exactly as written. */
const create = (fields: string) =>
  node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    payload: `{"id":"times-${n++}","title":"t","options":["a","b"],${fields}}`,
  });

const refused = suite('poll times the code cannot represent: 400 naming the field');

refused.before(async () => {
  node = await startTestNode(await sharedCluster());
});
refused.after(async () => {
  await node.close();
});

/** [what, field, the value as JSON text]. */
const unrepresentable: [string, 'opensAt' | 'closesAt', string][] = [
  // The sample: ajv's date-time took it, Date.parse gave NaN, the write failed (500).
  ['an offset without minutes (+09)', 'closesAt', '"2030-01-01T00:00:00+09"'],
  ['an offset without a colon (+0900)', 'closesAt', '"2030-01-01T00:00:00+0900"'],
  ['a leap second (23:59:60)', 'closesAt', '"2030-06-30T23:59:60Z"'],
  ['a real leap second (2016-12-31T23:59:60Z)', 'opensAt', '"2016-12-31T23:59:60Z"'],
  ['a time before 1970', 'opensAt', '"1969-12-31T23:59:59.999Z"'],
  ['an offset that puts 1970-01-01 before 1970', 'opensAt', '"1970-01-01T00:00:00+00:01"'],
  ['year 0000', 'closesAt', '"0000-01-01T00:00:00Z"'],
  ['a space for the T', 'closesAt', '"2030-01-01 00:00:00Z"'],
  ['a tab for the T', 'closesAt', '"2030-01-01\\t00:00:00Z"'],
  ['a no-break space for the T', 'closesAt', '"2030-01-01\u00a000:00:00Z"'],
  ['an ideographic space for the T', 'closesAt', '"2030-01-01\u300000:00:00Z"'],
  ['a line separator for the T', 'closesAt', '"2030-01-01\\u202800:00:00Z"'],
  ['more than millisecond precision', 'closesAt', '"2030-01-01T00:00:00.0001Z"'],
  ['nanoseconds', 'opensAt', '"2030-01-01T00:00:00.123456789Z"'],
  ['no time zone', 'closesAt', '"2030-01-01T00:00:00"'],
  ['February 29 of a common year', 'closesAt', '"2030-02-29T00:00:00Z"'],
  ['hour 24', 'closesAt', '"2030-01-01T24:00:00Z"'],
  ['an offset of 24 hours', 'closesAt', '"2030-01-01T00:00:00+24:00"'],
  ['a date without a time', 'closesAt', '"2030-01-01"'],
  ['a time past the last instant a Date holds', 'closesAt', '"+275760-09-13T00:00:00.001Z"'],
  ['a negative expanded year', 'opensAt', '"-000001-01-01T00:00:00Z"'],
  ['digits that are not ASCII', 'closesAt', '"２０３０-01-01T00:00:00Z"'],
  ['milliseconds past the last Date', 'closesAt', '8640000000000001'],
  ['an integer past 2^53 (rounded by JSON.parse)', 'closesAt', '9007199254740993'],
  ['an integer of 30 digits', 'opensAt', '123456789012345678901234567890'],
  ['1e400 (Infinity once parsed)', 'closesAt', '1e400'],
  ['a negative integer', 'opensAt', '-1'],
  ['a fraction of a millisecond', 'closesAt', '1893456000000.5'],
];

for (const [what, field, value] of unrepresentable) {
  refused(`${field}: ${what} → 400 VALIDATION_FAILED, field ${field}`, async () => {
    const before = await logLength(node);
    const res = await create(`"${field}":${value}`);
    assert.is(res.statusCode, 400, res.body);
    const { error } = res.json();
    assert.is(error.code, 'VALIDATION_FAILED');
    assert.is(error.field, field, res.body);
    assert.is(await logLength(node), before, 'a refused poll was written');
  });
}

refused('a window that ends where it opens, spelled two ways → 400, field closesAt', async () => {
  const res = await create('"opensAt":"2030-01-01T09:00:00+09:00","closesAt":1893456000000');
  assert.is(res.statusCode, 400, res.body);
  assert.is(res.json().error.field, 'closesAt');
});

refused.run();

const taken = suite('poll times the schema takes: created, and shown as the same instant');

taken.before(async () => {
  node = await startTestNode(await sharedCluster());
});
taken.after(async () => {
  await node.close();
});

/** [what, the value as JSON text, the instant GET /polls/:id shows]. */
const representable: [string, string, string][] = [
  ['UTC', '"2030-01-01T00:00:00Z"', '2030-01-01T00:00:00.000Z'],
  ['an offset', '"2030-01-01T09:00:00+09:00"', '2030-01-01T00:00:00.000Z'],
  ['a negative offset', '"2029-12-31T14:30:00-09:30"', '2030-01-01T00:00:00.000Z'],
  ['-00:00 (UTC, local offset unknown)', '"2030-01-01T00:00:00-00:00"', '2030-01-01T00:00:00.000Z'],
  ['a lowercase t and z', '"2030-01-01t00:00:00z"', '2030-01-01T00:00:00.000Z'],
  ['one fraction digit', '"2030-01-01T00:00:00.5Z"', '2030-01-01T00:00:00.500Z'],
  ['February 29 of a leap year', '"2028-02-29T12:00:00Z"', '2028-02-29T12:00:00.000Z'],
  ['the first instant, as an offset', '"1969-12-31T23:00:00-01:00"', '1970-01-01T00:00:00.000Z'],
  ['the last second of year 9999', '"9999-12-31T23:59:59.999Z"', '9999-12-31T23:59:59.999Z'],
  // toISOString writes an expanded year past 9999; what the API shows, it takes back.
  ['the last instant a Date holds', '"+275760-09-13T00:00:00.000Z"', '+275760-09-13T00:00:00.000Z'],
  ['milliseconds 0', '0', '1970-01-01T00:00:00.000Z'],
  ['the last millisecond a Date holds', '8640000000000000', '+275760-09-13T00:00:00.000Z'],
  ['milliseconds written with an exponent', '1.893456e12', '2030-01-01T00:00:00.000Z'],
];

for (const [what, value, shown] of representable) {
  taken(`closesAt: ${what} → 201, shown as ${shown}`, async () => {
    const res = await create(`"closesAt":${value}`);
    assert.is(res.statusCode, 201, res.body);
    const { poll } = res.json();
    assert.is(poll.closesAt, shown);
    const again = await node.app.inject({ url: `/polls/${poll.id}` });
    assert.is(again.json().poll.closesAt, shown);
  });
}

taken('an instant the API shows is taken back as the same instant', async () => {
  const first = (await create('"closesAt":8640000000000000')).json().poll;
  const res = await create(`"closesAt":"${first.closesAt}"`);
  assert.is(res.statusCode, 201, res.body);
  assert.is(res.json().poll.closesAt, first.closesAt);
});

taken.run();
