// A poll's interned choice sets: one id per distinct list of option indices (order matters),
// ids dense and stable, through the table's growth, against a Map keyed by the list's JSON.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ChoiceSets } from '../../src/domain/choice-sets.ts';

const sets = suite('ChoiceSets: one id per list of option indices');

const intern = (table: ChoiceSets, options: number[]) => table.intern(options, options.length);

sets('order, length and large indices make different sets; equal lists the same', () => {
  const table = new ChoiceSets();
  const lists = [
    [0],
    [1],
    [0, 1],
    [1, 0],
    [0, 1, 2],
    [0xffff],
    [0x7fff_ffff],
    [0x8000_0000 - 1, 0],
  ];
  const ids = lists.map((list) => intern(table, list));
  assert.equal(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(
    lists.map((list) => intern(table, [...list])),
    ids,
  );
  assert.equal(
    lists.map((_, set) => table.optionsOf(set)),
    lists,
  );
  assert.is(table.find([2, 1], 2), -1);
});

sets('a set added twice (as a snapshot restores it) gets a new id; find keeps the first', () => {
  const table = new ChoiceSets();
  assert.is(table.add([3, 1], 2), 0);
  assert.is(table.add([3, 1], 2), 1);
  assert.is(table.find([3, 1], 2), 0);
  assert.equal(table.optionsOf(1), [3, 1]);
});

sets('agrees with a Map keyed by JSON through growth (random rankings, 2,000 per run)', () => {
  const ranking = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(fc.array(ranking, { minLength: 500, maxLength: 2000 }), (rankings) => {
      const table = new ChoiceSets();
      const reference = new Map<string, number>();
      for (const options of rankings) {
        const key = JSON.stringify(options);
        const expected = reference.get(key) ?? reference.size;
        reference.set(key, expected);
        assert.is(intern(table, options), expected, key);
      }
      assert.is(table.size, reference.size);
      for (const [key, set] of reference) assert.equal(table.optionsOf(set), JSON.parse(key));
    }),
    { numRuns: 20 },
  );
});

sets.run();
