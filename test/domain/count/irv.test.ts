import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { batchOut, countIrv } from '../../../src/domain/count/irv.ts';
import { assertIrvConserved } from './conservation.ts';
import { profileOf } from './profiles.ts';
import { byEarlierRound, bySeededLot } from './tie-records.ts';

const irv = suite('irv');

irv('a majority of the continuing ballots wins; blank ballots count in no round', () => {
  const result = countIrv(profileOf('ABC', '4 A, 3 B, 2 CB, 5'), { seed: 's' });
  assert.equal(
    result.rounds.map((r) => [r.tally, r.continuing, r.threshold, r.eliminated, r.elected]),
    [
      [{ A: '4', B: '3', C: '2' }, '9', '5', ['C'], []],
      [{ A: '4', B: '5' }, '9', '5', [], ['B']],
    ],
  );
  assert.equal(result.rounds[0]!.transfers, [
    { from: 'C', kind: 'elimination', to: { B: '2' }, exhausted: '0' },
  ]);
  assert.is(result.ballots, '14');
  assert.is(result.blank, '5');
  assertIrvConserved(result);
});

irv('exhausted ballots leave the continuing total, so the threshold falls', () => {
  const result = countIrv(profileOf('ABC', '4 A, 3 B, 2 C'), { seed: 's' });
  assert.equal(
    result.rounds.map((r) => [r.continuing, r.exhausted, r.threshold]),
    [
      ['9', '0', '5'],
      ['7', '2', '4'],
    ],
  );
  assert.equal(result.winners, ['A']);
  assert.is(result.exhausted, '2');
});

irv('a tie for last: the one lower in the most recent round where they differed goes out', () => {
  // Round 1: A 7, B 4, C 3, D 2 — D out; one of D's ballots goes to C, one exhausts.
  // Round 2: A 7, B 4, C 4 — B and C tie for last; in round 1 C had fewer, so C goes out and
  // C's ballots elect B. Were B to go out instead, B's ballots would elect C.
  const result = countIrv(profileOf('ABCD', '7 A, 4 BC, 3 CB, 1 DCB, 1 D'), { seed: 's' });
  assert.equal(result.tieBreaks, [
    byEarlierRound(1, { round: 2, reason: 'elimination', candidates: ['B', 'C'], chosen: 'C' }),
  ]);
  assert.equal(result.rounds[1]!.eliminated, ['C']);
  assert.equal(result.winners, ['B']);
  assertIrvConserved(result);
});

irv('equal in every round: a lot drawn from the poll seed decides, the same on every count', () => {
  // A 4, B 3, C 3. If C goes out its ballots elect B; if B goes out its ballots exhaust and A
  // wins. seed-0 draws C and seed-1 draws B (SHA-256, see lot.test.ts); ballot order would
  // draw B for both.
  const profile = profileOf('ABC', '4 A, 3 B, 3 CB');
  const drawn = countIrv(profile, { seed: 'seed-0' });
  assert.equal(drawn.tieBreaks, [
    bySeededLot({ round: 1, reason: 'elimination', candidates: ['B', 'C'], chosen: 'C' }),
  ]);
  assert.equal(drawn.winners, ['B']);
  assert.equal(countIrv(profile, { seed: 'seed-0' }), drawn);
  const other = countIrv(profile, { seed: 'seed-1' });
  assert.is(other.tieBreaks[0]!.chosen, 'B');
  assert.equal(other.winners, ['A']);
});

irv('a lot order, when given, is the lot: its earliest tied candidate goes out', () => {
  const profile = profileOf('ABC', '4 A, 3 B, 3 CB');
  const result = countIrv(profile, { seed: 'seed-1', lotOrder: ['C', 'A', 'B'] });
  assert.is(result.tieBreaks[0]!.chosen, 'C');
  assert.is(result.tieBreaks[0]!.lot, 'order');
  assert.equal(result.winners, ['B']);
});

irv('two left with equal votes: the tie decides the winner in that round', () => {
  // Round 1: A 3, B 3, C 2 — C out, one ballot each way. Round 2: A 4, B 4 — equal in round 1
  // too, so a lot picks who goes out (seed-0 draws A, seed-1 draws B) and the other wins in
  // round 2, as RCTab decides two tied finalists.
  const profile = profileOf('ABC', '3 A, 3 B, 1 CB, 1 CA');
  const result = countIrv(profile, { seed: 'seed-0' });
  assert.is(result.rounds.length, 2);
  assert.equal(result.tieBreaks, [
    bySeededLot({ round: 2, reason: 'final-two', candidates: ['A', 'B'], chosen: 'A' }),
  ]);
  assert.equal(result.rounds[1]!.eliminated, ['A']);
  assert.equal(result.rounds[1]!.elected, ['B']);
  assert.equal(result.winners, ['B']);
  assert.equal(countIrv(profile, { seed: 'seed-1' }).winners, ['A']);
});

irv('the last continuing candidate wins even without a majority of zero ballots', () => {
  const result = countIrv(profileOf('AB', '2'), { seed: 's' });
  assert.is(result.winners.length, 1);
  assert.is(result.rounds.at(-1)!.continuing, '0');
});

irv('withdrawn options are skipped on every ballot and are in no round', () => {
  const profile = { ...profileOf('ABC', '3 CA, 2 B, 1 C'), withdrawn: ['C'] };
  const result = countIrv(profile, { seed: 's' });
  assert.equal(result.rounds[0]!.tally, { A: '3', B: '2' });
  assert.is(result.blank, '1');
});

const batch = suite('irv batch elimination');

batch('every candidate who cannot catch up goes out together', () => {
  // D 1 + C 2 = 3 < B 8: neither can overtake B even with the other's votes.
  const profile = profileOf('ABCD', '10 A, 8 B, 2 CB, 1 DCB');
  const together = countIrv(profile, { seed: 's', batchElimination: true });
  assert.equal(together.rounds[0]!.eliminated, ['D', 'C']);
  assert.equal(together.rounds[1]!.tally, { A: '10', B: '11' });
  assert.equal(together.rounds[0]!.transfers, [
    { from: 'D', kind: 'elimination', to: { B: '1' }, exhausted: '0' },
    { from: 'C', kind: 'elimination', to: { B: '2' }, exhausted: '0' },
  ]);
  const oneByOne = countIrv(profile, { seed: 's' });
  assert.equal(
    oneByOne.rounds.map((r) => r.eliminated),
    [['D'], ['C'], []],
  );
  assert.equal(together.winners, oneByOne.winners);
});

batch('the batch never splits a tie, and a batch of one is an ordinary elimination', () => {
  const tally = [1n, 1n, 5n, 2n, 3n, 4n];
  assert.equal(batchOut([0, 1, 2], tally), [0, 1]);
  assert.equal(batchOut([3, 4, 5], tally), [3]);
  assert.equal(batchOut([0, 1, 3, 2], tally), [0, 1, 3]);
});

irv.run();
batch.run();
