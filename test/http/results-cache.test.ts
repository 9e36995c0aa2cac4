import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState } from '../../src/domain/fold-state.ts';
import { ResultCache } from '../../src/http/results-routes.ts';
import { ChainBuilder } from '../domain/chain-builder.ts';

const cache = suite('results are counted once per position');

const poll: Poll = {
  id: 'p',
  title: 'P',
  options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  maxChoices: 3,
  revote: 'replace',
  createdAt: 0,
  method: 'irv',
  seed: '0f'.repeat(16),
};

cache('the same position gives the same result object; a commit or a vote a new one', () => {
  const log = new ChainBuilder();
  const state = createShardState(0);
  const fold = (entry: Parameters<typeof evolveShard>[1]) => evolveShard(state, entry);
  fold(log.rank('p', 'v1', ['a', 'b']));
  fold(log.rank('p', 'v2', ['b']));
  fold(log.mark());
  const results = new ResultCache();
  const first = results.resultOf(poll, [state], 'finalized');
  assert.is(results.resultOf(poll, [state], 'finalized'), first, 'served from the cache');
  assert.equal(first.winners, ['a']);
  const provisional = results.resultOf(poll, [state], 'pending');
  assert.is.not(provisional, first);
  assert.is(provisional.provisional, true);
  fold(log.rank('p', 'v3', ['b']));
  assert.is(results.resultOf(poll, [state], 'finalized'), first, 'a pending vote: same count');
  const moved = results.resultOf(poll, [state], 'pending');
  assert.is.not(moved, provisional, 'a new vote moves the provisional position');
  assert.equal(moved.winners, ['b']);
  fold(log.mark());
  const committed = results.resultOf(poll, [state], 'finalized');
  assert.is.not(committed, first);
  assert.equal(committed.winners, ['b']);
});

cache.run();
