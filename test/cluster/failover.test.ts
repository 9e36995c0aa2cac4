import { Cluster } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeShardEntry, type RawEntry } from '../../src/log/codec.ts';
import { shardKeys } from '../../src/log/keys.ts';
import { until } from '../helpers/node.ts';
import {
  type ClusterInfo,
  get,
  leaderAmong,
  type NodeProcess,
  post,
  restart,
  startNodes,
} from '../helpers/node-process.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const failover = suite('three node processes: leader failure, fencing, partitions');
let nodes: NodeProcess[] = [];
let prefix = '';
let redis: Cluster;

failover.before(async () => {
  const cluster = await sharedCluster();
  const started = await startNodes(cluster.seeds, ['f1', 'f2', 'f3']);
  nodes = started.nodes;
  prefix = started.env.VS_PREFIX;
  redis = new Cluster(cluster.nodes);
});
failover.after(async () => {
  for (const n of nodes) n.child.kill('SIGCONT');
  await Promise.all(nodes.map((n) => n.stop()));
  redis.disconnect();
});

type Tally = {
  finalized: Record<string, number>;
  pending: Record<string, number>;
  ballots: { finalized: number; pending: number };
};
const tally = (n: NodeProcess, pollId: string) => get<Tally>(n, `/polls/${pollId}/tally`);

async function newPoll(): Promise<string> {
  const id = `poll-${Math.random().toString(36).slice(2, 8)}`;
  const res = await post(
    nodes[0]!,
    '/polls',
    { id, title: 'Failover', options: ['a', 'b'], revote: 'reject' },
    true,
  );
  assert.is(res.status, 201);
  return id;
}

async function vote(n: NodeProcess, pollId: string, voterId: string, choice = 'a') {
  const res = await post(n, '/votes', { pollId, voterId, choices: [choice] });
  assert.is(res.status, 201, JSON.stringify(res.body));
}

/** Every CommitMarked in every shard of this test's log, in stream order per shard. */
async function markers(): Promise<{ term: number; at: string }[]> {
  const all: { term: number; at: string }[] = [];
  for (let shard = 0; shard < 16; shard++) {
    const raw = (await redis.xrange(shardKeys(prefix, shard).log, '-', '+')) as RawEntry[];
    for (const entry of raw.map(decodeShardEntry))
      if (entry.type === 'CommitMarked') all.push({ term: entry.term, at: entry.id });
  }
  return all;
}

failover(
  'SIGKILL of the leader: a new leader with a higher term within 3 s, finalized votes unchanged',
  async () => {
    const pollId = await newPoll();
    for (let i = 0; i < 9; i++) await vote(nodes[i % 3]!, pollId, `before-${i}`);
    await until(
      async () => (await tally(nodes[0]!, pollId)).ballots.finalized === 9,
      5000,
      'not finalized before the kill',
    );
    const before = await tally(nodes[0]!, pollId);
    const { node: old, term } = await leaderAmong(nodes, 3000);
    const killedAt = Date.now();
    old.child.kill('SIGKILL');
    await old.child;
    const others = nodes.filter((n) => n !== old);
    const next = await leaderAmong(others, 3000);
    const tookMs = Date.now() - killedAt;
    assert.ok(next.term > term, `term ${next.term} after ${term}`);
    assert.ok(tookMs <= 3000, `a new leader took ${tookMs} ms`);
    const after = await tally(others[0]!, pollId);
    assert.ok(after.finalized.a! >= before.finalized.a!, 'a finalized vote was lost');
    await vote(others[0]!, pollId, 'after-kill');
    await until(
      async () => (await tally(others[1]!, pollId)).ballots.finalized === 10,
      5000,
      'commits did not resume',
    );
    // The old leader comes back as a follower.
    nodes[nodes.indexOf(old)] = await restart(old);
    const back = nodes.find((n) => n.nodeId === old.nodeId)!;
    await until(
      async () => (await get<ClusterInfo>(back, '/cluster')).leader?.nodeId === next.node.nodeId,
      5000,
      'the old leader did not rejoin',
    );
    assert.is((await get<ClusterInfo>(back, '/cluster')).role, 'follower');
  },
);

failover(
  'a leader paused past its lease (SIGSTOP) is fenced: after SIGCONT it writes no marker of its term',
  async () => {
    const pollId = await newPoll();
    const { node: paused, term } = await leaderAmong(nodes, 3000);
    paused.child.kill('SIGSTOP');
    try {
      const others = nodes.filter((n) => n !== paused);
      const next = await leaderAmong(others, 5000);
      assert.ok(next.term > term);
      await vote(others[0]!, pollId, 'while-paused');
      await until(
        async () => (await tally(others[0]!, pollId)).ballots.finalized === 1,
        5000,
        'no commit under the new leader',
      );
    } finally {
      paused.child.kill('SIGCONT');
    }
    const resumedAt = Date.now();
    // Give the resumed process time to act on whatever it believed before the pause.
    await new Promise((r) => setTimeout(r, 1500));
    await vote(paused, pollId, 'after-resume');
    await until(
      async () => (await tally(paused, pollId)).ballots.finalized === 2,
      5000,
      'no commit after resume',
    );
    const stale = (await markers()).filter(
      (m) => m.term <= term && Number(m.at.split('-')[0]) >= resumedAt,
    );
    assert.equal(stale, [], 'the paused leader wrote a marker after it resumed');
    assert.not.equal((await get<ClusterInfo>(paused, '/cluster')).role, 'leader');
  },
);

failover(
  'a member cut off (SIGSTOP) is suspect then dead; 2 of 3 commit; 1 of 3 does not; all resume',
  async () => {
    const pollId = await newPoll();
    const { node: leader } = await leaderAmong(nodes, 3000);
    const [one, two] = nodes.filter((n) => n !== leader);
    one!.child.kill('SIGSTOP');
    try {
      await until(
        async () =>
          (await get<ClusterInfo>(leader, '/cluster')).members.find((m) => m.nodeId === one!.nodeId)
            ?.status === 'suspect',
        2000,
        'never suspect',
      );
      await until(
        async () =>
          (await get<ClusterInfo>(leader, '/cluster')).members.find((m) => m.nodeId === one!.nodeId)
            ?.status === 'dead',
        3000,
        'never dead',
      );
      await vote(leader, pollId, 'two-of-three');
      await until(
        async () => (await tally(leader, pollId)).ballots.finalized === 1,
        5000,
        'no commit with 2 of 3',
      );
      two!.child.kill('SIGSTOP');
      await vote(leader, pollId, 'one-of-three');
      await new Promise((r) => setTimeout(r, 2500));
      const stuck = await tally(leader, pollId);
      assert.equal(stuck.ballots, { finalized: 1, pending: 1 }, 'finalized without a quorum');
    } finally {
      one!.child.kill('SIGCONT');
      two!.child.kill('SIGCONT');
    }
    for (const n of nodes) {
      await until(
        async () => (await tally(n, pollId)).ballots.finalized === 2,
        8000,
        `commits did not resume on ${n.nodeId}`,
      );
    }
  },
);

failover.run();
