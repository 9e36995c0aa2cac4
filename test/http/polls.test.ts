import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shardOf } from '../../src/domain/shard-of.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, readChain, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const polls = suite('/polls');
let node: RunningNode;

polls.before(async () => {
  node = await startTestNode(await sharedCluster());
});
polls.after(async () => {
  await node.close();
});

const create = (payload: Record<string, unknown>) =>
  node.app.inject({ method: 'POST', url: '/polls', headers: ADMIN, payload });

polls('a poll is created with defaults, listed and read back', async () => {
  const res = await create({
    id: 'lunch',
    title: 'Lunch?',
    options: ['pizza', { id: 'sushi', label: 'Sushi' }],
  });
  assert.is(res.statusCode, 201, res.body);
  const { poll } = res.json();
  assert.equal(poll.options, [{ id: 'pizza' }, { id: 'sushi', label: 'Sushi' }]);
  assert.is(poll.maxChoices, 1);
  assert.is(poll.revote, 'reject');
  assert.is(poll.status, 'open');
  assert.ok(!Number.isNaN(Date.parse(poll.createdAt)));
  const list = (await node.app.inject({ url: '/polls' })).json().polls;
  assert.ok(list.some((p: { id: string }) => p.id === 'lunch'));
  const one = await node.app.inject({ url: '/polls/lunch' });
  assert.equal(one.json().poll, poll);
});

polls(
  'the same create twice is 200 with the first poll; a different one is 409 POLL_EXISTS',
  async () => {
    const body = { id: 'twice', title: 'Twice', options: ['a', 'b'] };
    const first = await create(body);
    const again = await create(body);
    assert.is(first.statusCode, 201);
    assert.is(again.statusCode, 200);
    assert.equal(again.json().poll, first.json().poll);
    const other = await create({ ...body, title: 'Other' });
    assert.is(other.statusCode, 409);
    assert.is(other.json().error.code, 'POLL_EXISTS');
  },
);

polls('a poll without an id gets one', async () => {
  const res = await create({ title: 'No id', options: ['a', 'b'] });
  assert.is(res.statusCode, 201);
  assert.match(res.json().poll.id, /^p-[0-9a-f-]{36}$/);
});

polls('an unknown poll is 404 POLL_NOT_FOUND', async () => {
  const res = await node.app.inject({ url: '/polls/never' });
  assert.is(res.statusCode, 404);
  assert.is(res.json().error.code, 'POLL_NOT_FOUND');
});

polls(
  'close puts a barrier in every shard; votes after it are refused; closing again is harmless',
  async () => {
    const pollId = await createPoll(node);
    assert.is(
      (
        await node.app.inject({
          method: 'POST',
          url: '/votes',
          payload: { pollId, voterId: 'early', choices: ['a'] },
        })
      ).statusCode,
      201,
    );
    const closed = await node.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/close`,
      headers: ADMIN,
    });
    assert.is(closed.statusCode, 200, closed.body);
    assert.is(closed.json().poll.status, 'closed');
    assert.is(closed.json().barriers.length, node.ctx.config.shards);
    for (let shard = 0; shard < node.ctx.config.shards; shard++) {
      const barriers = (await readChain(node, shard)).filter(
        (e) => e.type === 'PollClosed' && e.pollId === pollId,
      );
      assert.is(barriers.length, 1, `shard ${shard}`);
    }
    const late = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: 'late', choices: ['a'] },
    });
    assert.is(late.statusCode, 409);
    assert.is(late.json().error.code, 'POLL_CLOSED');
    const again = await node.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/close`,
      headers: ADMIN,
    });
    assert.is(again.statusCode, 200);
    assert.is(again.json().alreadyClosed, true);
    assert.equal(again.json().barriers, closed.json().barriers);
  },
);

polls(
  'the shard barrier refuses a vote even from a node whose catalogue missed the close',
  async () => {
    const pollId = await createPoll(node);
    const other = await startTestNode(
      { seeds: node.ctx.config.redisCluster.map((s) => `${s.host}:${s.port}`).join(',') },
      {
        VS_PREFIX: node.ctx.config.prefix,
      },
    );
    try {
      await other.ctx.catalogue.get(pollId);
      other.ctx.catalogue.stop();
      // The other node's catalogue is frozen before the close: only the barrier can refuse.
      assert.is(
        (await node.app.inject({ method: 'POST', url: `/polls/${pollId}/close`, headers: ADMIN }))
          .statusCode,
        200,
      );
      assert.is(other.ctx.catalogue.peek(pollId)?.closed, false);
      const res = await other.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: 'sneaky', choices: ['a'] },
      });
      assert.is(res.statusCode, 409);
      assert.is(res.json().error.code, 'POLL_CLOSED');
      const shard = shardOf(pollId, 'sneaky', node.ctx.config.shards);
      const votes = (await readChain(node, shard)).filter(
        (e) => e.type === 'VoteCast' && e.pollId === pollId,
      );
      assert.is(votes.length, 0);
    } finally {
      await other.close();
    }
  },
);

polls('a poll past its closesAt is closed; one before its opensAt is scheduled', async () => {
  const past = await createPoll(node, { closesAt: Date.now() - 1000, opensAt: Date.now() - 5000 });
  const future = await createPoll(node, { opensAt: new Date(Date.now() + 60_000).toISOString() });
  assert.is((await node.app.inject({ url: `/polls/${past}` })).json().poll.status, 'closed');
  assert.is((await node.app.inject({ url: `/polls/${future}` })).json().poll.status, 'scheduled');
});

polls.run();
