import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redisUp } from '../../ops/redis-cluster.ts';
import { redisDown } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const outage = suite('Redis stopped mid-run');
let cluster: TestCluster;
let node: RunningNode;

outage.before(async () => {
  // Its own cluster (no replicas, to restart fast): stopping the shared one would break other tests.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  node = await startTestNode(cluster, { VS_LOG_LEVEL: 'warn' });
});
outage.after(async () => {
  await node.close();
  await cluster.stop();
});

outage(
  'appends fail with 503 and Retry-After, the node stays up, and recovers when Redis returns',
  async () => {
    const pollId = await createPoll(node);
    const vote = (i: number) =>
      node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `v${i}`, choices: ['a'], voteId: `o-${i}` },
      });
    assert.is((await vote(1)).statusCode, 201);

    await redisDown({ dir: cluster.dir });
    const during = await Promise.all([2, 3, 4].map(vote));
    for (const res of during) {
      assert.is(res.statusCode, 503, res.body);
      assert.is(res.json().error.code, 'STORAGE_UNAVAILABLE');
      assert.ok(Number(res.headers['retry-after']) >= 1);
    }
    const health = await node.app.inject({ url: '/health' });
    assert.is(health.statusCode, 503);
    const metrics = (await node.app.inject({ url: '/metrics' })).body;
    const errors = Number(metrics.match(/^votestream_redis_errors_total\{[^}]*\} (\d+)/m)?.[1]);
    assert.ok(errors > 0, 'the outage is not counted in votestream_redis_errors_total');
    assert.match(metrics, /^votestream_votes_total\{status="503"[^}]*\} 3$/m);
    // The cluster view answers from the node's own state instead of waiting for Redis.
    const view = await node.app.inject({ url: '/cluster' });
    assert.is(view.statusCode, 200);
    assert.ok(view.json().shards.every((s: { headSeq: unknown }) => s.headSeq === null));

    await redisUp({ port: cluster.ports[0]!, masters: 3, replicas: 0, dir: cluster.dir });
    await until(() => node.ctx.ready(), 20_000, 'the node did not reconnect');
    let res = await vote(5);
    for (let i = 0; i < 20 && res.statusCode === 503; i++) {
      await new Promise((r) => setTimeout(r, 250));
      res = await vote(5);
    }
    assert.is(res.statusCode, 201, res.body);
    // A vote refused with 503 and retried with its voteId is recorded once.
    const retried = await vote(2);
    assert.ok([200, 201].includes(retried.statusCode), retried.body);
    assert.is((await vote(1)).statusCode, 200, 'the vote from before the outage survived (AOF)');
  },
);

outage.run();
