import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { breakTie, type Tie } from '../../../src/domain/count/tie-break.ts';

const names = ['A', 'B', 'C', 'D'];
const tie = (over: Partial<Tie>): Tie => ({
  tied: [0, 1, 2],
  history: [],
  choose: 'lowest',
  names,
  lot: { seed: 'seed' },
  method: 'test',
  round: 4,
  reason: 'exclusion',
  ...over,
});

const tieBreak = suite('tie break');

tieBreak('passes over rounds in which the tied were all equal', () => {
  const history = [
    [5n, 4n, 6n, 0n], // round 1: B lowest
    [7n, 7n, 7n, 0n], // round 2: all equal
    [8n, 8n, 8n, 0n], // round 3: all equal
  ];
  const { chosen, record } = breakTie(tie({ history }));
  assert.is(chosen, 1);
  assert.equal(record, {
    round: 4,
    reason: 'exclusion',
    candidates: ['A', 'B', 'C'],
    chosen: 'B',
    by: 'earlier-round',
    decidedAt: 1,
  });
});

tieBreak('the most recent difference decides, not the first round', () => {
  const history = [
    [5n, 4n, 6n, 0n], // round 1: B lowest
    [6n, 7n, 7n, 0n], // round 2: A lowest
  ];
  assert.is(breakTie(tie({ history })).chosen, 0);
  // Highest (a surplus tie): round 2 has B and C at 7, round 1 then decides between them.
  const highest = breakTie(tie({ history, choose: 'highest' }));
  assert.is(highest.chosen, 2);
  assert.is(highest.record.decidedAt, 1);
});

tieBreak('narrows to the candidates sharing the lowest vote, then looks further back', () => {
  const history = [
    [3n, 4n, 9n, 0n], // round 1: between A and B, A is lower (C is not in contention any more)
    [5n, 5n, 8n, 0n], // round 2: A and B share the lowest
  ];
  assert.is(breakTie(tie({ history })).chosen, 0);
});

tieBreak('still tied after the first round: a lot among those still in contention', () => {
  const history = [[5n, 5n, 9n, 0n]];
  const { chosen, record } = breakTie(tie({ history }));
  assert.ok(chosen === 0 || chosen === 1);
  assert.equal(record.drawnFrom, ['A', 'B']);
  assert.equal(record.candidates, ['A', 'B', 'C']);
  assert.is(record.by, 'lot');
  assert.is(record.lot, 'seed');
  assert.equal(breakTie(tie({ history })), { chosen, record });
});

tieBreak.run();
