import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import { markCommit, markCommits } from '../../src/log/commit-marker.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { castMany, caughtUp, createPoll, peerEnv, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const fold = suite('folding the shards');
let a: RunningNode;
let b: RunningNode;

fold.before(async () => {
  const cluster = await sharedCluster();
  a = await startTestNode(cluster, { VS_NODE_ID: 'fold-a', VS_LOG_LEVEL: 'warn' });
  b = await startTestNode(cluster, peerEnv(a, 'fold-b'));
});
fold.after(async () => {
  await Promise.all([a.close(), b.close()]);
});

const tally = async (node: RunningNode, pollId: string) =>
  (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
const digests = (node: RunningNode) => node.ctx.projections.states.map((s) => digestShard(s));

fold('a vote shows as pending on both nodes, then finalized once a marker covers it', async () => {
  const pollId = await createPoll(a);
  const res = await a.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'ann', choices: ['b'] },
  });
  assert.is(res.statusCode, 201);
  const { shard, seq, hash } = res.json().receipt;
  for (const node of [a, b]) {
    await until(async () => (await tally(node, pollId)).pending.b === 1, 5000, 'not pending');
    const t = await tally(node, pollId);
    assert.equal(t.finalized, { a: 0, b: 0, c: 0 });
    assert.equal(t.ballots, { finalized: 0, pending: 1 });
  }
  const marked = await markCommit(a.ctx.target, shard, {
    term: 1,
    seq,
    hash,
    by: 'test',
    at: Date.now(),
  });
  assert.is(marked.status, 'marked');
  for (const node of [a, b]) {
    await until(async () => (await tally(node, pollId)).finalized.b === 1, 5000, 'not finalized');
    const t = await tally(node, pollId);
    assert.equal(t.pending, { a: 0, b: 0, c: 0 });
    assert.is(t.shards.find((s: { shard: number }) => s.shard === shard).committedSeq, seq);
    const lookup = (await node.app.inject({ url: `/votes/${res.json().receipt.voteId}` })).json();
    assert.is(lookup.status, 'finalized');
    assert.equal(lookup.receipt, res.json().receipt);
    const voter = (await node.app.inject({ url: `/polls/${pollId}/voters/ann` })).json().vote;
    assert.is(voter.status, 'finalized');
    assert.equal(voter.choices, ['b']);
  }
});

fold(
  'markers for shards on every master, sent in one call, each get their own outcome',
  async () => {
    const pollId = await createPoll(a);
    const { target } = a.ctx;
    // The head of 12 shards (their last vote): the shards lie on all three masters.
    const heads = new Map<number, { seq: number; hash: string }>();
    for (let i = 0; heads.size < 12; i++) {
      const res = await a.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `mc-${i}`, choices: ['c'] },
      });
      const { shard, seq, hash } = res.json().receipt;
      heads.set(shard, { seq, hash });
    }
    const shards = [...heads.keys()];
    const fenceOf = async (shard: number) =>
      Number((await target.client.get(shardKeys(target.prefix, shard).fence)) ?? 0);
    // Test nodes are observers: no leader marks these shards but this test. Each call mixes two
    // outcomes, alternating shard by shard, and each outcome names its own shard's state.
    // At least 2, so that term - 1 is still a valid term (older, and fenced).
    const terms = await Promise.all(shards.map(async (shard) => Math.max(2, await fenceOf(shard))));
    const at = Date.now();
    const marked = await Promise.all(
      markCommits(
        target,
        shards.map((shard, i) => {
          const { seq, hash } = heads.get(shard)!;
          const term = terms[i]!;
          return i % 2 === 0
            ? { shard, term, seq, hash, by: 'test', at }
            : { shard, term, seq: seq + 100, hash, by: 'test', at };
        }),
      ),
    );
    assert.equal(
      marked.map((o) => (o instanceof Error ? o.message : o.status)),
      shards.map((_, i) => (i % 2 === 0 ? 'marked' : 'beyond-head')),
    );
    shards.forEach((shard, i) => {
      if (i % 2 === 1)
        assert.equal(marked[i], { status: 'beyond-head', headSeq: heads.get(shard)!.seq });
    });
    const refused = await Promise.all(
      markCommits(
        target,
        shards.map((shard, i) => {
          const { seq, hash } = heads.get(shard)!;
          return i % 2 === 0
            ? { shard, term: terms[i]! - 1, seq, hash, by: 'old', at }
            : { shard, term: terms[i]!, seq, hash: 'f'.repeat(40), by: 'test', at };
        }),
      ),
    );
    assert.equal(
      refused,
      shards.map((shard, i) =>
        i % 2 === 0
          ? { status: 'fenced', fence: terms[i] }
          : { status: 'hash-mismatch', headHash: heads.get(shard)!.hash },
      ),
    );
  },
);

