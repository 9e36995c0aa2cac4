// A node started while Redis does not answer cannot check its shard count against the log at
// start (src/log/shard-count.ts). It must not take a vote, fold or lead with a count the log was
// not written with: it checks once Redis answers, and serves only then; with another count it
// serves nothing and `votestream node` stops with one line, exit 2.
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redisUp } from '../../ops/redis-cluster.ts';
import { redisDown } from '../../ops/redis-processes.ts';
import type { ConfigError } from '../../src/config.ts';
import { controlKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, createPoll, snapshotDir, startTestNode, until } from '../helpers/node.ts';
import { freeBasePort, startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const gap = suite('the shard count of a node that started while Redis was down');
let cluster: TestCluster;
let prefix = '';
let pollId = '';
const open: RunningNode[] = [];

const MISMATCH = /has 16 shards, and VS_SHARDS \(--shards\) is 8/;
const restartRedis = () =>
  redisUp({ port: cluster.ports[0]!, masters: 3, replicas: 0, dir: cluster.dir });

gap.before(async () => {
  // Its own cluster (no replicas, to restart fast): stopping the shared one would break others.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  // A first node records the count, 16, and opens a poll.
  const first = await startTestNode(cluster, { VS_LOG_LEVEL: 'warn' });
  prefix = first.ctx.config.prefix;
  pollId = await createPoll(first);
  await first.close();
});
gap.after(async () => {
  for (const node of open) await node.close();
  await cluster.stop();
});

const vote = (node: RunningNode, voterId: string) =>
  node.app.inject({ method: 'POST', url: '/votes', payload: { pollId, voterId, choices: ['a'] } });

gap('checks once Redis answers: the right count serves then, another serves nothing', async () => {
  await redisDown({ dir: cluster.dir });
  const fatal: ConfigError[] = [];
  const env = { VS_PREFIX: prefix, VS_LOG_LEVEL: 'silent' };
  const eight = await startTestNode(
    cluster,
    { ...env, VS_NODE_ID: 'eight', VS_SHARDS: '8' },
    { waitReady: false, onFatal: (error) => fatal.push(error) },
  );
  open.push(eight);
  const sixteen = await startTestNode(
    cluster,
    { ...env, VS_NODE_ID: 'sixteen', VS_SNAPSHOT_DIR: snapshotDir() },
    { waitReady: false },
  );
  open.push(sixteen);
  // Redis is away. Every request but /health and /metrics is refused at once: one let through
  // would wait in the Redis client's queue and run, unchecked, when Redis came back.
  const during = await Promise.all(
    [sixteen, eight].flatMap((node) => [
      vote(node, 'v-during'),
      node.app.inject({ url: `/polls/${pollId}/tally` }),
      node.app.inject({ url: '/cluster/digests' }),
      node.app.inject({
        method: 'POST',
        url: '/cluster/members',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { members: ['eight'] },
      }),
    ]),
  );
  for (const res of during) {
    assert.is(res.statusCode, 503, res.body);
    assert.is(res.json().error.code, 'NOT_READY');
    assert.match(res.json().error.message, /not yet checked its shard count/);
    assert.ok(Number(res.headers['retry-after']) >= 1);
  }

  await restartRedis();
  await until(() => sixteen.ctx.ready(), 20_000, 'the node with the log’s count did not serve');
  assert.is((await vote(sixteen, 'v-sixteen')).statusCode, 201);
  await until(() => fatal.length > 0, 20_000, 'the node with 8 shards did not find the mismatch');
  assert.match(fatal[0]!.message, MISMATCH);
  assert.is(fatal.length, 1);

  // It takes no vote, shows no tally of a fold it never started, and says why.
  for (const res of [
    await vote(eight, 'v-eight'),
    await eight.app.inject({ url: `/polls/${pollId}/tally` }),
    await eight.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/close`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }),
  ]) {
    assert.is(res.statusCode, 503, res.body);
    assert.is(res.json().error.code, 'NOT_READY');
    assert.match(res.json().error.message, MISMATCH);
    assert.ok(Number(res.headers['retry-after']) >= 1);
  }
  assert.is((await eight.app.inject({ url: '/health' })).statusCode, 503);
  assert.ok(
    eight.ctx.projections.readers.every((r) => r.resumedFrom === undefined),
    'the node with 8 shards folded',
  );
  // Nothing the 8-shard node was asked was written, and it reports no fold progress on stopping.
  await eight.close();
  open.splice(open.indexOf(eight), 1);
  const keys = controlKeys(prefix);
  const redis = sixteen.ctx.target.client;
  const control = [
    ...(await redis.xrange(keys.election, '-', '+')),
    ...(await redis.xrange(keys.acks, '-', '+')),
  ];
  assert.ok(
    control.every(([, fields]) => !fields.join(' ').includes('"eight"')),
    'the node with 8 shards wrote to the control streams',
  );
  // The one vote the right node took is the only one in its tally.
  await until(
    async () => {
      const { ballots } = (await sixteen.app.inject({ url: `/polls/${pollId}/tally` })).json();
      return ballots.finalized + ballots.pending === 1;
    },
    10_000,
    'the tally is not one ballot',
  );
});

gap('votestream node stops with one line, exit 2', async () => {
  await redisDown({ dir: cluster.dir });
  const port = await freeBasePort(1);
  const child = execa('node', ['bin/votestream.js', 'node'], {
    env: {
      VS_REDIS_CLUSTER: cluster.seeds,
      VS_PREFIX: prefix,
      VS_SHARDS: '8',
      VS_NODE_ID: 'eight-process',
      VS_HTTP_PORT: String(port),
      VS_ADMIN_TOKEN: ADMIN_TOKEN,
      VS_SNAPSHOT_DIR: snapshotDir(),
      VS_LOG_LEVEL: 'warn',
    },
    reject: false,
    stdin: 'ignore',
  });
  try {
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 503,
      20_000,
      'the node did not start while Redis was down',
    );
    await restartRedis();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const result = await child;
    clearTimeout(timer);
    assert.is(result.exitCode, 2, String(result.stderr));
    const lines = String(result.stderr).trim().split('\n');
    assert.match(
      lines.at(-1)!,
      /^votestream: the log under prefix \S+ has 16 shards, and VS_SHARDS/,
    );
  } finally {
    child.kill('SIGKILL');
  }
});

gap.run();
