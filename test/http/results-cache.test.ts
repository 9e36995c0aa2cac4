import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState } from '../../src/domain/fold-state.ts';
import { ResultCache } from '../../src/http/results-routes.ts';
import { ChainBuilder } from '../domain/chain-builder.ts';
import { RANKED_POLL } from '../domain/ranked-poll.ts';

const cache = suite('results are counted once per position');

cache('the same position gives the same result object; a commit or a vote a new one', () => {
  const log = new ChainBuilder();
  const state = createShardState(0);
  const fold = (entry: Parameters<typeof evolveShard>[1]) => evolveShard(state, entry);
  fold(log.rank('p', 'v1', ['a', 'b']));
  fold(log.rank('p', 'v2', ['b']));
  fold(log.mark());
  const results = new ResultCache();
  const first = results.resultOf(RANKED_POLL, [state], 'finalized');
  assert.is(results.resultOf(RANKED_POLL, [state], 'finalized'), first, 'served from the cache');
  assert.equal(first.winners, ['a']);
  const provisional = results.resultOf(RANKED_POLL, [state], 'pending');
  assert.is.not(provisional, first);
  assert.is(provisional.provisional, true);
  fold(log.rank('p', 'v3', ['b']));
  assert.is(
    results.resultOf(RANKED_POLL, [state], 'finalized'),
    first,
    'a pending vote: same count',
  );
  const moved = results.resultOf(RANKED_POLL, [state], 'pending');
  assert.is.not(moved, provisional, 'a new vote moves the provisional position');
  assert.equal(moved.winners, ['b']);
  fold(log.mark());
  const committed = results.resultOf(RANKED_POLL, [state], 'finalized');
  assert.is.not(committed, first);
  assert.equal(committed.winners, ['b']);
  // Another poll's ballots, cast and committed, leave this poll's counts and cache alone.
  fold(log.vote('other', 'w1', ['x']));
  fold(log.mark());
  assert.is(results.resultOf(RANKED_POLL, [state], 'finalized'), committed, 'another poll');
  assert.is(
    results.resultOf(RANKED_POLL, [state], 'pending'),
    results.resultOf(RANKED_POLL, [state], 'pending'),
  );
});

cache('a projection rebuilt from zero never reuses a cached count', () => {
  const results = new ResultCache();
  const build = (ranking: string[]) => {
    const log = new ChainBuilder();
    const state = createShardState(0);
    evolveShard(state, log.rank('p', 'v1', ranking));
    evolveShard(state, log.mark());
    return state;
  };
  const before = results.resultOf(RANKED_POLL, [build(['a'])], 'finalized');
  const after = results.resultOf(RANKED_POLL, [build(['c'])], 'finalized');
  assert.equal([before.winners, after.winners], [['a'], ['c']]);
});

cache.run();
