// Redis AUTH for real: a cluster whose servers require a password, a node that connects with
// it (or as an ACL user), and wrong or missing credentials that fail at once, not hang.
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/config.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

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
  const pollId = await createPoll(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'alice', choices: ['a'] },
  });
  assert.is(res.statusCode, 201, res.body);
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

auth.run();
