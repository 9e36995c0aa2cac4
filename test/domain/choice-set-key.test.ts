// The key a shard's projection interns a multi-option choice set under: two lists of option
// indices share a key only when they are the same list, whatever the indices are.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setKey } from '../../src/domain/fold-state.ts';

const key = suite('setKey: one key per list of option indices');

key('indices at and past 0xFFFF do not collide with shorter lists', () => {
  const lists = [
    [0xffff],
    [0xfffe],
    [0xffff, 0],
    [0, 0xffff],
    [0x10000],
    [1, 0],
    [0x1_0000, 0],
    [0xffff, 1, 0],
    [0x7fff_ffff],
    [0xd800, 0xdc00],
  ];
  const keys = lists.map(setKey);
  assert.is(new Set(keys).size, lists.length, keys.join(' | '));
});

key('equal keys mean equal lists (random lists, small and large indices)', () => {
  const index = fc.oneof(
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0xfff0, max: 0x2_0010 }),
  );
  fc.assert(
    fc.property(fc.array(index, { maxLength: 6 }), fc.array(index, { maxLength: 6 }), (a, b) => {
      assert.is(setKey(a) === setKey(b), JSON.stringify(a) === JSON.stringify(b));
    }),
    { numRuns: 2000 },
  );
});

key.run();
