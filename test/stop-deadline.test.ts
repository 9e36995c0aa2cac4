import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StopDeadline } from '../src/stop-deadline.ts';

const deadline = suite('StopDeadline: the steps of one stop under one bound');

deadline('a step that finishes is not abandoned', async () => {
  const stop = new StopDeadline(1000);
  assert.is(await stop.step('quick', async () => {}), true);
  assert.ok(stop.clean);
  assert.equal(stop.abandoned, []);
});

deadline('a step that never settles is given up at its cap, with what it left open', async () => {
  const stop = new StopDeadline(5000);
  const started = performance.now();
  const finished = await stop.step('hangs', () => new Promise(() => {}), {
    capMs: 100,
    detail: () => '1 request still open',
  });
  const took = performance.now() - started;
  assert.is(finished, false);
  assert.ok(took >= 95 && took < 1000, `took ${took} ms`);
  assert.not.ok(stop.clean);
  assert.equal(stop.abandoned, [
    { step: 'hangs', reason: 'not finished within 100 ms: 1 request still open' },
  ]);
  assert.equal(stop.running, []);
});

deadline('a step never gets more than what is left of the bound, less the reserve', async () => {
  // A bound of 400 ms keeps 5 % (20 ms) for the last log lines and the exit.
  const stop = new StopDeadline(400);
  const started = performance.now();
  await stop.step('hangs', () => new Promise(() => {}), { capMs: 10_000 });
  const took = performance.now() - started;
  assert.ok(took >= 370 && took < 600, `took ${took} ms`);
  // Timers keep whole milliseconds: the step's may fire up to 1 ms before the bound's end.
  assert.ok(stop.remainingMs < 1, `${stop.remainingMs} ms left`);
  // Nothing is left: the next step is given up at once.
  assert.is(await stop.step('next', () => new Promise(() => {})), false);
  assert.equal(
    stop.abandoned.map((a) => a.step),
    ['hangs', 'next'],
  );
});

deadline('a step that fails is abandoned with its error, and step() does not throw', async () => {
  const stop = new StopDeadline(1000);
  const finished = await stop.step('refused', async () => {
    throw new Error('NOPERM');
  });
  assert.is(finished, false);
  assert.equal(stop.abandoned, [{ step: 'refused', reason: 'failed: NOPERM' }]);
});

deadline('the steps running now are named, for a watchdog that ends the process', async () => {
  const stop = new StopDeadline(1000);
  let release = () => {};
  const pending = stop.step('drain', () => new Promise<void>((r) => (release = r)));
  assert.equal(stop.running, ['drain']);
  release();
  await pending;
  assert.equal(stop.running, []);
});

deadline('work given up without trying it is recorded too', () => {
  const stop = new StopDeadline(1000);
  stop.abandon('resign leadership', 'Redis is unavailable');
  assert.equal(stop.abandoned, [{ step: 'resign leadership', reason: 'Redis is unavailable' }]);
  assert.not.ok(stop.clean);
});

deadline.run();
