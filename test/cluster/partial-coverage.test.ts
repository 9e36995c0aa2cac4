import calculateSlot from 'cluster-key-slot';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus } from '../../ops/redis-cluster.ts';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { claimShardOf, shardOf } from '../../src/domain/shard-of.ts';
import { controlKeys, shardSlot } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

// A Redis master that fails must stop only its own shards: with the Redis default
// (cluster-require-full-coverage yes) every server refuses every command while a slot has no
// master, so one lost master paused every vote. The sharpest case is a master whose replica
// dies with it: its slots then stay without a master, and the other masters' shards must go on
// as if nothing happened, while the node says which shards cannot be made durable and why.
const coverage = suite('a master lost with its replica: the other masters go on');
let cluster: TestCluster;
let node: RunningNode;
let pollId = '';
let prefixOfRun = '';
/** The shards of the master that is killed with its replica, and the others. */
let lost = new Set<number>();
let kept = new Set<number>();
const LEADER_ENV = {
  VS_NODE_ID: 'solo',
  VS_MEMBERS: 'solo',
  VS_HEARTBEAT_MS: '100',
  VS_LEASE_MS: '1000',
  VS_FAILURE_TIMEOUT_MS: '600',
};

interface ShardView {
  shard: number;
  durable: boolean | null;
  durableReason: string | null;
  replicasInSync: number | null;
}

const shardsView = async () =>
  (await node.app.inject({ url: '/cluster' })).json().shards as ShardView[];

coverage.before(async () => {
  // Its own cluster: the dead master stays dead, which no other test may meet.
  cluster = await startTestCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  node = await startTestNode(cluster, LEADER_ENV);
  prefixOfRun = node.ctx.config.prefix;
  pollId = await createPoll(node, { options: ['a', 'b'] });
});

coverage.after(async () => {
  await node?.close();
  await cluster?.stop();
});

