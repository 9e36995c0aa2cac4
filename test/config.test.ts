import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, VARIABLES } from '../src/config.ts';
import { encodeEvent } from '../src/log/codec.ts';

const defaults = suite('config defaults');

defaults('an empty environment gives the documented defaults', () => {
  const config = loadConfig({}, {});
  assert.is(config.httpHost, '127.0.0.1');
  assert.is(config.httpPort, 3001);
  assert.is(config.prefix, 'vs');
  assert.is(config.shards, 16);
  assert.is(config.durability, 'auto');
  assert.is(config.leaseMs, 2000);
  assert.is(config.heartbeatMs, 250);
  assert.is(config.failureTimeoutMs, 1500);
  assert.is(config.logLevel, 'info');
  assert.is(config.stopTimeoutMs, 10000);
  assert.equal(config.members, []);
  assert.equal(config.redisCluster, []);
  assert.ok(config.nodeId.endsWith('-3001'), 'the default node id names the port');
});

defaults("every VS_HTTP_HOST it accepts fits the Heartbeat that carries the node's URL", () => {
  const longest = 'h'.repeat(253);
  assert.is(loadConfig({}, { VS_HTTP_HOST: longest }).httpHost, longest);
  assert.throws(() => loadConfig({}, { VS_HTTP_HOST: `${longest}h` }), /VS_HTTP_HOST/);
  for (const host of [longest, `[${'f'.repeat(39)}]`]) {
    const heartbeat = {
      type: 'Heartbeat',
      v: 1,
      nodeId: 'n1',
      address: `http://${host}:65535`,
      role: 'follower',
      term: 0,
      uptimeMs: 0,
      clock: 0,
    };
    assert.ok(encodeEvent(heartbeat).includes(host));
  }
});

defaults('numbers are coerced from strings and lists are parsed', () => {
  const config = loadConfig(
    {},
    {
      VS_SHARDS: '4',
      VS_HTTP_PORT: '0',
      VS_MEMBERS: ' n1, n2 ,n3,n1',
      VS_REDIS_CLUSTER: '127.0.0.1:7000, localhost:7001',
    },
  );
  assert.is(config.shards, 4);
  assert.is(config.httpPort, 0);
  assert.equal(config.members, ['n1', 'n2', 'n3']);
  assert.equal(config.redisCluster, [
    { host: '127.0.0.1', port: 7000 },
    { host: 'localhost', port: 7001 },
  ]);
});

defaults('flags override the environment', () => {
  const config = loadConfig({ VS_SHARDS: '8' }, { VS_SHARDS: '4' });
  assert.is(config.shards, 8);
});

defaults('the configuration is frozen', () => {
  const config = loadConfig({}, {});
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { shards: number }).shards = 3;
  });
});

defaults.run();

const invalid = suite('config validation');

const cases: [Record<string, string>, RegExp][] = [
  [{ VS_SHARDS: 'abc' }, /^VS_SHARDS="abc" is invalid: expected an integer from 1 to 1024$/],
  [{ VS_SHARDS: '0' }, /^VS_SHARDS="0"/],
  [{ VS_HTTP_PORT: '99999' }, /^VS_HTTP_PORT="99999" is invalid: expected an integer port/],
  [{ VS_DURABILITY: 'sometimes' }, /^VS_DURABILITY=.*one of local, replica, auto/],
  [{ VS_REDIS_CLUSTER: 'nohostport' }, /^VS_REDIS_CLUSTER=/],
  [{ VS_REDIS_URL: 'http://x' }, /^VS_REDIS_URL=/],
  [{ VS_NODE_ID: 'a b' }, /^VS_NODE_ID=/],
  [{ VS_ADMIN_TOKEN: 'short' }, /^VS_ADMIN_TOKEN=.*at least 16/],
  [{ VS_VOTER_SECRET: 'x'.repeat(31) }, /^VS_VOTER_SECRET=.*at least 32/],
  [{ VS_LOG_LEVEL: 'loud' }, /^VS_LOG_LEVEL=/],
  [{ VS_PREFIX: 'a{b}' }, /^VS_PREFIX=/],
  [{ VS_HEARTBEAT_MS: '1500', VS_LEASE_MS: '2000' }, /^VS_HEARTBEAT_MS=1500 is too long/],
  [{ VS_REDIS_CLUSTER: 'h:7000', VS_REDIS_URL: 'redis://h' }, /both set/],
  [{ VS_STOP_TIMEOUT_MS: '50' }, /^VS_STOP_TIMEOUT_MS="50" is invalid: expected an integer number/],
];

for (const [env, message] of cases) {
  invalid(`${JSON.stringify(env)} is rejected with a message naming the variable`, () => {
    try {
      loadConfig({}, env);
      assert.unreachable('loadConfig accepted an invalid value');
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match((error as Error).message, message);
    }
  });
}

invalid('an empty variable counts as unset', () => {
  assert.is(loadConfig({}, { VS_SHARDS: '' }).shards, 16);
});

invalid.run();

const documented = suite('.env.example');

documented('lists every variable the configuration reads', () => {
  const example = readFileSync('.env.example', 'utf8');
  for (const name of Object.keys(VARIABLES)) {
    assert.match(example, new RegExp(`^${name}=`, 'm'), `${name} is missing`);
  }
});

documented.run();
