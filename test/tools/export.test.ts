import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import { decodeShardEntry, type RawEntry } from '../../src/log/codec.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { paced } from '../../src/tools/merged-log.ts';
import { castMany, caughtUp, createPoll, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { startStandaloneRedis } from '../helpers/standalone-redis.ts';

const exported = suite('poll export, offline recount, copy into another Redis, follow');
let node: RunningNode;
let pollId = '';
let other = '';
let env: Record<string, string> = {};
let dir = '';

const cli = (...args: string[]) =>
  execa('node', ['bin/votestream.js', ...args], { env, reject: false });

interface Tally {
  finalized: Record<string, number>;
  pending: Record<string, number>;
  ballots: { finalized: number; pending: number };
}

exported.before(async () => {
  const cluster = await sharedCluster();
  dir = await mkdtemp(join(tmpdir(), 'vs-export-'));
  // A single member leads and commits, so the export carries markers.
  node = await startTestNode(
    cluster,
    { VS_NODE_ID: 'export-node', VS_MEMBERS: 'export-node', VS_HEARTBEAT_MS: '100' },
    { listen: true },
  );
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: node.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
  pollId = await createPoll(node, { revote: 'replace' });
  other = await createPoll(node);
  await castMany(node, pollId, 600, { batch: 200 });
  await castMany(node, other, 400, { batch: 100, voterPrefix: 'other' });
  // Revotes: 100 of the first voters change their choice.
  await castMany(node, pollId, 100, { batch: 100, options: ['c', 'a', 'b'] });
  await caughtUp(node);
  await until(
    () => node.ctx.projections.readers.every((r) => r.state.committedSeq === r.state.appliedSeq),
    15_000,
    'the leader did not commit every shard',
  );
});
exported.after(async () => {
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

async function nodeTally(id: string): Promise<Tally> {
  return (await node.app.inject({ url: `/polls/${id}/tally` })).json() as Tally;
}

exported('replay --poll, then tally --from-file recounts exactly what the node shows', async () => {
  const res = await cli('replay', '--poll', pollId);
  assert.is(res.exitCode, 0, String(res.stderr));
  const lines = String(res.stdout).trim().split('\n');
  const types = new Set(lines.map((l) => JSON.parse(l).type));
  assert.ok(types.has('ElidedRun') && types.has('PollCreated') && types.has('CommitMarked'));
  assert.ok(!lines.some((l) => l.includes(`"${other}"`)), 'the other poll leaks into the export');
  const file = join(dir, 'poll.ndjson');
  await writeFile(file, res.stdout);

  const recount = await cli('tally', '--from-file', file, '--poll', pollId, '--json');
  assert.is(recount.exitCode, 0, String(recount.stdout));
  const summary = JSON.parse(String(recount.stdout).trim().split('\n').pop()!);
  const live = await nodeTally(pollId);
  assert.equal(summary.polls[0].finalized, live.finalized);
  assert.equal(summary.polls[0].ballots, { finalized: 600, pending: 0 });
  assert.is(summary.shards.length, 16);
  assert.ok(summary.markers >= 16);
});

exported('a changed vote in the export is found at its shard and line, and exits 1', async () => {
  const file = join(dir, 'poll.ndjson');
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  const at = lines.findIndex((l) => JSON.parse(l).type === 'VoteCast');
  const vote = JSON.parse(lines[at]!);
  vote.choices = vote.choices[0] === 'a' ? ['b'] : ['a'];
  lines[at] = JSON.stringify(vote);
  const tampered = join(dir, 'tampered.ndjson');
  await writeFile(tampered, `${lines.join('\n')}\n`);
  const res = await cli('tally', '--from-file', tampered, '--json');
  assert.is(res.exitCode, 1);
  const summary = JSON.parse(String(res.stdout).trim().split('\n').pop()!);
  assert.is(summary.problems.length, 1);
  assert.ok(
    summary.problems[0].startsWith(`shard ${vote.shard}, line ${at + 1}:`),
    summary.problems[0],
  );
  assert.ok(summary.problems[0].includes('"reason":"hash"'), summary.problems[0]);
});

exported(
  'replay --into copies the log with its ids; a node on the copy folds the same',
  async () => {
    const redis = await startStandaloneRedis();
    try {
      const into = redis.url;
      const copy = await cli('replay', '--into', into, '--json');
      assert.is(copy.exitCode, 0, String(copy.stderr));
      const copied = JSON.parse(String(copy.stdout).trim().split('\n').pop()!).copied;
      assert.ok(copied > 1100, `copied ${copied}`);

      // The copy verifies by itself, with the original entry ids.
      const verify = await execa(
        'node',
        ['bin/votestream.js', 'replay', '--verify', '--json', '--redis-url', into],
        { env: { ...env, VS_REDIS_CLUSTER: '' }, reject: false },
      );
      assert.is(verify.exitCode, 0, String(verify.stdout));
      assert.is(JSON.parse(String(verify.stdout).trim().split('\n').pop()!).broken, 0);

      // A second copy into the same place is refused, not merged.
      const again = await cli('replay', '--into', into);
      assert.is(again.exitCode, 1);
      assert.match(String(again.stderr), /already holds/);

      // A node started on the copy reaches the same digests, serves the same receipts and goes on.
      const mirror = await startTestNode(
        { seeds: '' },
        {
          VS_REDIS_URL: into,
          VS_REDIS_CLUSTER: '',
          VS_PREFIX: env.VS_PREFIX!,
          VS_NODE_ID: 'copy-node',
          VS_MEMBERS: 'copy-node',
        },
      );
      try {
        await caughtUp(mirror);
        const digests = (n: RunningNode) =>
          n.ctx.projections.readers.map((r) => `${r.state.appliedSeq}:${digestShard(r.state)}`);
        assert.equal(digests(mirror), digests(node));
        // Receipts: the copy's voteId registry points every recorded voteId at its shard.
        const shard = node.ctx.projections.readers.findIndex((r) => r.state.appliedSeq > 0);
        const [first] = (await node.ctx.target.client.xrange(
          shardKeys(node.ctx.config.prefix, shard).log,
          '-',
          '+',
          'COUNT',
          1,
        )) as RawEntry[];
        const recorded = decodeShardEntry(first!);
        assert.is(recorded.type, 'VoteCast');
        const voteId = recorded.type === 'VoteCast' ? recorded.voteId : '';
        const original = await node.app.inject({ url: `/votes/${voteId}` });
        const copied = await mirror.app.inject({ url: `/votes/${voteId}` });
        assert.is(copied.statusCode, 200, copied.body);
        assert.equal(copied.json().receipt, original.json().receipt);
        // …and refuses that voteId for another vote, as the source would.
        const planted = await mirror.app.inject({
          method: 'POST',
          url: '/votes',
          payload: { pollId, voterId: 'planter', choices: ['b'], voteId },
        });
        assert.is(planted.statusCode, 409, planted.body);
        assert.is(planted.json().error.code, 'VOTE_ID_CONFLICT');
        const replayed = await mirror.app.inject({
          method: 'POST',
          url: '/votes',
          payload: { pollId, voterId: 'voter-1', choices: ['a'], voteId: 'after-copy' },
        });
        assert.is(replayed.statusCode, 201, replayed.body);
        assert.is(replayed.json().receipt.seq > 0, true);
      } finally {
        await mirror.close();
      }
    } finally {
      await redis.stop();
    }
  },
);

exported(
  'replay --into --follow mirrors a trickle of votes as they come, not per 2000',
  async () => {
    const redis = await startStandaloneRedis();
    const into = redis.url;
    let follower: ResultPromise | undefined;
    const probe = new Redis({ port: redis.port, lazyConnect: true, retryStrategy: () => 100 });
    try {
      follower = execa(
        'node',
        ['bin/votestream.js', 'replay', '--into', into, '--follow', '--json'],
        {
          env,
          reject: false,
          stdin: 'ignore',
        },
      );
      await probe.connect();
      const shardLog = (s: number) => shardKeys(env.VS_PREFIX!, s).log;
      const copiedVotes = async () => {
        const lengths = await Promise.all(
          Array.from({ length: node.ctx.config.shards }, (_, s) => probe.xlen(shardLog(s))),
        );
        return lengths.reduce((a, b) => a + b, 0);
      };
      const logged = async () => {
        const { client } = node.ctx.target;
        const lengths = await Promise.all(
          Array.from({ length: node.ctx.config.shards }, (_, s) => client.xlen(shardLog(s))),
        );
        return lengths.reduce((a, b) => a + b, 0);
      };
      await until(async () => (await copiedVotes()) === (await logged()), 15_000, 'no first copy');
      // One vote, far less than a round: it must reach the copy by itself, and its receipt with it.
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId: other, voterId: 'trickle-1', choices: ['a'], voteId: 'trickle-vote' },
      });
      assert.is(res.statusCode, 201, res.body);
      const { shard } = res.json().receipt;
      await until(
        async () =>
          (await probe.hget(shardKeys(env.VS_PREFIX!, shard).ids, 'trickle-vote')) !== null,
        5000,
        'the vote did not reach the copy',
      );
    } finally {
      follower?.kill('SIGINT');
      await follower;
      probe.disconnect();
      await redis.stop();
    }
  },
);

