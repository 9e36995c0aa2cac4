import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterStatus } from '../../ops/cluster-nodes.ts';
import { clusterStatus } from '../../ops/redis-cluster.ts';
import { ownedProcesses, redisDown } from '../../ops/redis-processes.ts';
import {
  failoverVerdict,
  type RedisSupervisor,
  superviseRedis,
} from '../../ops/redis-supervisor.ts';
import { until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const supervisor = suite('the redis-server supervisor of votestream up');
let cluster: TestCluster;
let watch: RedisSupervisor;
const lines: string[] = [];
const said = (pattern: RegExp) => lines.some((l) => pattern.test(l));

supervisor.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  watch = superviseRedis({ dir: cluster.dir, ports: cluster.ports, pollMs: 100 }, (line) =>
    lines.push(line),
  );
});

supervisor.after(async () => {
  await watch?.stop();
  await cluster?.stop();
});

const pidOf = (port: number) => ownedProcesses(cluster.dir).find((p) => p.port === port)?.pid;

supervisor('a replica killed with SIGKILL is started again and syncs', async () => {
  const replica = cluster.status.replicas[0]!;
  const pid = pidOf(replica.port)!;
  process.kill(pid, 'SIGKILL');
  await until(
    () => said(new RegExp(`redis-server ${replica.port} restarted`)),
    15_000,
    `not restarted: ${lines.join(' | ')}`,
  );
  assert.ok(said(new RegExp(`${replica.port} restarted .*it was a replica`)), lines.join(' | '));
  assert.not.equal(pidOf(replica.port), pid);
  await until(
    async () => {
      const status = await clusterStatus('127.0.0.1', cluster.ports);
      return status.replicas.find((r) => r.port === replica.port)?.link === 'up';
    },
    15_000,
    'the restarted replica did not sync',
  );
});

supervisor('a server shut down on purpose (SIGTERM) is left alone', async () => {
  const replica = cluster.status.replicas[1]!;
  process.kill(pidOf(replica.port)!, 'SIGTERM');
  await until(
    () => said(new RegExp(`redis-server ${replica.port} was shut down; not restarting it`)),
    10_000,
    `no word of the shutdown: ${lines.join(' | ')}`,
  );
  await new Promise((r) => setTimeout(r, 1500));
  assert.is(pidOf(replica.port), undefined, 'a server shut down on purpose was started again');
});

supervisor('votestream redis down while supervised: nothing is started again', async () => {
  const before = watch.restarts;
  await redisDown({ dir: cluster.dir });
  await new Promise((r) => setTimeout(r, 2000));
  assert.is(ownedProcesses(cluster.dir).length, 0, 'a server came back after redis down');
  assert.is(watch.restarts, before);
});

const layout = (over: Partial<ClusterStatus>): ClusterStatus => ({
  state: 'ok',
  slotsAssigned: 16384,
  slotsOk: 16384,
  masters: [],
  replicas: [],
  ...over,
});
const master = (port: number, slots: number) => ({
  id: `m${port}`,
  address: `127.0.0.1:${port}`,
  port,
  slots,
  ranges: [],
  replicas: 1,
  failed: slots > 0,
});
const replicaOf = (port: number, of: number, failed = false) => ({
  id: `r${port}`,
  address: `127.0.0.1:${port}`,
  port,
  masterId: `m${of}`,
  masterAddress: `127.0.0.1:${of}`,
  link: 'down',
  failed,
});

supervisor('a dead master waits for its replica to take its slots, unless none can', () => {
  // Still the master of its slots, with a live replica: not yet (it would come back as their
  // master from its own AOF, and its replica would resync from it).
  assert.is(
    failoverVerdict(
      layout({ masters: [master(7000, 5461)], replicas: [replicaOf(7003, 7000)] }),
      7000,
    ),
    undefined,
  );
  assert.match(
    failoverVerdict(layout({ masters: [master(7000, 0)], replicas: [] }), 7000) ?? '',
    /replica took over/,
  );
  assert.match(
    failoverVerdict(
      layout({ masters: [master(7000, 5461)], replicas: [replicaOf(7003, 7000, true)] }),
      7000,
    ) ?? '',
    /no replica could take over/,
  );
  assert.match(
    failoverVerdict(layout({ replicas: [replicaOf(7003, 7000)] }), 7003) ?? '',
    /replica/,
  );
});

supervisor.run();
