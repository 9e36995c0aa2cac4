import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus } from '../../ops/redis-cluster.ts';
import { ownedProcesses, restartRedisNode } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const failover = suite('a Redis master killed under load');
let cluster: TestCluster;
const nodes: RunningNode[] = [];
const FAST = {
  VS_LOG_LEVEL: 'warn',
  VS_HEARTBEAT_MS: '100',
  VS_LEASE_MS: '1000',
  VS_FAILURE_TIMEOUT_MS: '600',
  VS_MEMBERS: 'r1,r2,r3',
};

failover.before(async () => {
  // Its own cluster: a failover leaves a dead master behind, which other tests must not see.
  cluster = await startTestCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 2000 });
  const first = await startTestNode(cluster, { ...FAST, VS_NODE_ID: 'r1' });
  nodes.push(first);
  for (const id of ['r2', 'r3']) {
    nodes.push(
      await startTestNode(cluster, { ...FAST, VS_NODE_ID: id, VS_PREFIX: first.ctx.config.prefix }),
    );
  }
});
failover.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await cluster.stop();
});

failover(
  'its replica takes over; appends and commits resume; no acknowledged vote is lost',
  async () => {
    const pollId = await createPoll(nodes[0]!, { options: ['a', 'b'] });
    const acknowledged = new Map<string, string>();
    let retries = 0;
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const voteId = `w${w}-${n++}`;
        const choice = n % 2 ? 'a' : 'b';
        const node = nodes[w % 3]!;
        for (;;) {
          const res = await node.app.inject({
            method: 'POST',
            url: '/votes',
            payload: { pollId, voterId: voteId, voteId, choices: [choice] },
          });
          if (res.statusCode === 201 || res.statusCode === 200) {
            acknowledged.set(voteId, choice);
            break;
          }
          assert.is(res.statusCode, 503, res.body);
          retries++;
          if (stop) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const finalized = async (node = nodes[0]!) =>
      (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().ballots.finalized as number;
    let lastFinalized = 0;
    let lastChange = Date.now();
    let maxGapMs = 0;
    const watcher = setInterval(async () => {
      const f = await finalized().catch(() => lastFinalized);
      const now = Date.now();
      if (f > lastFinalized) {
        maxGapMs = Math.max(maxGapMs, now - lastChange);
        lastFinalized = f;
        lastChange = now;
      }
    }, 50);
    const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 1500));
    const victim = ownedProcesses(cluster.dir).find(
      (p) => p.port === cluster.status.masters[0]!.port,
    )!;
    process.kill(victim.pid, 'SIGKILL');
    // Its replica is promoted after cluster-node-timeout; until a replica exists again, WAIT
    // cannot succeed on that master, so its shards answer 503 and commit nothing — as they
    // must under VS_DURABILITY=replica. A supervisor restarts the dead server, which rejoins
    // as its successor's replica.
    await new Promise((r) => setTimeout(r, 4000));
    await restartRedisNode(cluster.dir, victim.port);
    const restartedAt = Date.now();
    await until(
      async () => {
        const others = cluster.ports.filter((p) => p !== victim.port);
        const status = await clusterStatus('127.0.0.1', others);
        return status.replicas.filter((r) => r.link === 'up' && !r.failed).length === 3;
      },
      20_000,
      'the restarted server did not rejoin as a replica',
    );
    const rejoinMs = Date.now() - restartedAt;
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await load;
    const total = acknowledged.size;
    try {
      // Every node, not just the first: each folds the last markers on its own read tick.
      await until(
        async () => (await Promise.all(nodes.map((n) => finalized(n)))).every((f) => f === total),
        15_000,
        'not all finalized on every node',
      );
    } catch (error) {
      for (const node of nodes) {
        const view = (await node.app.inject({ url: '/cluster' })).json();
        const odd = view.shards.filter(
          (s: { headSeq: number; appliedSeq: number; committedSeq: number }) =>
            s.headSeq !== s.appliedSeq || s.appliedSeq !== s.committedSeq || 'broken' in s,
        );
        console.log(node.ctx.config.nodeId, view.role, JSON.stringify(odd));
      }
      console.log('redis', JSON.stringify(await clusterStatus('127.0.0.1', cluster.ports)));
      console.log('tally', (await nodes[0]!.app.inject({ url: `/polls/${pollId}/tally` })).body);
      throw error;
    }
    clearInterval(watcher);
    maxGapMs = Math.max(maxGapMs, 0);
    console.log(
      `      ${total} votes acknowledged, ${retries} retried 503s, longest time without a commit ${(maxGapMs / 1000).toFixed(1)} s (restarted server synced after ${rejoinMs} ms)`,
    );
    for (const node of nodes) {
      const tally = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
      const a = [...acknowledged.values()].filter((c) => c === 'a').length;
      assert.equal(tally.finalized, { a, b: total - a }, `tally on ${node.ctx.config.nodeId}`);
      assert.is(tally.ballots.pending, 0);
    }
    assert.ok(retries > 0, 'the failover was not felt: no 503 at all');
  },
);

failover.run();
