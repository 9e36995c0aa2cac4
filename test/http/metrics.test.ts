import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { caughtUp, createPoll, peerEnv, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const metrics = suite('GET /metrics');
let node: RunningNode;

metrics.before(async () => {
  node = await startTestNode(await sharedCluster(), {
    VS_NODE_ID: 'metrics-node',
    VS_MEMBERS: 'metrics-node',
    VS_HEARTBEAT_MS: '100',
    VS_LEASE_MS: '1000',
  });
});
metrics.after(async () => {
  await node.close();
});

/** The value of one sample line, e.g. value(text, 'votestream_votes_total{status="201"'). */
function value(text: string, prefix: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

metrics('after votes are cast and committed, the counters and gauges show it', async () => {
  const pollId = await createPoll(node);
  for (let i = 0; i < 10; i++) {
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: `m-${i}`, choices: ['a'] },
    });
    assert.is(res.statusCode, 201);
  }
  const refused = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'm-0', choices: ['b'] },
  });
  assert.is(refused.statusCode, 409);
  await until(
    async () =>
      (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 10,
    5000,
    'not finalized',
  );
  const res = await node.app.inject({ url: '/metrics' });
  assert.is(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  const text = res.body;
  assert.is(value(text, 'votestream_votes_total{status="201"'), 10);
  assert.is(value(text, 'votestream_votes_total{status="409"'), 1);
  assert.ok(value(text, 'votestream_append_seconds_count') >= 10);
  assert.ok(value(text, 'votestream_finalize_seconds_count') >= 10, 'no finalize latency observed');
  assert.is(value(text, 'votestream_is_leader'), 1);
  assert.ok(value(text, 'votestream_leader_term') >= 1);
  assert.is(value(text, 'votestream_members{status="alive"'), 1);
  assert.ok(value(text, 'votestream_commit_markers') >= 1);
  assert.is(value(text, 'votestream_redis_ready'), 1);
  assert.is(value(text, 'votestream_redis_errors_total'), 0);
  assert.match(text, /votestream_fold_lag_entries\{shard="0",node="metrics-node"\} \d+/);
  assert.match(text, /votestream_chain_breaks\{shard="15",node="metrics-node"\} 0/);
  assert.match(text, /process_cpu_seconds_total/);
});

metrics(
  'a node that folds the log from a cold start reports no history as finalize latency',
  async () => {
    const pollId = await createPoll(node);
    for (let i = 0; i < 20; i++) {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `h-${i}`, choices: ['a'] },
      });
      assert.is(res.statusCode, 201);
    }
    await until(
      async () =>
        (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 20,
      5000,
      'not finalized',
    );
    // Same log, a node that is not a member (it commits nothing) and folds it all on start.
    const late = await startTestNode(await sharedCluster(), {
      ...peerEnv(node, 'metrics-late'),
      VS_MEMBERS: 'metrics-node',
    });
    try {
      await caughtUp(late);
      const tally = (await late.app.inject({ url: `/polls/${pollId}/tally` })).json();
      assert.is(tally.finalized.a, 20, 'it folded the history');
      const text = (await late.app.inject({ url: '/metrics' })).body;
      assert.is(value(text, 'votestream_finalize_seconds_count'), 0);
    } finally {
      await late.close();
    }
  },
);

metrics.run();
