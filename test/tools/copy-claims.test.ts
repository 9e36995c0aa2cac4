// replay --into gives the copy a claim for every voteId, and reports the voteIds a log written
// before voteIds were claimed holds in two shards (both votes are copied and count).
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { claimShardOf, shardOf } from '../../src/domain/shard-of.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { appendWithoutClaim, createPoll, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { startStandaloneRedis } from '../helpers/standalone-redis.ts';

const copy = suite('replay --into: claims in the copy, duplicates of an old log reported');
let node: RunningNode;
let env: Record<string, string> = {};

copy.before(async () => {
  const cluster = await sharedCluster();
  node = await startTestNode(cluster, { VS_NODE_ID: 'copy-claims' });
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: node.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
});
copy.after(async () => {
  await node?.close();
});

/** Appends a vote with the append script alone and no claim, as a node before claims did. */
async function appendUnclaimed(pollId: string, voterId: string, voteId: string): Promise<void> {
  assert.match(await appendWithoutClaim(node, pollId, voterId, voteId), /^1 /);
}

/** A voter of `pollId` whose shard is (or is not, with `inHome` false) `home`. */
function voterFor(pollId: string, tag: string, home: number, inHome: boolean): string {
  for (let i = 0; ; i++) {
    const voterId = `${tag}-${i}`;
    if ((shardOf(pollId, voterId, node.ctx.target.shards) === home) === inHome) return voterId;
  }
}

copy(
  'duplicates of every kind are reported, every vote is copied, lookups follow the claims',
  async () => {
    const pollId = await createPoll(node);
    const { shards } = node.ctx.target;
    // One voteId in its claim shard and in another, both ways round (whichever shard the copy
    // writes first), and one in two shards that are both not its claim shard.
    const cases = ['dup-home-a', 'dup-home-b', 'dup-away'].map((voteId) => ({
      voteId,
      home: claimShardOf(voteId, shards),
    }));
    for (const { voteId, home } of cases.slice(0, 2)) {
      await appendUnclaimed(pollId, voterFor(pollId, `${voteId}-in`, home, true), voteId);
      await appendUnclaimed(pollId, voterFor(pollId, `${voteId}-out`, home, false), voteId);
    }
    const away = cases[2]!;
    const first = voterFor(pollId, 'away-1', away.home, false);
    const firstShard = shardOf(pollId, first, shards);
    let second = '';
    for (let i = 0; !second; i++) {
      const v = `away-2-${i}`;
      const s = shardOf(pollId, v, shards);
      if (s !== away.home && s !== firstShard) second = v;
    }
    await appendUnclaimed(pollId, first, away.voteId);
    await appendUnclaimed(pollId, second, away.voteId);
    // And votes recorded the normal way, claimed or not claimed by the append itself.
    for (let i = 0; i < 20; i++) {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: {
          pollId,
          voterId: `fine-${i}`,
          choices: ['b'],
          ...(i % 2 ? { voteId: `ok-${i}` } : {}),
        },
      });
      assert.is(res.statusCode, 201, res.body);
    }

    const redis = await startStandaloneRedis();
    const probe = new Redis({ port: redis.port, lazyConnect: true, retryStrategy: () => 100 });
    try {
      const into = redis.url;
      const res = await execa('node', ['bin/votestream.js', 'replay', '--into', into, '--json'], {
        env,
        reject: false,
      });
      assert.is(res.exitCode, 0, String(res.stderr));
      const summary = JSON.parse(String(res.stdout).trim().split('\n').pop()!);
      assert.is(summary.duplicateVoteIds, 3, String(res.stderr));
      for (const { voteId } of cases)
        assert.match(
          String(res.stderr),
          new RegExp(`voteId "${voteId}" is recorded in two shards`),
        );
      // Every vote is in the copy: 6 unclaimed, 20 normal.
      await probe.connect();
      let votes = 0;
      for (let s = 0; s < shards; s++) votes += await probe.xlen(shardKeys(env.VS_PREFIX!, s).log);
      assert.is(votes, 26);
      // Each normal vote's voteId is claimed in the copy as the appender claimed it.
      for (let i = 1; i < 20; i += 2) {
        const voteId = `ok-${i}`;
        const home = claimShardOf(voteId, shards);
        const shard = shardOf(pollId, `fine-${i}`, shards);
        const keys = shardKeys(env.VS_PREFIX!, home);
        if (home === shard) assert.ok(await probe.hget(keys.ids, voteId), voteId);
        else assert.match(String(await probe.hget(keys.claims, voteId)), new RegExp(`^${shard} `));
      }
    } finally {
      probe.disconnect();
      await redis.stop();
    }
  },
);

copy.run();
