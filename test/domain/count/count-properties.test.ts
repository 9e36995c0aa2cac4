// Properties every count must have, on random profiles: the result depends on the ballots, not
// on the order or grouping of the profile's entries, and every round conserves the votes.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CountRules, countBallots } from '../../../src/domain/count/count-ballots.ts';
import type { BallotProfile, RankedBallot } from '../../../src/domain/count/profile.ts';
import type { IrvResult, StvResult } from '../../../src/domain/count/result.ts';
import { assertIrvConserved, assertStvConserved } from './conservation.ts';

const OPTIONS = ['a', 'b', 'c', 'd', 'e', 'f'];

const profile: fc.Arbitrary<BallotProfile> = fc
  .integer({ min: 2, max: OPTIONS.length })
  .chain((n) => {
    const options = OPTIONS.slice(0, n);
    const ballot = fc.record({
      ranking: fc.shuffledSubarray(options),
      count: fc.integer({ min: 1, max: 30 }),
    });
    return fc.record({
      options: fc.constant(options),
      ballots: fc.array(ballot, { maxLength: 14 }),
    });
  });

const rules: fc.Arbitrary<CountRules> = fc.oneof(
  fc.record({
    method: fc.constant('irv' as const),
    seed: fc.string(),
    batchElimination: fc.boolean(),
  }),
  fc.record({
    method: fc.constant('stv' as const),
    seed: fc.string(),
    seats: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ method: fc.constant('schulze' as const), seed: fc.string() }),
);

/** The same ballots with the entries in another order. */
const reordered = (p: BallotProfile, order: number[]): BallotProfile => ({
  ...p,
  ballots: order.map((i) => p.ballots[i]!),
});

/** The same ballots with every entry of more than one ballot split in two. */
const split = (p: BallotProfile): BallotProfile => ({
  ...p,
  ballots: p.ballots.flatMap((b): RankedBallot[] => {
    const count = Number(b.count);
    if (count < 2) return [b];
    const part = Math.floor(count / 2);
    return [
      { ranking: b.ranking, count: part },
      { ranking: [...b.ranking], count: BigInt(count - part) },
    ];
  }),
});

const properties = suite('count properties');

properties('the result does not depend on the order of the profile entries', () => {
  fc.assert(
    fc.property(
      profile.chain((p) =>
        fc.tuple(
          fc.constant(p),
          fc.shuffledSubarray(
            p.ballots.map((_, i) => i),
            { minLength: p.ballots.length },
          ),
        ),
      ),
      rules,
      ([p, order], r) => {
        assert.equal(countBallots(reordered(p, order), r), countBallots(p, r));
      },
    ),
    { numRuns: 400 },
  );
});

properties('the result does not depend on how equal rankings are grouped', () => {
  fc.assert(
    fc.property(profile, rules, (p, r) => {
      assert.equal(countBallots(split(p), r), countBallots(p, r));
    }),
    { numRuns: 400 },
  );
});

properties('every round conserves the votes, exactly', () => {
  fc.assert(
    fc.property(profile, rules, (p, r) => {
      const result = countBallots(p, r);
      if (result.method === 'irv') assertIrvConserved(result as IrvResult);
      if (result.method === 'stv') assertStvConserved(result as StvResult);
      const winners = new Set(result.winners);
      assert.is(winners.size, result.winners.length);
      if (result.method !== 'stv') assert.is(result.winners.length, 1);
      else
        assert.is(
          result.winners.length,
          Math.min(r.method === 'stv' ? r.seats : 1, p.options.length),
        );
    }),
    { numRuns: 600 },
  );
});

properties.run();
