import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState } from '../../src/domain/fold-state.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';

const poll: Poll = {
  id: 'p',
  title: 'Lunch',
  options: [{ id: 'pizza' }, { id: 'soup' }, { id: 'salad' }],
  maxChoices: 2,
  revote: 'replace',
  createdAt: 0,
};

function twoShards() {
  const logs = [new ChainBuilder(), new ChainBuilder()] as const;
  const shards = [createShardState(1), createShardState(0)];
  const entries = [
    [
      logs[0].vote('p', 'alice', ['pizza', 'soup']),
      logs[0].mark(),
      logs[0].vote('p', 'alice', ['soup']),
    ],
    [logs[1].vote('p', 'bob', ['pizza']), logs[1].vote('q', 'bob', ['x'])],
  ];
  entries.forEach((list, i) => {
    for (const entry of list) evolveShard(shards[i]!, entry);
  });
  return shards;
}

const tally = suite('tally');

tally('sums the shards and lists every option of the poll in its order', () => {
  const result = tallyPoll('p', twoShards(), poll);
  assert.equal(result, {
    pollId: 'p',
    finalized: { pizza: 1, soup: 1, salad: 0 },
    pending: { pizza: 1, soup: 0, salad: 0 },
    ballots: { finalized: 1, pending: 1 },
    revotesPending: 1,
    shards: [
      { shard: 0, appliedSeq: 2, committedSeq: 0 },
      { shard: 1, appliedSeq: 2, committedSeq: 1 },
    ],
  });
  assert.equal(Object.keys(result.finalized), ['pizza', 'soup', 'salad']);
});

tally('without the poll definition lists the options seen, sorted', () => {
  const result = tallyPoll('p', twoShards());
  assert.equal(Object.keys(result.pending), ['pizza', 'soup']);
});

tally('a poll no shard has seen tallies to zero ballots', () => {
  const result = tallyPoll('nope', twoShards(), { ...poll, id: 'nope' });
  assert.equal(result.ballots, { finalized: 0, pending: 0 });
  assert.equal(result.finalized, { pizza: 0, soup: 0, salad: 0 });
});

tally('an option id like __proto__ is an ordinary key', () => {
  const log = new ChainBuilder();
  const shard = createShardState(0);
  evolveShard(shard, log.vote('p', 'alice', ['__proto__']));
  const result = tallyPoll('p', [shard]);
  assert.equal(Object.keys(result.pending), ['__proto__']);
  assert.is(Object.getOwnPropertyDescriptor(result.pending, '__proto__')?.value, 1);
});

tally.run();
