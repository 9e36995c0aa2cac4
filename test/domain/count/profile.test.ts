import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProfileError } from '../../../src/domain/count/count-error.ts';
import { type BallotProfile, compileProfile } from '../../../src/domain/count/profile.ts';

const profile = suite('ballot profile');

profile('compiles rankings to candidate indices, blank ballots apart', () => {
  const compiled = compileProfile({
    options: ['a', 'b', 'c'],
    ballots: [
      { ranking: ['c', 'a'], count: 2 },
      { ranking: [], count: 3n },
      { ranking: ['b'], count: 1 },
      { ranking: ['b', 'c'], count: 4 },
    ],
    withdrawn: ['b'],
  });
  // ['b'] has only a withdrawn option left: blank, like the empty ranking.
  assert.equal([...compiled.ranks], [2, 0, 2]);
  assert.equal([...compiled.start], [0, 2, 3]);
  assert.equal(compiled.counts, [2n, 4n]);
  assert.equal([compiled.total, compiled.blank, compiled.valid], [10n, 4n, 6n]);
});

const refusals: [string, BallotProfile, string][] = [
  ['no options', { options: [], ballots: [] }, 'NO_OPTIONS'],
  ['an option listed twice', { options: ['a', 'a'], ballots: [] }, 'DUPLICATE_OPTION'],
  [
    'a ranking with an unknown option',
    { options: ['a'], ballots: [{ ranking: ['z'], count: 1 }] },
    'UNKNOWN_OPTION',
  ],
  [
    'an unknown withdrawn option',
    { options: ['a'], ballots: [], withdrawn: ['z'] },
    'UNKNOWN_OPTION',
  ],
  [
    'an option twice in one ranking',
    { options: ['a', 'b'], ballots: [{ ranking: ['a', 'b', 'a'], count: 1 }] },
    'DUPLICATE_CHOICE',
  ],
  ['a zero count', { options: ['a'], ballots: [{ ranking: ['a'], count: 0 }] }, 'BAD_COUNT'],
  ['a negative count', { options: ['a'], ballots: [{ ranking: ['a'], count: -2n }] }, 'BAD_COUNT'],
  [
    'a fractional count',
    { options: ['a'], ballots: [{ ranking: ['a'], count: 1.5 }] },
    'BAD_COUNT',
  ],
  [
    'an unsafe count',
    { options: ['a'], ballots: [{ ranking: ['a'], count: 2 ** 60 }] },
    'BAD_COUNT',
  ],
];

for (const [what, bad, code] of refusals) {
  profile(`refuses ${what} (${code})`, () => {
    try {
      compileProfile(bad);
    } catch (error) {
      assert.instance(error, ProfileError);
      assert.is((error as ProfileError).code, code);
      return;
    }
    assert.unreachable('compiled a bad profile');
  });
}

profile.run();
