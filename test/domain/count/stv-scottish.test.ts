// Scottish STV (SSI 2007/42 sch. 1 rules 45–52) on small constructed profiles; the published
// counts are in reference-contests.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countScottishStv } from '../../../src/domain/count/stv-scottish.ts';
import { assertStvConserved } from './conservation.ts';
import { profileOf } from './profiles.ts';
import { byEarlierRound, bySeededLot } from './tie-records.ts';

const stv = suite('scottish stv');

stv(
  'rule 46: the quota is floor(valid ballots / (seats + 1)) + 1; blank ballots are not valid',
  () => {
    const result = countScottishStv(profileOf('ABC', '7 A, 2 B, 1 C, 6'), { seats: 2, seed: 's' });
    assert.is(result.quota, '4.00000'); // floor(10 / 3) + 1
    assert.is(result.ballots, '16');
    assert.is(result.blank, '6');
  },
);

stv('rule 48(3): each paper moves at surplus × value / vote, truncated to 5 decimals', () => {
  // A holds 7 papers and a surplus of 3: each moves at 3/7 = 0.42857|1…, truncated, so B gets
  // 7 × 0.42857 = 2.99999 and 0.00001 is lost to the truncation (the residual).
  const result = countScottishStv(profileOf('ABC', '7 AB, 1 B, 2 C'), { seats: 2, seed: 's' });
  const surplus = result.rounds[1]!;
  assert.is(surplus.action, 'surplus');
  assert.is(surplus.surplus, '3.00000');
  assert.equal(surplus.transfers, [
    { from: 'A', kind: 'surplus', to: { B: '2.99999' }, exhausted: '0.00000', residual: '0.00001' },
  ]);
  assert.equal(surplus.votes, { A: '4.00000', B: '3.99999', C: '2.00000' });
  assert.is(result.residual, '0.00001');
  // Rule 52: with B and C continuing for one vacancy, C is excluded; B fills it below quota.
  assert.equal(result.winners, ['A', 'B']);
  assertStvConserved(result);
});

stv(
  'rule 49(2): equal surpluses — the one with more votes at the latest stage they differed goes first',
  () => {
    // Quota 8 (43 valid, 5 seats). Stage 1: U 16 and X 10 elected. Stage 2: U's surplus lifts Y to
    // 10. Stage 3: X and Y have equal surpluses of 2; at stage 1 X had more, so X's goes first and
    // elects Z; Y's papers then skip Z and reach W, who takes the last seat. Were Y's surplus
    // transferred first, X's papers would skip Z and reach V instead.
    const profile = profileOf('UXYZWV', '16 UYZW, 10 XZV, 2 YZW, 6 Z, 5 W, 4 V');
    const result = countScottishStv(profile, { seats: 5, seed: 's' });
    assert.equal(result.tieBreaks, [
      byEarlierRound(1, { round: 3, reason: 'surplus-order', candidates: ['X', 'Y'], chosen: 'X' }),
    ]);
    assert.equal(
      result.rounds.map((r) => [r.action, r.candidate]),
      [
        ['first-preferences', undefined],
        ['surplus', 'U'],
        ['surplus', 'X'],
        ['surplus', 'Y'],
        ['surplus', 'Z'],
        ['exclusion', 'V'],
      ],
    );
    assert.equal(result.winners, ['U', 'X', 'Y', 'Z', 'W']);
    assertStvConserved(result);
  },
);

stv('rule 49(3): surpluses equal at every stage — a lot decides which goes first', () => {
  // Quota 8 (35 valid, 4 seats). X and Y both start with 10. X first: Z reaches the quota from
  // X's papers, Y's papers go on to W, and W wins the last seat; Y first: V wins it.
  // seed-0 draws X and seed-1 draws Y (lot.ts: SHA-256 of the seed and the decision).
  const profile = profileOf('XYZWV', '10 XZV, 10 YZW, 6 Z, 5 W, 4 V');
  const xFirst = countScottishStv(profile, { seats: 4, seed: 'seed-0' });
  assert.equal(xFirst.tieBreaks, [
    bySeededLot({ round: 2, reason: 'surplus-order', candidates: ['X', 'Y'], chosen: 'X' }),
  ]);
  assert.equal(xFirst.winners, ['X', 'Y', 'Z', 'W']);
  const yFirst = countScottishStv(profile, { seats: 4, seed: 'seed-1' });
  assert.is(yFirst.tieBreaks[0]!.chosen, 'Y');
  assert.equal(yFirst.winners, ['X', 'Y', 'Z', 'V']);
});