/** Casts one vote, retrying 503s every 100 ms for up to `withinMs`; returns the last status. */
async function vote(voterId: string, withinMs: number): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  for (;;) {
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId, voteId: `v-${voterId}`, choices: ['a'] },
    });
    if (res.statusCode !== 503 || Date.now() - started > withinMs)
      return { status: res.statusCode, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Voter ids whose votes in the poll land in one of `shards`, `count` of them; and so do the
 * claims of their voteIds (`v-<voterId>`, see vote()), unless `claimIn` says where they go.
 */
function votersIn(
  shards: Set<number>,
  count: number,
  tag: string,
  claimIn: Set<number> = shards,
): string[] {
  const voters: string[] = [];
  const n = node.ctx.target.shards;
  for (let i = 0; voters.length < count; i++) {
    const voterId = `${tag}-${i}`;
    if (shards.has(shardOf(pollId, voterId, n)) && claimIn.has(claimShardOf(`v-${voterId}`, n)))
      voters.push(voterId);
  }
  return voters;
}

const finalized = async () =>
  (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().ballots.finalized as number;

const inRanges = (ranges: string[], slot: number) =>
  ranges.some((r) => {
    const [a, b] = r.split('-').map(Number) as [number, number | undefined];
    return slot >= a && slot <= (b ?? a);
  });

coverage('at the start every shard is durable, with one replica in sync', async () => {
  await until(
    async () => (await shardsView()).every((s) => s.durable === true && s.replicasInSync === 1),
    10_000,
    `not every shard showed durable with one replica in sync: ${JSON.stringify(await shardsView())}`,
  );
});

coverage(
  'votes of the other shards are acknowledged and committed; the lost shards say why',
  async () => {
    const { prefix, shards } = node.ctx.target;
    await until(() => node.ctx.coordinator.isLeader, 10_000, 'the node did not lead');
    // The victim serves shards but not the {ctl} slot, so leadership and commits carry on.
    const ctlSlot = calculateSlot(controlKeys(prefix).lease);
    const all = Array.from({ length: shards }, (_, s) => s);
    const status = await clusterStatus('127.0.0.1', cluster.ports);
    const victim = status.masters.find(
      (m) =>
        !inRanges(m.ranges, ctlSlot) && all.some((s) => inRanges(m.ranges, shardSlot(prefix, s))),
    )!;
    lost = new Set(all.filter((s) => inRanges(victim.ranges, shardSlot(prefix, s))));
    kept = new Set(all.filter((s) => !lost.has(s)));
    const heir = status.replicas.find((r) => r.masterId === victim.id)!;
    for (const p of ownedProcesses(cluster.dir))
      if (p.port === victim.port || p.port === heir.port) process.kill(p.pid, 'SIGKILL');

    // Until the others have marked it failed, then a little longer: that is when the Redis
    // default would refuse every command, cluster-wide.
    const others = cluster.ports.filter((p) => p !== victim.port && p !== heir.port);
    await until(
      async () => {
        const seen = await clusterStatus('127.0.0.1', others).catch(() => undefined);
        return seen?.masters.find((m) => m.port === victim.port)?.failed === true;
      },
      15_000,
      'the dead master was not marked failed',
    );
    await new Promise((r) => setTimeout(r, 500));

    const voters = votersIn(kept, 12, 'kept');
    for (const voterId of voters) {
      const { status, ms } = await vote(voterId, 3000);
      assert.is(status, 201, `a vote of a live master's shard was refused for ${ms} ms`);
    }
    // A client-chosen voteId is claimed in its claim shard before its vote is appended (a
    // voteId is recorded once in the deployment): with that shard lost, the vote waits too,
    // although its own shard is live. Without a voteId the server draws one claimed in the
    // vote's own shard, and it goes through.
    const [unclaimable] = votersIn(kept, 1, 'claim-lost', lost);
    const waits = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: unclaimable, voteId: `v-${unclaimable}`, choices: ['a'] },
    });
    assert.is(waits.statusCode, 503, waits.body);
    assert.ok(waits.headers['retry-after'], 'a 503 without Retry-After');
    const generated = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: unclaimable, choices: ['a'] },
    });
    assert.is(generated.statusCode, 201, generated.body);
    const [doomed] = votersIn(lost, 1, 'lost');
    const started = Date.now();
    const refused = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: doomed, choices: ['b'] },
    });
    assert.is(refused.statusCode, 503, refused.body);
    assert.ok(refused.headers['retry-after'], 'a 503 without Retry-After');
    assert.ok(Date.now() - started < 10_000, 'a vote of a lost shard hung');

    await until(
      async () => {
        const view = await shardsView();
        return view.every((s) =>
          lost.has(s.shard)
            ? s.durable === false &&
              ['slot not served', 'master unreachable'].includes(String(s.durableReason))
            : s.durable === true,
        );
      },
      10_000,
      `/cluster did not tell the lost shards from the others: ${JSON.stringify(await shardsView())}`,
    );
    const metrics = (await node.app.inject({ url: '/metrics' })).body;
    for (const s of all) {
      assert.match(
        metrics,
        new RegExp(
          `^votestream_shard_durable\\{shard="${s}",node="solo"\\} ${lost.has(s) ? 0 : 1}$`,
          'm',
        ),
      );
    }
    // The leader keeps committing the shards it can: every acknowledged vote gets finalized.
    await until(
      async () => (await finalized()) === voters.length + 1,
      10_000,
      'the votes of the live masters were not finalized',
    );
  },
);

coverage('a leader elected while those shards have no master commits the others', async () => {
  // A new node process in the same role: it must win the lease although it cannot fence the
  // lost shards, and commit the others.
  const before = await finalized();
  await node.close();
  node = await startTestNode(cluster, { ...LEADER_ENV, VS_PREFIX: prefixOfRun });
  await until(() => node.ctx.coordinator.isLeader, 10_000, 'no leader while a master is lost');
  const voters = votersIn(kept, 6, 'after');
  for (const voterId of voters) {
    const { status, ms } = await vote(voterId, 3000);
    assert.is(status, 201, `a vote of a live master's shard was refused for ${ms} ms`);
  }
  await until(
    async () => (await finalized()) === before + voters.length,
    10_000,
    "the new leader did not commit the live masters' shards",
  );
});

coverage.run();
