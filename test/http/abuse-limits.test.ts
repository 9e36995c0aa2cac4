import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, logLength, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const limited = suite('rate limit on appends: 429 RATE_LIMITED with Retry-After, per client');
let node: RunningNode;
let pollId = '';
let voter = 0;

const vote = (remoteAddress = '127.0.0.1') =>
  node.app.inject({
    method: 'POST',
    url: '/votes',
    remoteAddress,
    payload: { pollId, voterId: `v-${voter++}`, choices: ['a'] },
  });

limited.before(async () => {
  node = await startTestNode(await sharedCluster(), {
    VS_RATE_LIMIT: '3',
    VS_RATE_LIMIT_WINDOW_MS: '1500',
  });
  pollId = await createPoll(node);
});
limited.after(async () => {
  await node.close();
});

limited('the 4th append in the window is refused, writes nothing, and names the wait', async () => {
  for (let i = 0; i < 2; i++) assert.is((await vote()).statusCode, 201);
  const batch = await node.app.inject({
    method: 'POST',
    url: '/votes/batch',
    payload: { votes: [{ pollId, voterId: 'b-1', choices: ['b'] }] },
  });
  assert.is(batch.statusCode, 200, 'the batch is the 3rd append of the window');
  const before = await logLength(node);
  const res = await vote();
  assert.is(res.statusCode, 429, res.body);
  assert.is(res.json().error.code, 'RATE_LIMITED');
  assert.type(res.json().error.message, 'string');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 2, `retry-after ${res.headers['retry-after']}`);
  const refusedBatch = await node.app.inject({
    method: 'POST',
    url: '/votes/batch',
    payload: { votes: [{ pollId, voterId: 'b-2', choices: ['b'] }] },
  });
  assert.is(refusedBatch.statusCode, 429);
  assert.is(await logLength(node), before, 'a rate-limited request wrote');
});

limited('reads and other clients are not limited', async () => {
  for (let i = 0; i < 10; i++) {
    assert.is((await node.app.inject({ url: `/polls/${pollId}/tally` })).statusCode, 200);
  }
  assert.is((await vote('10.0.0.2')).statusCode, 201);
});

limited('after the window the client may append again', async () => {
  await until(async () => (await vote()).statusCode === 201, 5_000, 'still limited');
});

limited.run();

const unlimited = suite('rate limit: off by default');

unlimited('a default node takes 50 appends in a row from one client', async () => {
  const plain = await startTestNode(await sharedCluster());
  try {
    const id = await createPoll(plain);
    for (let i = 0; i < 50; i++) {
      const res = await plain.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId: id, voterId: `u-${i}`, choices: ['a'] },
      });
      assert.is(res.statusCode, 201, res.body);
      assert.is(res.headers['x-ratelimit-limit'], undefined);
    }
  } finally {
    await plain.close();
  }
});

unlimited.run();

const shed = suite('load shedding: 503 OVERLOADED with Retry-After while the event loop lags');
let eager: RunningNode;
let patient: RunningNode;
let shedPoll = '';
let patientPoll = '';

shed.before(async () => {
  const cluster = await sharedCluster();
  // Sheds at the first sample over 10 ms of mean delay; `patient` keeps the default wait.
  eager = await startTestNode(cluster, {
    VS_SHED_EVENT_LOOP_DELAY_MS: '10',
    VS_SHED_AFTER_MS: '0',
  });
  patient = await startTestNode(cluster, { VS_SHED_EVENT_LOOP_DELAY_MS: '10' });
  shedPoll = await createPoll(eager);
  patientPoll = await createPoll(patient);
});
shed.after(async () => {
  await eager.close();
  await patient.close();
});

const overloaded = (node: RunningNode) => () =>
  (node.app as unknown as { isUnderPressure(): boolean }).isUnderPressure();

/**
 * Saturation as a node meets it: the event loop busy 50 ms at a time with only a turn between,
 * until `stop()`. Not one long block: under-pressure samples the delay histogram on its own
 * 1 s timer and resets it there, and Node's reset also forgets when the histogram last ticked,
 * so when another timer of this process is due first after a long block, the sampler runs
 * before the histogram's tick and the whole block is never recorded (measured: a 3 s block
 * seen as 0 ms in 3 of 6 runs with a 5 ms interval in the process; CI failed on it). A
 * steady lag is recorded at every tick, whichever timer runs first.
 */
function lagEventLoop(): { stop(): Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      const end = Date.now() + 50;
      while (Date.now() < end) {
        // busy on purpose
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    stop: () => {
      running = false;
      return done;
    },
  };
}

/** Lags the event loop until `node` has a sample that shows the pressure; returns the lag. */
async function lagUntilNoticed(node: RunningNode): Promise<{ stop(): Promise<void> }> {
  await until(() => !overloaded(node)(), 10_000, 'the node was under pressure before the test');
  const lag = lagEventLoop();
  try {
    await until(overloaded(node), 5_000, 'the node did not notice the lagging event loop');
  } catch (error) {
    await lag.stop();
    throw error;
  }
  return lag;
}

const castTo = (node: RunningNode, pollId: string, voterId: string) =>
  node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId, choices: ['a'] },
  });

shed('a saturated node sheds appends but still answers /health and /metrics', async () => {
  const lag = await lagUntilNoticed(eager);
  try {
    const before = await logLength(eager);
    const res = await castTo(eager, shedPoll, 'shed-1');
    assert.is(res.statusCode, 503, res.body);
    assert.is(res.json().error.code, 'OVERLOADED');
    assert.is(res.headers['retry-after'], '1');
    assert.is((await eager.app.inject({ url: '/health' })).statusCode, 200);
    assert.is((await eager.app.inject({ url: '/metrics' })).statusCode, 200);
    assert.is(await logLength(eager), before);
  } finally {
    await lag.stop();
  }
});

shed('once the loop recovers, appends are taken again', async () => {
  await until(() => !overloaded(eager)(), 10_000, 'the node stayed under pressure');
  assert.is((await castTo(eager, shedPoll, 'shed-2')).statusCode, 201);
});

shed('pressure shorter than 3 s is not saturation: by default it must last 3 s', async () => {
  const lag = await lagUntilNoticed(patient);
  try {
    const res = await castTo(patient, patientPoll, 'patient-1');
    assert.is(res.statusCode, 201, res.body);
  } finally {
    await lag.stop();
  }
});

shed.run();
