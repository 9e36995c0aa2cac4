import { Cluster } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ephemeralLow } from '../../ops/free-ports.ts';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { flushCluster, startTestCluster, type TestCluster } from './redis-cluster.ts';

const harness = suite('test harness: a private Redis Cluster');
let cluster: TestCluster;

harness.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 1 });
});

harness.after(async () => {
  // stop() is idempotent: the last test already stopped it.
  await cluster.stop();
});

harness('starts 3 masters and 3 replicas on random ports, all ready', () => {
  assert.is(cluster.status.masters.length, 3);
  assert.is(cluster.status.replicas.length, 3);
  assert.ok(cluster.status.replicas.every((r) => r.link === 'up'));
  // Below the ephemeral range (bus ports too), above the well-known services' ports.
  assert.ok(cluster.ports.every((p) => p >= 10000 && p + 10000 < ephemeralLow()));
  assert.is(cluster.seeds.split(',').length, 3);
});

harness('flushCluster empties every master', async () => {
  const client = new Cluster(cluster.nodes);
  const keys = ['x', 'y', 'z', 'w'];
  try {
    await Promise.all(keys.map((k) => client.set(k, '1')));
    for (const k of keys) assert.is(await client.exists(k), 1);
    await flushCluster(cluster);
    for (const k of keys) assert.is(await client.exists(k), 0, `${k} survived the flush`);
  } finally {
    client.disconnect();
  }
});

harness('stop kills every server it started and removes its folder', async () => {
  const pids = ownedProcesses(cluster.dir).map((o) => o.pid);
  assert.is(pids.length, 6);
  await cluster.stop();
  for (const pid of pids) assert.throws(() => process.kill(pid, 0));
  assert.is(ownedProcesses(cluster.dir).length, 0);
});

harness.run();
