// Results of ranked polls: counted on a worker thread, once per position of the poll's counts.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState } from '../../src/domain/fold-state.ts';
import { pollResult } from '../../src/domain/poll-results.ts';
import { VoteStreamError } from '../../src/errors.ts';
import { ResultCounter } from '../../src/http/result-counter.ts';
import { ResultCache } from '../../src/http/results-routes.ts';
import { ChainBuilder } from '../domain/chain-builder.ts';
import { castLog as castLogOf, foldCast } from '../domain/ranked-cast.ts';
import { RANKED_POLL } from '../domain/ranked-poll.ts';

const counters: ResultCounter[] = [];
/** A counter with the real worker, closed after the suite. */
function counter(entry?: URL): ResultCounter {
  const made = new ResultCounter(entry);
  counters.push(made);
  return made;
}

const cache = suite('results are counted once per position', {});
cache.after(async () => {
  await Promise.all(counters.map((c) => c.close()));
});

cache('the same position gives the same result; a commit or a vote a new one', async () => {
  const log = new ChainBuilder();
  const state = createShardState(0);
  const fold = (entry: Parameters<typeof evolveShard>[1]) => evolveShard(state, entry);
  fold(log.rank('p', 'v1', ['a', 'b']));
  fold(log.rank('p', 'v2', ['b']));
  fold(log.mark());
  const results = new ResultCache(counter());
  const first = results.resultOf(RANKED_POLL, [state], 'finalized');
  // Asked again while the count runs: the same count, not a second one.
  assert.is(results.resultOf(RANKED_POLL, [state], 'finalized'), first, 'served from the cache');
  assert.equal((await first).winners, ['a']);
  const provisional = results.resultOf(RANKED_POLL, [state], 'pending');
  assert.is.not(provisional, first);
  assert.is((await provisional).provisional, true);
  fold(log.rank('p', 'v3', ['b']));
  assert.is(
    results.resultOf(RANKED_POLL, [state], 'finalized'),
    first,
    'a pending vote: same count',
  );
  const moved = results.resultOf(RANKED_POLL, [state], 'pending');
  assert.is.not(moved, provisional, 'a new vote moves the provisional position');
  assert.equal((await moved).winners, ['b']);
  fold(log.mark());
  const committed = results.resultOf(RANKED_POLL, [state], 'finalized');
  assert.is.not(committed, first);
  assert.equal((await committed).winners, ['b']);
  // Another poll's ballots, cast and committed, leave this poll's counts and cache alone.
  fold(log.vote('other', 'w1', ['x']));
  fold(log.mark());
  assert.is(results.resultOf(RANKED_POLL, [state], 'finalized'), committed, 'another poll');
  assert.is(
    results.resultOf(RANKED_POLL, [state], 'pending'),
    results.resultOf(RANKED_POLL, [state], 'pending'),
  );
});

cache('a projection rebuilt from zero never reuses a cached count', async () => {
  const results = new ResultCache(counter());
  const build = (ranking: string[]) => {
    const log = new ChainBuilder();
    const state = createShardState(0);
    evolveShard(state, log.rank('p', 'v1', ranking));
    evolveShard(state, log.mark());
    return state;
  };
  const before = await results.resultOf(RANKED_POLL, [build(['a'])], 'finalized');
  const after = await results.resultOf(RANKED_POLL, [build(['c'])], 'finalized');
  assert.equal([before.winners, after.winners], [['a'], ['c']]);
});

const worker = suite('the count worker');
worker.after(async () => {
  await Promise.all(counters.map((c) => c.close()));
});

const castLog = castLogOf(['a', 'b', 'c'], 10, 30);

worker('answers byte for byte what pollResult counts in place, by every method', async () => {
  const counting = counter();
  const polls: Poll[] = [
    RANKED_POLL,
    { ...RANKED_POLL, batchElimination: true as const },
    { ...RANKED_POLL, method: 'stv' as const, seats: 2 },
    { ...RANKED_POLL, method: 'schulze' as const },
  ];
  await fc.assert(
    fc.asyncProperty(castLog, async (cast) => {
      const states = foldCast(cast);
      for (const poll of polls) {
        for (const scope of ['finalized', 'pending'] as const) {
          const inPlace = JSON.stringify(pollResult(poll, states, scope));
          assert.is(JSON.stringify(await counting.count(poll, states, scope)), inPlace);
        }
      }
    }),
    { numRuns: 40 },
  );
});

worker(
  'counts the rankings as they were when asked, whatever the fold does meanwhile',
  async () => {
    const log = new ChainBuilder();
    const state = createShardState(0);
    evolveShard(state, log.rank('p', 'v1', ['a']));
    evolveShard(state, log.mark());
    const asked = counter().count(RANKED_POLL, [state], 'finalized');
    evolveShard(state, log.rank('p', 'v2', ['c']));
    evolveShard(state, log.rank('p', 'v3', ['c']));
    evolveShard(state, log.mark());
    const result = await asked;
    assert.equal([result.winners, result.ballots], [['a'], '1']);
  },
);

worker(
  'a worker that dies refuses its counts with a 503, and the next count starts another',
  async () => {
    const dying = counter(new URL('./fixtures/count-worker-dies.js', import.meta.url));
    const state = createShardState(0);
    const log = new ChainBuilder();
    evolveShard(state, log.rank('p', 'v1', ['a']));
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        await dying.count(RANKED_POLL, [state], 'finalized');
        assert.unreachable('the worker died');
      } catch (error) {
        assert.instance(error, VoteStreamError);
        const e = error as VoteStreamError;
        assert.equal([e.code, e.status, e.retryAfter], ['OVERLOADED', 503, 1]);
        assert.match(e.message, /exited with code 7/, `attempt ${attempt}`);
      }
    }
  },
);

worker('after close(), waiting and new counts are refused as NOT_READY', async () => {
  const closing = counter();
  const state = createShardState(0);
  const log = new ChainBuilder();
  evolveShard(state, log.rank('p', 'v1', ['a']));
  const refused = async (count: Promise<unknown>) => {
    try {
      await count;
      return 'counted';
    } catch (error) {
      return (error as VoteStreamError).code;
    }
  };
  const waiting = refused(closing.count(RANKED_POLL, [state], 'finalized'));
  await closing.close();
  assert.is(await waiting, 'NOT_READY');
  assert.is(await refused(closing.count(RANKED_POLL, [state], 'finalized')), 'NOT_READY');
});

cache.run();
worker.run();
