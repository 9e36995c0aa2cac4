import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus } from '../../ops/redis-cluster.ts';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { shardSlot } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

// With two replicas per master (`votestream up --redis-replicas 2`), losing a master costs
// only its failover: one replica is promoted, the other follows it, and WAIT 1 succeeds again
// with the dead server still dead.
const two = suite('two replicas per master: a master lost and left dead');
let cluster: TestCluster;
let node: RunningNode;

two.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 2, nodeTimeoutMs: 1000 });
  node = await startTestNode(cluster);
});

two.after(async () => {
  await node?.close();
  await cluster?.stop();
});

two('its shards take votes again after the failover, with no restart', async () => {
  const pollId = await createPoll(node, { options: ['a', 'b'] });
  const { prefix, shards } = node.ctx.target;
  const victim = cluster.status.masters[0]!;
  const served = (slot: number) =>
    victim.ranges.some((r) => {
      const [a, b] = r.split('-').map(Number) as [number, number | undefined];
      return slot >= a && slot <= (b ?? a);
    });
  const lost = new Set(
    Array.from({ length: shards }, (_, s) => s).filter((s) => served(shardSlot(prefix, s))),
  );
  let i = 0;
  while (!lost.has(shardOf(pollId, `voter-${i}`, shards))) i++;

  process.kill(ownedProcesses(cluster.dir).find((p) => p.port === victim.port)!.pid, 'SIGKILL');
  const killedAt = Date.now();
  let status = 0;
  await until(
    async () => {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `voter-${i}`, voteId: 'after-loss', choices: ['a'] },
      });
      status = res.statusCode;
      return status === 201;
    },
    20_000,
    `a vote of the lost master's shards was still refused (${status})`,
  );
  const ms = Date.now() - killedAt;
  console.log(`      acknowledged again ${(ms / 1000).toFixed(1)} s after the kill`);
  assert.ok(
    ownedProcesses(cluster.dir).every((p) => p.port !== victim.port),
    'it was restarted',
  );
  // The cluster's own view follows by gossip, a moment later.
  const others = cluster.ports.filter((p) => p !== victim.port);
  let seen = '';
  await until(
    async () => {
      const after = await clusterStatus('127.0.0.1', others);
      const heir = after.masters.find((m) => m.ranges.join() === victim.ranges.join());
      seen = JSON.stringify(after);
      return (
        heir !== undefined &&
        after.replicas.filter((r) => r.masterId === heir.id && r.link === 'up').length === 1
      );
    },
    10_000,
    `the promoted replica did not get the other replica: ${seen}`,
  );
  const view = (await node.app.inject({ url: '/cluster' })).json() as {
    shards: { shard: number; durable: boolean; replicasInSync: number }[];
  };
  await until(
    async () =>
      ((await node.app.inject({ url: '/cluster' })).json() as typeof view).shards.every(
        (s) => s.durable,
      ),
    5000,
    'not every shard is durable again',
  );
});

two.run();
