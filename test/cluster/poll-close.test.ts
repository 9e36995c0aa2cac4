import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { coordinatorStatus } from '../../src/cluster/coordinator-status.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, readChain, startMembers, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const close = suite(
  'a poll closes at its closesAt on the cluster clock, whatever the nodes’ clocks',
);
const nodes: RunningNode[] = [];

close.before(async () => {
  const skews = { k1: { VS_CLOCK_SKEW_MS: '5000' }, k2: { VS_CLOCK_SKEW_MS: '-5000' } };
  nodes.push(...(await startMembers(await sharedCluster(), ['k1', 'k2', 'k3'], skews)));
});
close.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

close('nodes skewed by ±5 s estimate their offset to the cluster clock', async () => {
  await until(
    () => nodes.every((n) => coordinatorStatus(n.ctx.coordinator).clock.samples >= 3),
    3000,
    'no clock samples',
  );
  const offsets = nodes.map((n) => coordinatorStatus(n.ctx.coordinator).clock.offsetMs);
  assert.ok(Math.abs(offsets[0]! + 5000) < 250, `k1 offset ${offsets[0]}`);
  assert.ok(Math.abs(offsets[1]! - 5000) < 250, `k2 offset ${offsets[1]}`);
  assert.ok(Math.abs(offsets[2]!) < 250, `k3 offset ${offsets[2]}`);
});

close(
  'votes on every node stop at the barrier; none is after it in any shard; the tally becomes final',
  async () => {
    const closesAt = Date.now() + 2500;
    const pollId = await createPoll(nodes[2]!, { closesAt, options: ['a', 'b'] });
    const accepted: { shard: number; seq: number }[] = [];
    const refused: string[] = [];
    let i = 0;
    while (Date.now() < closesAt + 2000) {
      const results = await Promise.all(
        nodes.map((n) =>
          n.app.inject({
            method: 'POST',
            url: '/votes',
            payload: { pollId, voterId: `v-${i++}`, choices: ['a'] },
          }),
        ),
      );
      for (const res of results) {
        if (res.statusCode === 201) accepted.push(res.json().receipt);
        else refused.push(res.json().error.code);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(accepted.length > 50, `only ${accepted.length} votes accepted before the close`);
    assert.ok(refused.length > 50, `only ${refused.length} votes refused after the close`);
    assert.ok(
      refused.every((code) => code === 'POLL_CLOSED'),
      `refusals: ${[...new Set(refused)]}`,
    );
    for (let shard = 0; shard < 16; shard++) {
      const entries = await readChain(nodes[0]!, shard);
      const barrier = entries.find((e) => e.type === 'PollClosed' && e.pollId === pollId);
      assert.ok(barrier && barrier.type === 'PollClosed', `no barrier in shard ${shard}`);
      assert.is(barrier.by, 'schedule');
      // The leader closes on the cluster clock, within a few heartbeats of closesAt.
      assert.ok(
        barrier.at >= closesAt && barrier.at < closesAt + 1500,
        `barrier at ${barrier.at - closesAt} ms`,
      );
      const late = entries.filter(
        (e) => e.type === 'VoteCast' && e.pollId === pollId && (e.seq ?? 0) > (barrier.seq ?? 0),
      );
      assert.is(late.length, 0, `votes after the barrier in shard ${shard}`);
      for (const r of accepted.filter((a) => a.shard === shard)) assert.ok(r.seq < barrier.seq!);
    }
    for (const n of nodes) {
      await until(
        async () =>
          (await n.app.inject({ url: `/polls/${pollId}` })).json().poll.status === 'final',
        5000,
        `not final on ${n.ctx.config.nodeId}`,
      );
      const tally = (await n.app.inject({ url: `/polls/${pollId}/tally` })).json();
      assert.is(tally.finalized.a, accepted.length);
      assert.is(tally.ballots.pending, 0);
    }
  },
);

close.run();
