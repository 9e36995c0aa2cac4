import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/config.ts';
import { digestShard } from '../../src/domain/digest.ts';
import { markCommit } from '../../src/log/commit-marker.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { compareWithNode, rebuild } from '../../src/tools/rebuild.ts';
import { replayLog } from '../../src/tools/replay.ts';
import { verifyShard } from '../../src/tools/verify-chain.ts';
import {
  castMany,
  caughtUp,
  createPoll,
  forgeVote,
  snapshotDir,
  startTestNode,
} from '../helpers/node.ts';
import { freeBasePort, sharedCluster } from '../helpers/redis-cluster.ts';

const tools = suite('replay, verify and rebuild on a small log');
let node: RunningNode;
let pollId = '';
let env: Record<string, string> = {};

tools.before(async () => {
  const cluster = await sharedCluster();
  node = await startTestNode(cluster, { VS_NODE_ID: 'tools-node' }, { listen: true });
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: node.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
  pollId = await createPoll(node);
  await castMany(node, pollId, 2000, { batch: 500 });
  const other = await createPoll(node);
  await castMany(node, other, 300, { batch: 300, voterPrefix: 'other' });
  await caughtUp(node);
  // Commit part of every shard, as a leader would.
  for (const reader of node.ctx.projections.readers) {
    const half = Math.floor(reader.state.appliedSeq / 2);
    const raw = (await node.ctx.target.client.xrange(
      shardKeys(env.VS_PREFIX!, reader.shard).log,
      '-',
      '+',
    )) as [string, string[]][];
    const hash = raw[half - 1]?.[1][5];
    if (half > 0 && hash)
      await markCommit(node.ctx.target, reader.shard, {
        term: 1,
        seq: half,
        hash,
        by: 'test',
        at: Date.now(),
      });
  }
  await caughtUp(node);
  await new Promise((r) => setTimeout(r, 300));
});
tools.after(async () => {
  await node.close();
});

const cli = (...args: string[]) =>
  execa('node', ['bin/votestream.js', ...args], { env, reject: false });

tools('every shard verifies intact, markers included', async () => {
  const verdicts = await Promise.all(
    Array.from({ length: 16 }, (_, s) => verifyShard(node.ctx.target.client, env.VS_PREFIX!, s)),
  );
  assert.ok(
    verdicts.every((v) => v.ok),
    JSON.stringify(verdicts.filter((v) => !v.ok)),
  );
  assert.is(
    verdicts.reduce((n, v) => n + v.headSeq, 0),
    2300,
  );
  assert.ok(verdicts.every((v) => v.markers === 1 && v.committedSeq > 0));
});

tools('replay merges the shards by entry id and filters by poll', async () => {
  const ids: string[] = [];
  let votes = 0;
  for await (const entry of replayLog(node.ctx.target.client, env.VS_PREFIX!, 16, { pollId })) {
    // A run of other polls' entries is shown just before the entry that follows it in its shard.
    if (entry.type === 'ElidedRun') continue;
    ids.push(entry.id);
    if (entry.type === 'VoteCast') {
      votes++;
      assert.is(entry.pollId, pollId);
    }
  }
  assert.is(votes, 2000);
  const sorted = [...ids].sort((a, b) => {
    const [am, as] = a.split('-').map(Number);
    const [bm, bs] = b.split('-').map(Number);
    return am! - bm! || as! - bs!;
  });
  assert.equal(ids, sorted);
  const res = await cli('replay', '--type', 'CommitMarked', '--json');
  assert.is(res.exitCode, 0, String(res.stderr));
  const lines = String(res.stdout).trim().split('\n');
  assert.is(JSON.parse(lines.pop()!).entries, 16);
  assert.ok(lines.every((l) => JSON.parse(l).type === 'CommitMarked'));
});

tools('rebuild reproduces the live fold: same digests, and --compare says so', async () => {
  const result = await rebuild(node.ctx.target.client, env.VS_PREFIX!, 16);
  assert.is(result.entries, 2300 + 16);
  assert.equal(
    result.shards.map((s) => s.digest),
    node.ctx.projections.states.map((s) => digestShard(s)),
  );
  const tally = result.tallies.find((t) => t.pollId === pollId)!;
  assert.equal(tally, (await node.app.inject({ url: `/polls/${pollId}/tally` })).json());
  const res = await cli('rebuild', '--compare', node.url, '--json');
  assert.is(res.exitCode, 0, String(res.stderr));
  const summary = JSON.parse(String(res.stdout).trim().split('\n').pop()!);
  assert.is(summary.mismatches, 0);
  assert.is(summary.entries, 2316);
});

