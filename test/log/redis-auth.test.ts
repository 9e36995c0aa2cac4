// Redis AUTH for real: a cluster whose servers require a password, a node that connects with
// it (or as an ACL user), and wrong or missing credentials that fail at once, not hang.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNodeProcess } from '../../ops/local-nodes.ts';
import { ConfigError } from '../../src/config.ts';
import type { RunningNode } from '../../src/node.ts';
import { castOneVote, snapshotDir, startTestNode } from '../helpers/node.ts';
import { freeBasePort, startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const PASSWORD = 'cluster-secret-7f3a';
const auth = suite('Redis AUTH: password and ACL user, refused credentials fail fast');
let cluster: TestCluster;

auth.before(async () => {
  // No replicas: AUTH is per connection; three masters show it for every slot.
  cluster = await startTestCluster({ masters: 3, replicas: 0, password: PASSWORD });
});
auth.after(async () => {
  await cluster.stop();
});

async function castOne(node: RunningNode): Promise<void> {
  const pollId = await castOneVote(node);
  const tally = await node.app.inject({ url: `/polls/${pollId}/tally` });
  assert.is(tally.statusCode, 200);
}

auth('the servers refuse a client without the password', async () => {
  const redis = new Redis({
    ...cluster.nodes[0]!,
    enableReadyCheck: false,
    retryStrategy: () => null,
  }).on('error', () => {
    // The refusal is asserted on the command below.
  });
  try {
    await redis.ping().then(
      () => assert.unreachable('PING without AUTH was answered'),
      (error: Error) => assert.match(error.message, /NOAUTH/),
    );
  } finally {
    redis.disconnect();
  }
});

auth('a node with VS_REDIS_PASSWORD casts a vote', async () => {
  const node = await startTestNode(cluster, { VS_REDIS_PASSWORD: PASSWORD });
  try {
    await castOne(node);
  } finally {
    await node.close();
  }
});

auth('a node with an ACL user (VS_REDIS_USERNAME) casts a vote', async () => {
  for (const { host, port } of cluster.nodes) {
    const admin = new Redis({ host, port, password: PASSWORD });
    try {
      await admin.acl('SETUSER', 'vsnode', 'on', '>user-secret-91c2', '~*', '&*', '+@all');
    } finally {
      admin.disconnect();
    }
  }
  const node = await startTestNode(cluster, {
    VS_REDIS_USERNAME: 'vsnode',
    VS_REDIS_PASSWORD: 'user-secret-91c2',
  });
  try {
    await castOne(node);
  } finally {
    await node.close();
  }
});

for (const [name, env, said] of [
  ['a wrong password', { VS_REDIS_PASSWORD: 'not-the-password' }, /WRONGPASS/],
  ['no password', {}, /NOAUTH/],
  ['a wrong ACL user', { VS_REDIS_USERNAME: 'nobody', VS_REDIS_PASSWORD: PASSWORD }, /WRONGPASS/],
] as const) {
  auth(`${name}: the node refuses to start within seconds, naming the variables`, async () => {
    const started = Date.now();
    try {
      const node = await startTestNode(cluster, env);
      await node.close();
      assert.unreachable('the node started with refused credentials');
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match((error as Error).message, /refused the credentials/);
      assert.match((error as Error).message, said);
      assert.match((error as Error).message, /VS_REDIS_PASSWORD/);
      assert.not.match((error as Error).message, PASSWORD);
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 5, `it took ${seconds} s`);
  });
}

const TOKEN = 'admin-secret-token-5d1e9b';

auth('a node process logs neither the Redis password nor the admin token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-log-'));
  const output = join(dir, 'node.log');
  const node = await startNodeProcess({
    nodeId: 'log-check',
    port: await freeBasePort(1),
    output,
    env: {
      VS_REDIS_CLUSTER: cluster.seeds,
      VS_REDIS_PASSWORD: PASSWORD,
      VS_ADMIN_TOKEN: TOKEN,
      VS_LOG_LEVEL: 'trace',
      VS_SNAPSHOT_DIR: snapshotDir(),
      VS_PREFIX: 'logcheck',
    },
  });
  try {
    // Admin requests carry the token in a header; a wrong one is refused (and may be logged).
    for (const token of [TOKEN, 'wrong-token']) {
      await fetch(`${node.url}/polls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ title: 'log check', options: ['a', 'b'] }),
      });
    }
  } finally {
    await node.stop();
  }
  const log = readFileSync(output, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  assert.match(log, /"event":"listening"/);
  assert.not.match(log, PASSWORD);
  assert.not.match(log, TOKEN);
});

auth('refused credentials are one line on stderr, without the password', async () => {
  const result = await execa('node', ['bin/votestream.js', 'node'], {
    reject: false,
    timeout: 15_000,
    env: {
      VS_REDIS_CLUSTER: cluster.seeds,
      VS_REDIS_PASSWORD: 'wrong-secret-c4f2',
      VS_HTTP_PORT: '0',
      VS_LOG_LEVEL: 'trace',
      VS_SNAPSHOT_DIR: snapshotDir(),
    },
  });
  assert.is(result.exitCode, 2, String(result.stderr));
  assert.match(String(result.stderr), /^votestream: Redis refused the credentials \(.*WRONGPASS/);
  assert.not.match(String(result.stdout) + String(result.stderr), /wrong-secret-c4f2/);
});

auth.run();