stv(
  'rule 51(2)(a): a tie for exclusion — the one lower at the latest stage they differed goes',
  () => {
    // Quota 5 (16 valid, 3 seats). Stage 1: B 8 and E 5 elected, C 3, D 0. B's surplus of 3
    // lifts D to 3; at stage 5 C and D tie for the last place, and at stage 1 D had fewer, so D is
    // excluded and C takes the last seat (excluding C instead would elect D).
    const result = countScottishStv(profileOf('ABCDE', '8 BD, 3 C, 5 E'), { seats: 3, seed: 's' });
    assert.equal(result.tieBreaks, [
      byEarlierRound(1, { round: 5, reason: 'exclusion', candidates: ['C', 'D'], chosen: 'D' }),
    ]);
    assert.equal(result.winners, ['B', 'E', 'C']);
    assertStvConserved(result);
  },
);

stv('rule 51(2)(b): equal at every stage — a lot decides who is excluded', () => {
  // Quota 6 (10 valid, 1 seat). B and C tie at 3 from the start. C out: its papers elect B.
  // B out: B's papers are non-transferable, C is excluded next and A is elected (rule 52).
  // seed-1 draws C and seed-0 draws B.
  const profile = profileOf('ABC', '4 A, 3 B, 3 CB');
  const cOut = countScottishStv(profile, { seats: 1, seed: 'seed-1' });
  assert.equal(cOut.tieBreaks, [
    bySeededLot({ round: 2, reason: 'exclusion', candidates: ['B', 'C'], chosen: 'C' }),
  ]);
  assert.equal(cOut.winners, ['B']);
  const bOut = countScottishStv(profile, { seats: 1, seed: 'seed-0' });
  assert.is(bOut.tieBreaks[0]!.chosen, 'B');
  assert.equal(bOut.winners, ['A']);
  // B's 3 papers, then C's (B is gone by then).
  assert.is(bOut.exhausted, '6.00000');
});

stv(
  'rule 52: the last continuing candidates fill the vacancies in ballot order, with no transfer',
  () => {
    // Quota 7 (18 valid, 2 seats); nobody reaches it. After D and then C are excluded, A and B
    // fill both seats — A first (ballot order) though B has more votes.
    const profile = profileOf('ABCD', '5 A, 6 B, 4 C, 3 D');
    const result = countScottishStv(profile, { seats: 2, seed: 's' });
    assert.equal(
      result.rounds.map((r) => [r.action, r.candidate, r.elected]),
      [
        ['first-preferences', undefined, []],
        ['exclusion', 'D', []],
        ['exclusion', 'C', ['A', 'B']],
      ],
    );
    assert.equal(result.winners, ['A', 'B']);
    assert.equal(result.finalVotes, { A: '5.00000', B: '6.00000', C: '0.00000', D: '0.00000' });
    assertStvConserved(result);
  },
);

stv(
  'a candidate elected with exactly the quota still takes a (zero) surplus stage, as Droop',
  () => {
    const result = countScottishStv(profileOf('ABC', '4 A, 2 B, 3 CB'), { seats: 2, seed: 's' });
    assert.is(result.quota, '4.00000');
    assert.equal(result.rounds[1]!.transfers[0], {
      from: 'A',
      kind: 'surplus',
      to: {},
      exhausted: '0.00000',
      residual: '0.00000',
    });
  },
);

stv('refuses seats that are not a positive integer', () => {
  const profile = profileOf('A', '1 A');
  for (const seats of [0, 1.5, -1]) {
    assert.throws(() => countScottishStv(profile, { seats, seed: 's' }), /seats/);
  }
});

stv.run();