tools(
  'a wrong shard count is refused, a compare of fewer shards than the node folds is no match, a node that does not answer is one line, an empty prefix is said',
  async () => {
    const port = await freeBasePort(1);
    const [half, halfReplay, away, typo] = await Promise.all([
      cli('rebuild', '--shards', '8', '--compare', node.url, '--json'),
      cli('replay', '--verify', '--shards', '32'),
      cli('rebuild', '--compare', `http://127.0.0.1:${port}`),
      cli('rebuild', '--prefix', 'no-such-prefix', '--json'),
    ]);
    // The node recorded the deployment's 16 shards: a tool given another count reads nothing.
    for (const [run, shards] of [
      [half, 8],
      [halfReplay, 32],
    ] as const) {
      assert.is(run.exitCode, 2, String(run.stderr));
      assert.is(
        String(run.stderr),
        `votestream: the log under prefix ${env.VS_PREFIX} has 16 shards, and VS_SHARDS (--shards) is ${shards}: a deployment's shard count is fixed; give every node and tool the same`,
      );
      assert.is(String(run.stdout), '');
    }
    // A prefix with nothing under it: exit 0 (an empty log folds), but said on stderr.
    assert.is(typo.exitCode, 0, String(typo.stderr));
    assert.is(
      String(typo.stderr),
      "votestream rebuild: no entries and no polls under prefix no-such-prefix (VS_PREFIX, --prefix): is it the deployment's?",
    );
    assert.is(away.exitCode, 2);
    // One line (execa drops the last newline).
    assert.match(
      String(away.stderr),
      new RegExp(`^votestream: --compare: http://127.0.0.1:${port} did not answer: [^\n]+$`),
      String(away.stderr),
    );
    // A rebuild of fewer shards than the node folds (a log with no record of its count) is no
    // match: the node's other shards are not rebuilt.
    const partial = await rebuild(node.ctx.target.client, env.VS_PREFIX!, 8);
    const comparison = await compareWithNode(partial, node.url);
    assert.equal(
      comparison.filter((c) => c.status === 'not-rebuilt').map((c) => c.shard),
      [8, 9, 10, 11, 12, 13, 14, 15],
    );
    assert.ok(
      comparison.slice(0, 8).every((c) => c.status === 'equal'),
      JSON.stringify(comparison),
    );
  },
);

tools('a node given another shard count than its log does not start', async () => {
  const error = await startTestNode(await sharedCluster(), {
    VS_PREFIX: env.VS_PREFIX!,
    VS_NODE_ID: 'tools-eight-shards',
    VS_SHARDS: '8',
  }).then(
    (started) => started.close().then(() => undefined),
    (e: Error) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.match(error.message, /has 16 shards, and VS_SHARDS \(--shards\) is 8/);
});

tools('rebuild --node --write leaves snapshots the node starts from', async () => {
  const dir = snapshotDir();
  const res = await execa(
    'node',
    ['bin/votestream.js', 'rebuild', '--node', 'tools-fresh', '--write', '--json'],
    {
      env: { ...env, VS_SNAPSHOT_DIR: dir },
      reject: false,
    },
  );
  assert.is(res.exitCode, 0, String(res.stderr));
  assert.is(JSON.parse(String(res.stdout).trim().split('\n').pop()!).snapshotsWritten, 16);
  const fresh = await startTestNode(await sharedCluster(), {
    VS_PREFIX: env.VS_PREFIX!,
    VS_NODE_ID: 'tools-fresh',
    VS_SNAPSHOT_DIR: dir,
  });
  try {
    await caughtUp(fresh);
    assert.equal(
      fresh.ctx.projections.readers.map((r) => r.resumedFrom),
      fresh.ctx.projections.readers.map(() => 'snapshot'),
    );
    assert.equal(
      fresh.ctx.projections.states.map((s) => digestShard(s)),
      node.ctx.projections.states.map((s) => digestShard(s)),
    );
  } finally {
    await fresh.close();
  }
});

tools(
  'a corrupted entry is reported with exactly its shard and seq, and the exit code is 1',
  async () => {
    const shard = 5;
    const head = (await forgeVote(node, shard, pollId)) - 1;
    const res = await cli('replay', '--verify', '--json');
    assert.is(res.exitCode, 1);
    const summary = JSON.parse(String(res.stdout).trim().split('\n').pop()!);
    assert.is(summary.broken, 1);
    const bad = summary.details.find((d: { ok: boolean }) => !d.ok);
    assert.is(bad.shard, shard);
    assert.is(bad.firstBreak.seq, head + 1);
    assert.is(bad.firstBreak.reason, 'hash');
  },
);

// Which options each command lists is test/cli/config-flags.test.ts's; here, what replay's
// --help says of its default format.
tools('replay --help names its default format', async () => {
  const help = String((await cli('replay', '--help')).stdout);
  assert.match(help, /--format <format>[\s\S]*default:\s+"ndjson"\)/);
});

tools.run();
