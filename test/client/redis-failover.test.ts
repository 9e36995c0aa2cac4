import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus } from '../../ops/redis-cluster.ts';
import { ownedProcesses, restartRedisNode } from '../../ops/redis-processes.ts';
import { VotestreamClient } from '../../src/client/index.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, startMembers, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const failover = suite('the client through a Redis master killed under it');
let cluster: TestCluster;
let nodes: RunningNode[] = [];

failover.before(async () => {
  // Its own cluster: the failover leaves a changed layout other tests must not see.
  cluster = await startTestCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 2000 });
  nodes = await startMembers(cluster, ['f1', 'f2', 'f3']);
  for (const n of nodes) await n.app.listen({ host: '127.0.0.1', port: 0 });
});
failover.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await cluster?.stop();
});

failover('every acknowledged vote is counted exactly once; 503s were retried', async () => {
  const urls = nodes.map((n) => {
    const a = n.app.server.address() as { port: number };
    return `http://127.0.0.1:${a.port}`;
  });
  const client = new VotestreamClient({
    nodes: urls,
    adminToken: ADMIN_TOKEN,
    retry: { deadlineMs: 60_000, maxAttempts: 100 },
  });
  const { poll } = await client.createPoll({ title: 'Failover', options: ['a', 'b'] });
  const acknowledged = new Map<string, string>();
  let retried503 = 0;
  let stop = false;
  let n = 0;
  const worker = async () => {
    while (!stop) {
      const voterId = `v${n++}`;
      const choice = n % 2 ? 'a' : 'b';
      const cast = await client.cast(
        { pollId: poll.id, voterId, choices: [choice] },
        {
          onRetry: (r) => {
            if (r.error.status === 503) retried503++;
          },
        },
      );
      assert.is(acknowledged.has(cast.receipt.voteId), false);
      acknowledged.set(cast.receipt.voteId, choice);
    }
  };
  const load = Promise.all(Array.from({ length: 6 }, () => worker()));
  await new Promise((r) => setTimeout(r, 1500));
  const victim = ownedProcesses(cluster.dir).find(
    (p) => p.port === cluster.status.masters[0]!.port,
  )!;
  process.kill(victim.pid, 'SIGKILL');
  // Promotion after cluster-node-timeout; then WAIT 1 needs a replica again: restart it.
  await new Promise((r) => setTimeout(r, 4000));
  await restartRedisNode(cluster.dir, victim.port);
  await until(
    async () => {
      const others = cluster.ports.filter((p) => p !== victim.port);
      const status = await clusterStatus('127.0.0.1', others);
      return status.replicas.filter((r) => r.link === 'up' && !r.failed).length === 3;
    },
    20_000,
    'the restarted server did not rejoin as a replica',
  );
  await new Promise((r) => setTimeout(r, 2000));
  stop = true;
  await load;
  const total = acknowledged.size;
  const a = [...acknowledged.values()].filter((c) => c === 'a').length;
  await until(
    async () => {
      const tallies = await Promise.all(urls.map((_, i) => client.tally(poll.id, { node: i })));
      return tallies.every((t) => t.ballots.finalized === total && t.ballots.pending === 0);
    },
    20_000,
    'not every acknowledged vote was finalized on every node',
  );
  for (const [i] of urls.entries()) {
    const t = await client.tally(poll.id, { node: i });
    assert.ok(!('sealed' in t));
    if (!('sealed' in t)) assert.equal(t.finalized, { a, b: total - a });
  }
  console.log(`      ${total} votes acknowledged through the client, ${retried503} 503s retried`);
  assert.ok(retried503 > 0, 'the failover was not felt: no 503 retried');
});

failover.run();
