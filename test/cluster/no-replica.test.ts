import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses, restartRedisNode } from '../../ops/redis-processes.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { shardKeys, shardSlot } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

// A master whose replica is gone cannot confirm a WAIT: its shards' votes must be refused —
// at once, without being written, while the node knows it — and taken again once the replica
// is back.
const orphan = suite('a master without a replica');
let cluster: TestCluster;
let node: RunningNode;
let pollId = '';

orphan.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 1 });
  // A long WAIT timeout, so a refusal that waited for it cannot pass for a quick one.
  node = await startTestNode(cluster, { VS_WAIT_TIMEOUT_MS: '2000' });
  pollId = await createPoll(node, { options: ['a', 'b'] });
});

orphan.after(async () => {
  await node?.close();
  await cluster?.stop();
});

interface ShardView {
  shard: number;
  durable: boolean | null;
  durableReason: string | null;
}

orphan(
  'refuses its shards at once without writing, and takes them once the replica is back',
  async () => {
    const { prefix, shards } = node.ctx.target;
    const replica = cluster.status.replicas[0]!;
    const master = cluster.status.masters.find((m) => m.id === replica.masterId)!;
    const served = (slot: number) =>
      master.ranges.some((r) => {
        const [a, b] = r.split('-').map(Number) as [number, number | undefined];
        return slot >= a && slot <= (b ?? a);
      });
    const orphaned = new Set(
      Array.from({ length: shards }, (_, s) => s).filter((s) => served(shardSlot(prefix, s))),
    );
    let i = 0;
    while (!orphaned.has(shardOf(pollId, `voter-${i}`, shards))) i++;
    const voterId = `voter-${i}`;
    const shard = shardOf(pollId, voterId, shards);
    const cast = async () => {
      const started = Date.now();
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId, voteId: 'orphan-vote', choices: ['a'] },
      });
      return { res, ms: Date.now() - started };
    };

    process.kill(ownedProcesses(cluster.dir).find((p) => p.port === replica.port)!.pid, 'SIGKILL');
    const view = async () =>
      (await node.app.inject({ url: '/cluster' })).json().shards as ShardView[];
    // On a slow machine the first polls after the kill may still see a WAIT's verdict; the
    // view settles within a few poll rounds (one a second). If it does not, the message says
    // which shards disagreed and what the cluster looked like, so the failure can be read.
    let last: ShardView[] = [];
    const settled = async () => {
      last = await view();
      return last.every((s) =>
        orphaned.has(s.shard)
          ? s.durable === false && s.durableReason === 'no replica in sync'
          : s.durable === true,
      );
    };
    try {
      await until(settled, 20_000, 'unsettled');
    } catch {
      const wrong = last
        .filter((s) => orphaned.has(s.shard) !== (s.durable === false))
        .map((s) => `shard ${s.shard}: ${s.durable} (${s.durableReason})`);
      const nodes = await node.ctx.target.client.cluster('NODES').catch((e: Error) => e.message);
      assert.unreachable(
        `the node did not tell the orphaned shards [${[...orphaned]}] from the others; ` +
          `disagreeing: ${wrong.join(', ')}; CLUSTER NODES:\n${nodes}`,
      );
    }

    const before = await node.ctx.target.client.xlen(shardKeys(prefix, shard).log);
    const { res, ms } = await cast();
    assert.is(res.statusCode, 503, res.body);
    assert.is(res.json().error.code, 'NOT_DURABLE');
    assert.ok(res.headers['retry-after'], 'a 503 without Retry-After');
    assert.ok(ms < 1000, `the refusal took ${ms} ms: it waited for a replica that is not there`);
    assert.is(await node.ctx.target.client.xlen(shardKeys(prefix, shard).log), before);

    await restartRedisNode(cluster.dir, replica.port);
    await until(
      async () => (await view()).every((s) => s.durable === true),
      20_000,
      'the shards did not become durable again once the replica was back',
    );
    const again = await cast();
    assert.is(again.res.statusCode, 201, again.res.body);
  },
);

orphan.run();
