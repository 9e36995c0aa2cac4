import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadTicker } from '../../src/log/read-ticker.ts';

const ticker = suite('read ticker: readers level with their shard read together');

ticker('every waiter is released by the same tick, in the order they waited', async () => {
  const t = new ReadTicker({ busyMs: 5, idleMs: 50, quietTicks: 100 });
  const signal = new AbortController().signal;
  const order: number[] = [];
  const started = performance.now();
  await Promise.all([0, 1, 2].map((i) => t.next(signal).then(() => order.push(i))));
  assert.equal(order, [0, 1, 2]);
  assert.ok(performance.now() - started < 40, 'one busy tick, not three');
});

ticker(
  'slows to the idle pace after quiet ticks, and found() brings the busy pace back',
  async () => {
    const t = new ReadTicker({ busyMs: 1, idleMs: 30, quietTicks: 3 });
    const signal = new AbortController().signal;
    assert.is(t.intervalMs, 1);
    for (let i = 0; i < 3; i++) await t.next(signal);
    assert.is(t.intervalMs, 30, 'three ticks without entries');
    t.found();
    assert.is(t.intervalMs, 1);
    await t.next(signal);
    assert.is(t.intervalMs, 1, 'the tick after entries were found is not quiet');
  },
);

ticker('an aborted wait returns at once', async () => {
  const t = new ReadTicker({ busyMs: 10_000 });
  const stop = new AbortController();
  const waiting = t.next(stop.signal);
  stop.abort();
  await waiting;
  await t.next(stop.signal);
});

ticker.run();
