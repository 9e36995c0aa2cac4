import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash } from '../../src/domain/chain.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import {
  appendRaw,
  caughtUp,
  createPoll,
  forgeVote,
  peerEnv,
  readChain,
  startTestNode,
  until,
} from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const tamper = suite('a tampered shard is detected and reported with its shard and seq');
let node: RunningNode;

tamper.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_NODE_ID: 'tamper-a' });
});
tamper.after(async () => {
  await node.close();
});

/**
 * Shards a test has tampered with. The tests share one node and one log, and a tampered shard
 * stays broken from zero: a later test in the same shard would meet the earlier damage when
 * its node refolds (a gap where it expects a hash break).
 */
const damaged = new Set<number>();

/** Casts votes until `count` of them land in one shard no test damaged; returns that shard. */
async function fillShard(pollId: string, count: number): Promise<number> {
  const { shards } = node.ctx.config;
  let first = 0;
  while (damaged.has(shardOf(pollId, `v-${first}`, shards))) first++;
  const shard = shardOf(pollId, `v-${first}`, shards);
  damaged.add(shard);
  let cast = 0;
  for (let i = 0; cast < count; i++) {
    if (shardOf(pollId, `v-${i}`, node.ctx.config.shards) !== shard) continue;
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: `v-${i}`, choices: ['a'] },
    });
    assert.is(res.statusCode, 201);
    cast++;
  }
  return shard;
}

const clusterView = async (n: RunningNode) => (await n.app.inject({ url: '/cluster' })).json();

tamper(
  'an entry deleted from the middle (XDEL) is a gap at its seq for any node that folds it',
  async () => {
    const pollId = await createPoll(node);
    const shard = await fillShard(pollId, 5);
    // This node folds the intact log first; only a node folding it afterwards meets the gap.
    await caughtUp(node);
    const entries = await readChain(node, shard);
    const victim = entries.find((e) => e.type === 'VoteCast' && e.seq === 3);
    assert.ok(victim);
    await node.ctx.target.client.xdel(shardKeys(node.ctx.config.prefix, shard).log, victim.id);
    const auditor = await startTestNode(await sharedCluster(), peerEnv(node, 'tamper-auditor'));
    try {
      const reader = auditor.ctx.projections.readers[shard]!;
      await until(() => reader.broken !== undefined, 10_000, 'the gap was not reported');
      assert.is(reader.broken?.reason, 'gap');
      assert.is(reader.broken?.expectedSeq, 3);
      assert.is(reader.broken?.gotSeq, 4);
      assert.is(reader.state.appliedSeq, 2, 'nothing past the gap is folded');
      const view = (await clusterView(auditor)).shards.find(
        (s: { shard: number }) => s.shard === shard,
      );
      assert.is(view.broken.reason, 'gap');
      assert.is(view.broken.gotSeq, 4);
      assert.ok(
        view.chainBreaks >= 3,
        'it refolded from the snapshot and from zero before giving up',
      );
    } finally {
      await auditor.close();
    }
  },
);

tamper(
  'an entry re-added with a wrong hash is a hash break at its seq on a live node',
  async () => {
    const pollId = await createPoll(node);
    const shard = await fillShard(pollId, 2);
    await caughtUp(node);
    const forgedSeq = await forgeVote(node, shard, pollId);
    const head = forgedSeq - 1;
    const reader = node.ctx.projections.readers[shard]!;
    await until(() => reader.broken !== undefined, 10_000, 'the forged entry was not reported');
    assert.is(reader.broken?.reason, 'hash');
    assert.is(reader.broken?.gotSeq, head + 1);
    assert.is(reader.state.appliedSeq, head);
    const tally = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
    assert.is(tally.ballots.pending, 2, 'the forged vote is not counted');
  },
);

tamper(
  'an entry carrying two data fields (one the hash covers, one forged) is refused, live and cold',
  async () => {
    const pollId = await createPoll(node);
    const shard = await fillShard(pollId, 2);
    await caughtUp(node);
    const vote = (voterId: string, choice: string) =>
      `{"at":1,"choices":["${choice}"],"pollId":"${pollId}","type":"VoteCast","v":1,"voteId":"${voterId}","voterId":"${voterId}"}`;
    const honest = vote('alice', 'a');
    // The hash is right for the first data field; a fold that hashed one field and parsed the
    // other would count mallory's vote under alice's valid hash.
    const seq = await appendRaw(node, shard, (next, headHash) => [
      'type',
      'VoteCast',
      'seq',
      String(next),
      'hash',
      chainHash(headHash, next, honest),
      'data',
      honest,
      'data',
      vote('mallory', 'b'),
    ]);
    const live = node.ctx.projections.readers[shard]!;
    await until(() => live.broken !== undefined, 10_000, 'the live node did not report it');
    assert.is(live.broken?.reason, 'invalid-entry');
    assert.is(live.broken?.gotSeq, seq);
    assert.match(live.broken?.message ?? '', /repeated/);
    const auditor = await startTestNode(await sharedCluster(), peerEnv(node, 'tamper-cold'));
    try {
      const cold = auditor.ctx.projections.readers[shard]!;
      await until(() => cold.broken !== undefined, 10_000, 'the cold fold did not report it');
      assert.is(cold.broken?.reason, 'invalid-entry');
      assert.is(cold.broken?.gotSeq, seq);
      assert.is(cold.state.appliedSeq, seq - 1);
    } finally {
      await auditor.close();
    }
  },
);

tamper.run();
