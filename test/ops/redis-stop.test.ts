import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describeKill,
  type KilledServer,
  lastLines,
  ownedProcesses,
  redisDown,
  restartRedisNode,
} from '../../ops/redis-processes.ts';
import { until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';
import { alive } from '../helpers/up-process.ts';

// CI saw `votestream up` kill a replica restarted moments before its stop: Redis 7.0 refuses
// a SIGTERM while it writes its first AOF after a full sync ("Writing initial AOF, can't
// exit.") and then ignores it for good, so the stop waited for the SIGKILL at its bound.
const stopping = suite('stopping the redis-servers of a local cluster');
let cluster: TestCluster;

stopping.before(async () => {
  cluster = await startTestCluster();
});

stopping.after(async () => {
  await cluster?.stop();
});

const pidOf = (port: number) => ownedProcesses(cluster.dir).find((p) => p.port === port)?.pid;
const logOf = (port: number) => readFileSync(join(cluster.dir, String(port), 'redis.log'), 'utf8');

stopping(
  'a replica writing its first AOF after a full sync stops within 2 s of SIGTERM',
  async () => {
    const replica = cluster.status.replicas[0]!;
    const client = new Cluster(cluster.nodes);
    try {
      // Keys on every master, so a full sync gives each replica something to rewrite.
      for (let i = 0; i < 300; i++) await client.set(`key-${i}`, 'x');
    } finally {
      client.disconnect();
    }
    // Restarted, the replica syncs in full and then rewrites its AOF. Each key's 20 ms in
    // that rewrite (about 100 keys: 2 s) stand for a large data set or a loaded machine,
    // where CI's was long enough for the SIGTERM to land in it.
    process.kill(pidOf(replica.port)!, 'SIGKILL');
    await until(() => pidOf(replica.port) === undefined, 5000, 'the replica did not die');
    appendFileSync(
      join(cluster.dir, String(replica.port), 'redis.conf'),
      'rdb-key-save-delay 20000\n',
    );
    await restartRedisNode(cluster.dir, replica.port);
    const redis = new Redis({ port: replica.port, lazyConnect: true });
    try {
      await until(
        async () => /aof_rewrite_in_progress:1/.test(await redis.info('persistence')),
        10_000,
        'the restarted replica did not rewrite its AOF after a full sync',
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its log: ${lastLines(logOf(replica.port), 8)}`);
      });
    } finally {
      redis.disconnect();
    }

    const pid = pidOf(replica.port)!;
    const signalled = performance.now();
    process.kill(pid, 'SIGTERM');
    while (alive(pid) && performance.now() - signalled < 5000)
      await new Promise((r) => setTimeout(r, 20));
    const ms = Math.round(performance.now() - signalled);
    const log = logOf(replica.port).split('SIGTERM')[1] ?? '(nothing after SIGTERM)';
    assert.ok(!alive(pid), `still running ${ms} ms after SIGTERM; its log: ${log}`);
    assert.ok(ms < 2000, `stopped ${ms} ms after SIGTERM; its log: ${log}`);
    // The SIGTERM met the rewrite: the case this test is for.
    assert.match(log, /Writing initial AOF/);
  },
);

stopping(
  'a server that does not stop is killed by pid, and the line says what it logged',
  async () => {
    const master = cluster.status.masters[0]!;
    const frozen = pidOf(master.port)!;
    process.kill(frozen, 'SIGSTOP');
    const killed: KilledServer[] = [];
    const started = performance.now();
    await redisDown({ dir: cluster.dir }, { graceMs: 1500, onKilled: (k) => killed.push(...k) });
    assert.ok(performance.now() - started < 3000, 'redisDown took longer than its grace');
    assert.equal(
      killed.map((k) => [k.port, k.pid]),
      [[master.port, frozen]],
    );
    assert.match(
      describeKill(killed[0]!),
      new RegExp(
        `^redis-server on ${master.port} did not stop within \\d+ ms of SIGTERM: killed \\(SIGKILL, pid ${frozen}\\); it logged nothing since SIGTERM`,
      ),
    );
    await until(() => !alive(frozen), 2000, 'the frozen server still runs');
    assert.is(ownedProcesses(cluster.dir).length, 0, 'a server still runs');
  },
);

stopping.run();
