import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CountRules, countBallots } from '../../src/domain/count/count-ballots.ts';
import { ProfileError } from '../../src/domain/count/count-error.ts';
import { compileProfile } from '../../src/domain/count/profile.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { restoreShard, serializeShard } from '../../src/domain/projection-snapshot.ts';
import { compiledRankings, rankingProfile } from '../../src/domain/ranking-profile.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';
import { castLog as castLogOf, foldCast } from './ranked-cast.ts';
import { RANKED_POLL } from './ranked-poll.ts';

function given(entries: ShardEvent[], shard = 0): ShardState {
  const state = createShardState(shard);
  for (const entry of entries) assert.equal(evolveShard(state, entry), { kind: 'applied' });
  return state;
}

const profile = suite('fold: a ranked poll keeps ballots per distinct ranking');

profile('[a,b] and [b,a] are different rankings; equal rankings are counted together', () => {
  const log = new ChainBuilder();
  const state = given([
    log.rank('p', 'v1', ['a', 'b']),
    log.rank('p', 'v2', ['b', 'a']),
    log.rank('p', 'v3', ['a', 'b']),
    log.mark(),
    log.rank('p', 'v4', ['c']),
  ]);
  assert.equal(rankingProfile('p', [state], 'finalized'), {
    rankings: [
      { ranking: ['a', 'b'], count: 2 },
      { ranking: ['b', 'a'], count: 1 },
    ],
    ballots: 3,
    position: [3],
  });
  assert.equal(rankingProfile('p', [state], 'pending').rankings.at(-1), {
    ranking: ['c'],
    count: 1,
  });
  assert.equal(rankingProfile('p', [state], 'pending').position, [4]);
});

profile('a revote moves the ballot to its new ranking once committed', () => {
  const log = new ChainBuilder();
  const state = given([log.rank('p', 'v1', ['a', 'b']), log.mark(), log.rank('p', 'v1', ['b'])]);
  const rankings = (scope: 'finalized' | 'pending') => rankingProfile('p', [state], scope).rankings;
  // Not yet committed: the committed ballot still counts, in both scopes (one voter, once).
  assert.equal(rankings('finalized'), [{ ranking: ['a', 'b'], count: 1 }]);
  assert.equal(rankings('pending'), [{ ranking: ['a', 'b'], count: 1 }]);
  evolveShard(state, log.mark());
  assert.equal(rankings('finalized'), [{ ranking: ['b'], count: 1 }]);
});

profile('shards are summed, and a snapshot keeps rankings in their order', () => {
  const one = new ChainBuilder();
  const two = new ChainBuilder();
  const a = given([one.rank('p', 'v1', ['c', 'a', 'b']), one.mark()], 0);
  const b = given([two.rank('p', 'v2', ['c', 'a', 'b']), two.rank('p', 'v3', ['a', 'c'])], 1);
  evolveShard(b, two.mark());
  const restored = [restoreShard(serializeShard(a)), restoreShard(serializeShard(b))];
  const expected = {
    rankings: [
      { ranking: ['a', 'c'], count: 1 },
      { ranking: ['c', 'a', 'b'], count: 2 },
    ],
    ballots: 3,
    position: [1, 2],
  };
  assert.equal(rankingProfile('p', [a, b], 'finalized'), expected);
  assert.equal(rankingProfile('p', restored, 'finalized'), expected);
  // After a restore, a new ballot with a known ranking joins its set, and [a,c,b] is new.
  const next = restored[1]!;
  evolveShard(next, two.rank('p', 'v4', ['c', 'a', 'b']));
  evolveShard(next, two.rank('p', 'v5', ['a', 'c', 'b']));
  evolveShard(next, two.mark());
  assert.equal(rankingProfile('p', [restored[0]!, next], 'finalized').rankings, [
    { ranking: ['a', 'c'], count: 1 },
    { ranking: ['a', 'c', 'b'], count: 1 },
    { ranking: ['c', 'a', 'b'], count: 3 },
  ]);
});

profile.run();

const compiled = suite('compiledRankings: what pollResult counts, straight from the shards');

const castLog = castLogOf(['a', 'b', 'c', 'd', 'e'], 12, 40);

compiled('counts exactly as the sorted profile of option ids, by every method and scope', () => {
  const options = ['a', 'b', 'c', 'd', 'e'];
  const methods: CountRules[] = [
    { method: 'irv', seed: 's' },
    { method: 'irv', seed: 's', batchElimination: true },
    { method: 'stv', seed: 's', seats: 2 },
    { method: 'schulze', seed: 's' },
  ];
  fc.assert(
    fc.property(castLog, (cast) => {
      const states = foldCast(cast);
      for (const scope of ['finalized', 'pending'] as const) {
        const ballots = rankingProfile('p', states, scope);
        if (ballots.ballots === 0) continue;
        const fast = compiledRankings('p', options, states, scope);
        assert.is(fast.total, BigInt(ballots.ballots));
        for (const rules of methods) {
          const reference = countBallots({ options, ballots: ballots.rankings }, rules);
          assert.equal(countBallots(fast, rules), reference);
        }
      }
    }),
    { numRuns: 200 },
  );
});

compiled('a ballot for an option the poll does not have is refused as compileProfile does', () => {
  const log = new ChainBuilder();
  const state = given([log.rank('p', 'v1', ['a', 'x']), log.mark()]);
  const refused = (error: Error) =>
    error instanceof ProfileError && error.code === 'UNKNOWN_OPTION' && /"x"/.test(error.message);
  assert.throws(() => compiledRankings('p', ['a', 'b'], [state], 'finalized'), refused);
  const ballots = rankingProfile('p', [state], 'finalized').rankings;
  assert.throws(() => compileProfile({ options: ['a', 'b'], ballots }), refused);
});

compiled.run();

const first = suite('tally of a ranked poll: first preferences');

first('a ranked poll tallies first preferences; a plurality poll every choice', () => {
  const log = new ChainBuilder();
  const state = given([
    log.rank('p', 'v1', ['b', 'a']),
    log.rank('p', 'v2', ['a', 'c']),
    log.mark(),
  ]);
  assert.equal(tallyPoll('p', [state], RANKED_POLL).finalized, { a: 1, b: 1, c: 0 });
  const { method: _m, seed: _s, ...plurality } = RANKED_POLL;
  assert.equal(tallyPoll('p', [state], plurality).finalized, { a: 2, b: 1, c: 1 });
});

first.run();
