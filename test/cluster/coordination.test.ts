import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACKS_REFRESH_MS } from '../../src/cluster/cluster-view.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startMembers, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const coordination = suite('three members: one leader, commits, hand-over');
const nodes: RunningNode[] = [];

coordination.before(async () => {
  nodes.push(...(await startMembers(await sharedCluster(), ['c1', 'c2', 'c3'])));
});
coordination.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

const leaders = (of = nodes) => of.filter((n) => n.ctx.coordinator.isLeader);
const cluster = async (n: RunningNode) => (await n.app.inject({ url: '/cluster' })).json();

coordination('one leader is elected within 3 s and every node sees it with its term', async () => {
  await until(() => leaders().length === 1, 3000, 'no leader within 3 s');
  const [leader] = leaders();
  await until(
    async () =>
      (await Promise.all(nodes.map(cluster))).every(
        (c) => c.leader?.nodeId === leader!.ctx.config.nodeId,
      ),
    2000,
    'not every node sees the leader',
  );
  const view = await cluster(nodes[0]!);
  assert.is(view.quorum, 2);
  assert.equal(
    view.members
      .filter((m: { member: boolean }) => m.member)
      .map((m: { nodeId: string; status: string }) => [m.nodeId, m.status]),
    [
      ['c1', 'alive'],
      ['c2', 'alive'],
      ['c3', 'alive'],
    ],
  );
  assert.ok(view.clock.samples > 0);
  assert.type(view.clock.offsetMs, 'number');
  assert.is(view.shards.length, 16);
  assert.ok(
    'c1' in view.shards[0].lag,
    `consumer group lag per node: ${JSON.stringify(view.shards[0])}`,
  );
});

coordination('votes cast on any node become finalized on all three', async () => {
  const pollId = await createPoll(nodes[0]!);
  for (const [i, n] of nodes.entries()) {
    const res = await n.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: `voter-${i}`, choices: ['a'] },
    });
    assert.is(res.statusCode, 201);
  }
  for (const n of nodes) {
    await until(
      async () => (await n.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 3,
      3000,
      `not finalized on ${n.ctx.config.nodeId}`,
    );
  }
});

coordination(
  "a follower's /cluster shows every member's applied seqs, read once a second",
  async () => {
    // Followers do not follow the acks stream (only a leader or candidate does): they read the
    // newest reports every ACKS_REFRESH_MS. Every member has folded every vote by now, so each
    // follower must show, for every shard, all three members at its own applied seq.
    const followers = nodes.filter((n) => !n.ctx.coordinator.isLeader);
    assert.is(followers.length, 2);
    for (const follower of followers) {
      await until(
        async () =>
          (await cluster(follower)).shards.every(
            (shard: { shard: number; appliedBy: Record<string, number> }) => {
              const own = follower.ctx.projections.readers[shard.shard]!.state.appliedSeq;
              return ['c1', 'c2', 'c3'].every((id) => shard.appliedBy[id] === own);
            },
          ),
        ACKS_REFRESH_MS * 3,
        `${follower.ctx.config.nodeId} does not show every member's applied seqs`,
      );
    }
  },
);

coordination('a leader that stops gracefully hands over at once to a higher term', async () => {
  const [old] = leaders();
  assert.ok(old);
  const oldTerm = old.ctx.coordinator.lease.term;
  nodes.splice(nodes.indexOf(old), 1);
  const stoppedAt = Date.now();
  await old.close();
  await until(() => leaders().length === 1, 3000, 'no new leader');
  const [next] = leaders();
  assert.ok(next!.ctx.coordinator.lease.term > oldTerm);
  assert.ok(Date.now() - stoppedAt < 2000, `took ${Date.now() - stoppedAt} ms`);
  // Two of three members remain: a quorum, so commits go on.
  const pollId = await createPoll(next!);
  const res = await next!.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'after', choices: ['b'] },
  });
  assert.is(res.statusCode, 201);
  await until(
    async () =>
      (await next!.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.b === 1,
    3000,
    'commits did not resume',
  );
});

coordination.run();
