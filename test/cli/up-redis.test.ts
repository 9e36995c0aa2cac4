import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus, layoutPorts } from '../../ops/redis-cluster.ts';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { controlKeys, shardSlot } from '../../src/log/keys.ts';
import { until } from '../helpers/node.ts';
import { startUp } from '../helpers/up-process.ts';

// Issue 14's sample: SIGKILL one Redis master of `npm start`'s cluster and restart nothing.
// Its replica takes over, and without a replica of its own the new master cannot confirm a
// WAIT: every vote of its shards was 503 NOT_DURABLE for as long as anyone waited, and nothing
// said which shards. `up` now restarts the dead server, which rejoins as a replica, and
// /cluster says meanwhile which shards cannot be made durable.
const sample = suite('votestream up: a Redis master killed and restarted by nobody');

const ADMIN = 'up-redis-admin-token-0123456789';
const PREFIX = 'vs';
const SHARDS = 16;

interface ShardView {
  shard: number;
  durable: boolean | null;
  durableReason: string | null;
}

sample(
  'its shards are acknowledged again within 40 s, and /cluster says why not meanwhile',
  async () => {
    const started = await startUp({
      VS_ADMIN_TOKEN: ADMIN,
      VS_PREFIX: PREFIX,
      VS_SHARDS: String(SHARDS),
    });
    const { child, dir, port, redisPort, out, cleanUp } = started;
    const redisDir = join(dir, 'redis');
    const url = `http://127.0.0.1:${port}`;
    try {
      const pollId = 'sample';
      const created = await fetch(`${url}/polls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ id: pollId, title: 'Sample', options: ['a', 'b'] }),
      });
      assert.is(created.status, 201, await created.text());

      // A master that serves shards but not the {ctl} slot: what is measured is its shards.
      const ports = layoutPorts({ port: redisPort, masters: 3, replicas: 1, dir: redisDir });
      const status = await clusterStatus('127.0.0.1', ports);
      const ctlSlot = calculateSlot(controlKeys(PREFIX).lease);
      const serves = (ranges: string[], slot: number) =>
        ranges.some((r) => {
          const [a, b] = r.split('-').map(Number) as [number, number | undefined];
          return slot >= a && slot <= (b ?? a);
        });
      const all = Array.from({ length: SHARDS }, (_, s) => s);
      const victim = status.masters.find(
        (m) =>
          !serves(m.ranges, ctlSlot) && all.some((s) => serves(m.ranges, shardSlot(PREFIX, s))),
      )!;
      const lost = new Set(all.filter((s) => serves(victim.ranges, shardSlot(PREFIX, s))));
      let i = 0;
      while (!lost.has(shardOf(pollId, `voter-${i}`, SHARDS))) i++;
      const voterId = `voter-${i}`;

      const pid = ownedProcesses(redisDir).find((p) => p.port === victim.port)!.pid;
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();

      // A client retrying one vote of a lost shard (same voteId), and someone watching /cluster
      // on their own: a vote can wait seconds for the failover, and a watcher that looked only
      // between the client's tries could miss the whole outage (it did, once in 15 runs).
      const reasons = new Set<string>();
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const view = (await (await fetch(`${url}/cluster`)).json()) as { shards: ShardView[] };
          for (const s of view.shards)
            if (lost.has(s.shard) && s.durable === false) reasons.add(String(s.durableReason));
          await new Promise((r) => setTimeout(r, 100));
        }
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      let acknowledgedAfterMs: number | undefined;
      let lastStatus = 0;
      while (Date.now() - killedAt < 40_000) {
        const res = await fetch(`${url}/votes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pollId, voterId, voteId: 'sample-vote', choices: ['a'] }),
        });
        lastStatus = res.status;
        await res.body?.cancel();
        if (res.status === 201 || res.status === 200) {
          acknowledgedAfterMs = Date.now() - killedAt;
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      watching = false;
      const watchFailed = await watcher;
      if (watchFailed) throw watchFailed;
      assert.ok(
        acknowledgedAfterMs !== undefined,
        `a vote of the dead master's shards was still refused (${lastStatus}) 40 s after the kill; up printed: ${out()}`,
      );
      console.log(
        `      acknowledged again ${(acknowledgedAfterMs! / 1000).toFixed(1)} s after the kill; /cluster said meanwhile: ${[...reasons].join(', ')}`,
      );
      assert.ok(reasons.size > 0, '/cluster never said that the shards could not be made durable');
      assert.match(out(), new RegExp(`redis-server ${victim.port} stopped without shutting down`));
      assert.match(out(), new RegExp(`redis-server ${victim.port} restarted`));
      await until(
        async () => {
          const view = (await (await fetch(`${url}/cluster`)).json()) as { shards: ShardView[] };
          return view.shards.every((s) => s.durable === true);
        },
        10_000,
        '/cluster did not show every shard durable again',
      );
      const after = await clusterStatus('127.0.0.1', ports);
      const back = after.replicas.find((r) => r.port === victim.port);
      assert.ok(back && back.link === 'up', `the restarted server is not a synced replica`);

      // Ctrl-C: everything stops, and the supervisor restarts nothing that up takes down.
      child.kill('SIGINT');
      const result = await child;
      assert.is(result.exitCode, 0, out());
      assert.is(ownedProcesses(redisDir).length, 0, 'a redis-server it started still runs');
      await new Promise((r) => setTimeout(r, 1500));
      assert.is(ownedProcesses(redisDir).length, 0, 'a redis-server was started again after stop');
      assert.not.match(out().split('stopping nodes')[1] ?? '', /redis-server \d+ restarted/);
    } finally {
      await cleanUp();
    }
  },
);

sample.run();