exported(
  'replay --follow prints entries appended after it started, until interrupted',
  async () => {
    const follower: ResultPromise = execa(
      'node',
      ['bin/votestream.js', 'replay', '--follow', '--type', 'VoteCast', '--json'],
      { env, reject: false },
    );
    let out = '';
    follower.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await until(() => out.split('\n').length > 1100, 15_000, 'the existing log was not replayed');
      await castMany(node, other, 50, { batch: 50, voterPrefix: 'late' });
      await until(() => out.includes('"late-49"'), 10_000, 'a new vote was not followed');
    } finally {
      follower.kill('SIGINT');
    }
    const res = await follower;
    assert.is(res.exitCode, 0, String(res.stderr));
    const last = JSON.parse(String(res.stdout).trim().split('\n').pop()!);
    assert.ok(last.entries >= 1150, JSON.stringify(last));
  },
);

exported('--speed paces entries by the time between their ids', async () => {
  async function* three() {
    for (const id of ['1000-0', '1200-0', '1400-0'])
      yield { source: 0, raw: [id, []] as [string, string[]] };
  }
  const started = performance.now();
  const seen: number[] = [];
  for await (const _ of paced(three(), 4)) seen.push(performance.now() - started);
  // 200 ms between ids at 4× is 50 ms apart (the pacer lets an entry go up to 1 ms early, and
  // timers round to the millisecond).
  assert.ok(seen[1]! >= 48 && seen[2]! >= 98, JSON.stringify(seen));
});

exported.run();
