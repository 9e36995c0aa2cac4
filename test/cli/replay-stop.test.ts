// `votestream replay --follow` (and `--into --follow`) interrupted: it ends within
// VS_STOP_TIMEOUT_MS whatever Redis does, and says when it gave up a read or a write. Real
// replay processes against a real cluster and a real standalone Redis.
import { execa, type ResultPromise } from 'execa';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses, redisDown } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import { castMany, createPoll, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';
import { startStandaloneRedis } from '../helpers/standalone-redis.ts';
import { described, signalAndWait } from '../helpers/stopping.ts';

const BOUND_MS = 3000;
const EXIT_SLACK_MS = 750;

const following = suite(
  'votestream replay --follow: SIGTERM and SIGINT end it within VS_STOP_TIMEOUT_MS',
);
let cluster: TestCluster;
let node: RunningNode;
let env: Record<string, string>;

following.before(async () => {
  // Its own cluster (no replicas): these tests freeze and stop its servers.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  node = await startTestNode(cluster, { VS_LOG_LEVEL: 'silent' });
  await castMany(node, await createPoll(node), 40, { batch: 40 });
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: node.ctx.config.prefix,
    VS_STOP_TIMEOUT_MS: String(BOUND_MS),
  };
});
following.after(async () => {
  await node.close();
  await cluster.stop();
});

/**
 * Starts `votestream replay … --follow --json` and waits until it has printed the log. (The
 * child comes in an object: a promise of a thenable would wait for the child to exit.)
 */
async function replaying(...args: string[]): Promise<{ child: ResultPromise }> {
  const child = execa('node', ['bin/votestream.js', 'replay', ...args, '--follow', '--json'], {
    env,
    reject: false,
    stdin: 'ignore',
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await until(() => out.split('\n').length > 40, 15_000, 'the log was not replayed').catch(
    (error: Error) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  return { child };
}

function freeze(
  signal: 'SIGSTOP' | 'SIGCONT',
  pids = ownedProcesses(cluster.dir).map((o) => o.pid),
) {
  for (const pid of pids) process.kill(pid, signal);
  return pids;
}

/**
 * Follows a copy into a standalone Redis until its first entries are written, then freezes
 * that Redis and appends to the source, so the copy has a write outstanding to it.
 */
async function copyIntoFrozen() {
  const target = await startStandaloneRedis();
  const child = execa(
    'node',
    ['bin/votestream.js', 'replay', '--into', target.url, '--follow', '--json'],
    { env, reject: false, stdin: 'ignore' },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const probe = new Redis({ port: target.port, lazyConnect: true });
  await probe.connect();
  try {
    await until(
      async () => (await probe.keys(`${env.VS_PREFIX}:*`)).length > 0,
      15_000,
      'nothing was copied',
    );
  } catch (error) {
    child.kill('SIGKILL');
    await target.stop();
    throw new Error(`${(error as Error).message}: ${err}`);
  } finally {
    probe.disconnect();
  }
  await new Promise((r) => setTimeout(r, 300));
  process.kill(target.server.pid!, 'SIGSTOP');
  await castMany(node, await createPoll(node), 20, { voterPrefix: 'copy-late' });
  // A partial round is written after 50 ms without entries: give it that, and the write.
  await new Promise((r) => setTimeout(r, 300));
  return {
    child,
    release: async () => {
      process.kill(target.server.pid!, 'SIGCONT');
      await target.stop();
    },
  };
}

following('with Redis answering, it exits 0 at once with its summary', async () => {
  const { child } = await replaying('--type', 'VoteCast');
  const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
  assert.is(ended.exitCode, 0, `${described(ended)}: ${ended.stderr}`);
  assert.ok(ended.ms < 1500, described(ended));
  const summary = JSON.parse(ended.stdout.trim().split('\n').at(-1)!);
  assert.is(summary.entries, 40);
  assert.is(summary.abandonedAfter, undefined);
});

following(
  'Redis frozen under its read: exit 1 at once, saying after which entry it may have missed some',
  async () => {
    const { child } = await replaying();
    const pids = freeze('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 500));
      const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
      assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
      assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
      assert.match(ended.stderr, /stopped with a read of the log unanswered/);
      const summary = JSON.parse(ended.stdout.trim().split('\n').at(-1)!);
      assert.match(summary.abandonedAfter, /^\d+-\d+$/);
    } finally {
      freeze('SIGCONT', pids);
    }
  },
);

following(
  'a copy whose target Redis is frozen cannot finish: the bound ends it (exit 1)',
  async () => {
    const { child, release } = await copyIntoFrozen();
    try {
      const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
      assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
      assert.ok(ended.ms >= BOUND_MS - 100, `it did not wait for the copy: ${described(ended)}`);
      assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
      assert.match(ended.stderr, new RegExp(`not stopped within ${BOUND_MS} ms`));
    } finally {
      await release();
    }
  },
);

following('a second signal ends it at once (143)', async () => {
  const { child, release } = await copyIntoFrozen();
  try {
    const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000, {
      second: { afterMs: 800, signal: 'SIGTERM' },
    });
    assert.is(ended.exitCode, 143, `${described(ended)}: ${ended.stderr}`);
    assert.ok(ended.ms < 800 + 500, described(ended));
    assert.match(ended.stderr, /second signal \(SIGTERM\); exiting at once/);
  } finally {
    await release();
  }
});

following(
  'Redis stopped: exit 1 at once, saying after which entry it may have missed some',
  async () => {
    const { child } = await replaying();
    await redisDown({ dir: cluster.dir });
    await new Promise((r) => setTimeout(r, 1000));
    const ended = await signalAndWait(child, 'SIGINT', BOUND_MS + 5000);
    assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
    assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
    assert.match(ended.stderr, /stopped with a read of the log unanswered/);
  },
);

following.run();
