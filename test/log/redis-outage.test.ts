import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redisUp } from '../../ops/redis-cluster.ts';
import { redisDown } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const outage = suite('Redis stopped mid-run');
let cluster: TestCluster;
let node: RunningNode;

outage.before(async () => {
  // Its own cluster (no replicas, to restart fast): stopping the shared one would break other tests.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  node = await startTestNode(cluster, {
    VS_LOG_LEVEL: 'warn',
    // A roll poll is pseudonymous by default, which takes a voter secret.
    VS_VOTER_SECRET: 'a-voter-secret-of-32-characters-x',
  });
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

outage(
  'requests that need Redis answer 503 at once during an outage, and none runs after it',
  async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const pollId = await createPoll(node);
    const rolled = await createPoll(node, { roll: true });
    const members = async () =>
      (await node.app.inject({ url: '/cluster' }))
        .json()
        .members.filter((m: { member: boolean }) => m.member)
        .map((m: { nodeId: string }) => m.nodeId);
    const before = await members();
    await redisDown({ dir: cluster.dir });
    const requests = [
      {
        method: 'POST',
        url: '/polls',
        headers: auth,
        payload: { id: 'made-in-the-outage', title: 't', options: ['a', 'b'] },
      },
      { method: 'POST', url: `/polls/${pollId}/close`, headers: auth },
      {
        method: 'POST',
        url: `/polls/${rolled}/roll`,
        headers: auth,
        payload: { voters: [{ voterId: 'x' }] },
      },
      {
        method: 'POST',
        url: '/cluster/members',
        headers: auth,
        payload: { members: ['someone-else'] },
      },
      {
        method: 'POST',
        url: `/polls/${pollId}/participation`,
        headers: auth,
        payload: { voters: ['x'] },
      },
      { url: '/polls/no-such-poll' },
      { url: '/polls/no-such-poll/tally' },
    ] as const;
    // Before, each waited in the Redis client's queue for the whole outage, then ran.
    for (const request of requests) {
      const res = await Promise.race([
        node.app.inject(request),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000)),
      ]);
      assert.ok(res, `${request.url} was held`);
      assert.is(res.statusCode, 503, `${request.url}: ${res.body}`);
      assert.is(res.json().error.code, 'STORAGE_UNAVAILABLE');
      assert.ok(Number(res.headers['retry-after']) >= 1);
    }
    // What the node knows is still served: its polls, its tallies.
    const polls = await node.app.inject({ url: '/polls' });
    assert.is(polls.statusCode, 200, polls.body);
    assert.ok(polls.json().polls.some((p: { id: string }) => p.id === pollId));

    await redisUp({ port: cluster.ports[0]!, masters: 3, replicas: 0, dir: cluster.dir });
    await until(() => node.ctx.ready(), 20_000, 'the node did not reconnect');
    await new Promise((r) => setTimeout(r, 1000));
    assert.is((await node.app.inject({ url: '/polls/made-in-the-outage' })).statusCode, 404);
    assert.equal(await members(), before);
    const poll = (await node.app.inject({ url: `/polls/${pollId}` })).json().poll;
    assert.is(poll.status, 'open');
  },
);

outage.run();
