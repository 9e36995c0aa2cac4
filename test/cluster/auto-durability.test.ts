import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freeBasePort } from '../../ops/free-ports.ts';
import { requireRedisTools, startServer } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import { startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

// VS_DURABILITY=auto (the default) on a cluster that shows no replica at first: votes are
// acknowledged once their master has them. Once a replica shows up, every vote waits for one,
// from then on. A node that looked once at start stayed local for good, also when the replicas
// of a cluster just created were not listed yet (cluster/no-replica's rare failures).
const auto = suite('VS_DURABILITY=auto: local until a replica shows up');
let cluster: TestCluster;
let node: RunningNode;

auto.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  node = await startTestNode(cluster, { VS_DURABILITY: 'auto' });
});

auto.after(async () => {
  await node?.close();
  // The added replica's files are in the cluster's folder: stopped with the rest.
  await cluster?.stop();
});

const health = async () => (await node.app.inject({ url: '/health' })).json();

auto('a replica added to a running cluster turns local durability into replica', async () => {
  assert.is((await health()).durability, 'local');
  const { server, cli } = requireRedisTools();
  const port = await freeBasePort(1);
  await startServer(server, cluster.dir, '127.0.0.1', port, { nodeTimeoutMs: 3000 });
  const master = cluster.status.masters[0]!;
  const added = await execa(
    cli,
    [
      '--cluster',
      'add-node',
      `127.0.0.1:${port}`,
      `127.0.0.1:${master.port}`,
      '--cluster-slave',
      '--cluster-master-id',
      master.id,
    ],
    { reject: false, timeout: 30_000 },
  );
  assert.is(added.exitCode, 0, String(added.stdout) + String(added.stderr));
  await until(
    async () => (await health()).durability === 'replica',
    10_000,
    'the node kept local durability after a replica joined',
  );
});

auto.run();