fold('two nodes folding 100,000 votes report identical tallies and per-shard digests', async () => {
  const pollId = await createPoll(a);
  await castMany(a, pollId, 100_000);
  await Promise.all([caughtUp(a, 60_000), caughtUp(b, 60_000)]);
  const [ta, tb] = [await tally(a, pollId), await tally(b, pollId)];
  assert.equal(ta, tb);
  assert.is(ta.ballots.pending, 100_000);
  assert.is(ta.pending.a + ta.pending.b + ta.pending.c, 100_000);
  assert.equal(digests(a), digests(b));
});

fold(
  "each node's group stands where its fold does, with no pending entries (NOACK reads)",
  async () => {
    const pollId = await createPoll(a);
    await castMany(a, pollId, 500, { voterPrefix: 'group' });
    await Promise.all([caughtUp(a), caughtUp(b)]);
    const { client, prefix } = a.ctx.target;
    /** Per shard and node: [pending, group position, the stream's last id]. */
    const groupsNow = () =>
      Promise.all(
        a.ctx.projections.readers.map(async (reader) => {
          const key = shardKeys(prefix, reader.shard).log;
          const [last] = (await client.xrevrange(key, '+', '-', 'COUNT', 1)) as [
            string,
            string[],
          ][];
          const groups = (await client.xinfo('GROUPS', key)) as (string | number)[][];
          return [a, b].map((node) => {
            const info = groups.find((g) => g[1] === node.ctx.config.nodeId) ?? [];
            const field = (name: string) => info[info.indexOf(name) + 1];
            return [field('pending'), field('last-delivered-id'), last?.[0]];
          });
        }),
      );
    // Commit markers keep arriving for a moment: wait until both groups are level with them.
    await until(
      async () => (await groupsNow()).flat().every(([, position, last]) => position === last),
      10_000,
      'a group did not reach the end of its shard',
    );
    for (const [pending] of (await groupsNow()).flat()) assert.is(pending, 0);
  },
);

fold('a node started after all votes were cast catches up to the same digests', async () => {
  const pollId = await createPoll(a);
  await castMany(a, pollId, 5_000, { voterPrefix: 'late' });
  await caughtUp(a);
  const late = await startTestNode(await sharedCluster(), peerEnv(a, 'fold-late'));
  try {
    await caughtUp(late);
    assert.equal(digests(late), digests(a));
    assert.equal(await tally(late, pollId), await tally(a, pollId));
  } finally {
    await late.close();
  }
});

fold(
  'a marker from an old term is fenced; one past the head or with a wrong hash is refused',
  async () => {
    const pollId = await createPoll(a);
    const res = await a.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: 'fen', choices: ['a'] },
    });
    const { shard, seq, hash } = res.json().receipt;
    const at = Date.now();
    assert.is(
      (await markCommit(a.ctx.target, shard, { term: 5, seq, hash, by: 'new', at })).status,
      'marked',
    );
    assert.is(
      (await markCommit(a.ctx.target, shard, { term: 4, seq, hash, by: 'old', at })).status,
      'fenced',
    );
    assert.is(
      (await markCommit(a.ctx.target, shard, { term: 5, seq: seq + 1, hash, by: 'x', at })).status,
      'beyond-head',
    );
    assert.is(
      (
        await markCommit(a.ctx.target, shard, {
          term: 5,
          seq: seq - 1 > 0 ? seq - 1 : seq,
          hash,
          by: 'x',
          at,
        })
      ).status,
      'unchanged',
    );
    const again = await a.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: 'fen2', choices: ['a'] },
    });
    const next = again.json().receipt;
    if (next.shard === shard) {
      const wrong = await markCommit(a.ctx.target, shard, {
        term: 5,
        seq: next.seq,
        hash: 'f'.repeat(40),
        by: 'x',
        at,
      });
      assert.is(wrong.status, 'hash-mismatch');
    }
  },
);

fold.run();
