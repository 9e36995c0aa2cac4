import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkLotOrder, drawLot } from '../../../src/domain/count/lot.ts';

const lot = suite('lot');

lot('matches a draw computed with sha256sum', () => {
  // printf '%s' '["votestream-lot",1,"seed-0","irv",1,"elimination",["B","C"]]' | sha256sum
  //   → 7358cf7c…10025b13: odd, so index 1 of the sorted candidates ["B","C"].
  const draw = { method: 'irv', round: 1, reason: 'elimination', candidates: ['B', 'C'] };
  assert.is(drawLot({ seed: 'seed-0' }, draw), 'C');
});

lot('depends on the seed and the decision, never on the order the candidates are listed', () => {
  const draw = { method: 'irv', round: 1, reason: 'elimination', candidates: ['B', 'C', 'A'] };
  const drawn = drawLot({ seed: 'poll-7' }, draw);
  assert.is(drawLot({ seed: 'poll-7' }, { ...draw, candidates: ['C', 'A', 'B'] }), drawn);
  const seeds = new Set(Array.from({ length: 32 }, (_, i) => drawLot({ seed: `poll-${i}` }, draw)));
  assert.equal([...seeds].sort(), ['A', 'B', 'C']);
  const rounds = new Set(
    Array.from({ length: 32 }, (_, i) => drawLot({ seed: 'poll-7' }, { ...draw, round: i })),
  );
  assert.equal([...rounds].sort(), ['A', 'B', 'C']);
});

lot('a lot order draws its earliest tied candidate', () => {
  const draw = { method: 'stv', round: 2, reason: 'exclusion', candidates: ['B', 'D'] };
  assert.is(drawLot({ seed: 'x', order: ['C', 'D', 'A', 'B'] }, draw), 'D');
});

lot('a lot order must list every option exactly once', () => {
  const options = ['A', 'B', 'C'];
  checkLotOrder(['C', 'A', 'B'], options);
  checkLotOrder(undefined, options);
  for (const order of [
    ['A', 'B'],
    ['A', 'B', 'B'],
    ['A', 'B', 'D'],
    ['A', 'B', 'C', 'C'],
  ]) {
    assert.throws(() => checkLotOrder(order, options), /lot order/);
  }
});

lot.run();
