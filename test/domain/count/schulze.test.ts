// Schulze on published worked examples. Every example ranks all candidates, so d[x][y] +
// d[y][x] = N and a link's margin is 2·d[x][y] − N, an increasing function of its winning
// votes: path strengths by margin are 2·p − N of the published (winning-votes) strengths, and
// the ranking is the same under both.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countSchulze } from '../../../src/domain/count/schulze.ts';
import { profileOf } from './profiles.ts';
import { bySeededLot } from './tie-records.ts';

type Matrix = Record<string, Record<string, number>>;

/**
 * The matrix of `rows`, one line per candidate of `order`: its letter, then its entry against
 * each candidate in that order, `-` against itself (which the matrix leaves out).
 */
function matrixOf(order: string, rows: string): Matrix {
  const lines = rows.trim().split(/\n\s*/);
  assert.is(lines.length, order.length, 'one row per candidate');
  return Object.fromEntries(
    lines.map((line, i) => {
      const [x, ...cells] = line.split(/\s+/);
      assert.is(x, order[i], `row ${i + 1} is ${order[i]}'s`);
      assert.is(cells.length, order.length, `${x}: one entry per candidate`);
      assert.is(cells[i], '-', `${x}: no entry against itself`);
      const entries = cells.flatMap((v, j) => (j === i ? [] : [[order[j], Number(v)] as const]));
      return [x, Object.fromEntries(entries)];
    }),
  );
}

/** `m` with `f` applied to each entry and written as a string, as the count reports it. */
function strings(m: Matrix, f: (v: number) => number): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(m).map(([x, row]) => [
      x,
      Object.fromEntries(Object.entries(row).map(([y, v]) => [y, String(f(v))])),
    ]),
  );
}

const schulze = suite('schulze');

schulze('the 45-voter example: E > A > C > B > D, with the published d and p', () => {
  // Source: Wikipedia, "Schulze method", section Example (45 voters, 5 candidates), the same as
  // example 1 of M. Schulze, Social Choice and Welfare 36 (2011) 267–303.
  const result = countSchulze(
    profileOf('ABCDE', '5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC'),
    { seed: 's' },
  );
  assert.equal(result.ranking, ['E', 'A', 'C', 'B', 'D']);
  assert.equal(result.winners, ['E']);
  assert.equal(result.tieBreaks, []);
  // The tables as the paper prints them: row x, column y holds d[x][y] (voters who prefer x to
  // y) and p[x][y] (the strength of the strongest path from x to y, in winning votes).
  const d = matrixOf(
    'ABCDE',
    `A  -  20 26 30 22
     B  25 -  16 33 18
     C  19 29 -  17 24
     D  15 12 28 -  14
     E  23 27 21 31 -`,
  );
  const p = matrixOf(
    'ABCDE',
    `A  -  28 28 30 24
     B  25 -  28 33 24
     C  25 29 -  29 24
     D  25 28 28 -  24
     E  25 28 28 31 -`,
  );
  assert.equal(
    result.pairwise,
    strings(d, (v) => v),
  );
  assert.equal(
    result.strongestPaths,
    strings(p, (v) => 2 * v - 45),
  );
});

schulze('examples 2 and 3: D > A > C > B and B > A > D > E > C', () => {
  // Source: M. Schulze (2011), examples 2 and 3, as listed on electowiki.org "Schulze method"
  // (also the test data of the Rust crate `schulze` and of icelect).
  const two = profileOf(
    'ABCD',
    '5 ACBD, 2 ACDB, 3 ADCB, 4 BACD, 3 CBDA, 3 CDBA, 1 DACB, 5 DBAC, 4 DCBA',
  );
  const three = profileOf(
    'ABCDE',
    '3 ABDEC, 5 ADEBC, 1 ADECB, 2 BADEC, 2 BDECA, 4 CABDE, 6 CBADE, 2 DBECA, 5 DECAB',
  );
  assert.equal(countSchulze(two, { seed: 's' }).ranking, ['D', 'A', 'C', 'B']);
  const ofThree = countSchulze(three, { seed: 's' });
  assert.equal(ofThree.ranking, ['B', 'A', 'D', 'E', 'C']);
  assert.equal(ofThree.tieBreaks, []);
});

schulze('example 4 ends in ties (B, D, then A, C): a lot drawn from the seed orders them', () => {
  // Source: M. Schulze (2011), example 4 (9 voters): B and D are both potential winners, then
  // A and C. With seed-4 the first lot draws D, with seed-0 it draws B (lot.ts).
  const profile = profileOf('ABCD', '3 ABCD, 2 DABC, 2 DBCA, 2 CBDA');
  const result = countSchulze(profile, { seed: 'seed-4' });
  assert.equal(result.ranking.slice(0, 2), ['D', 'B']);
  assert.equal(result.ranking.slice(2).sort(), ['A', 'C']);
  assert.equal(
    result.tieBreaks[0],
    bySeededLot({ round: 1, reason: 'ranking', candidates: ['B', 'D'], chosen: 'D' }),
  );
  assert.equal(
    result.tieBreaks.map((t) => [t.round, t.candidates]),
    [
      [1, ['B', 'D']],
      [3, ['A', 'C']],
    ],
  );
  assert.equal(countSchulze(profile, { seed: 'seed-0' }).ranking.slice(0, 2), ['B', 'D']);
  assert.equal(countSchulze(profile, { seed: 'seed-4' }), result);
});

schulze('a partial ranking puts every ranked option above every unranked one', () => {
  const result = countSchulze(profileOf('ABC', '3 A, 2 BC, 4'), { seed: 's', seats: 2 });
  assert.equal(result.pairwise, {
    A: { B: '3', C: '3' },
    B: { A: '2', C: '2' },
    C: { A: '2', B: '0' },
  });
  assert.equal(result.ranking, ['A', 'B', 'C']);
  assert.equal(result.winners, ['A', 'B']);
  assert.is(result.blank, '4');
});

schulze.run();
