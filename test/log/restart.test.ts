import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { RunningNode } from '../../src/node.ts';
import {
  castMany,
  caughtUp,
  createPoll,
  peerEnv,
  snapshotDir,
  startTestNode,
  until,
} from '../helpers/node.ts';
import { freeBasePort, sharedCluster } from '../helpers/redis-cluster.ts';

const restart = suite('a restarted node reaches the same digests');
let reference: RunningNode;
let pollId = '';

restart.before(async () => {
  reference = await startTestNode(await sharedCluster(), { VS_NODE_ID: 'restart-ref' });
  pollId = await createPoll(reference);
  await castMany(reference, pollId, 100_000);
  await caughtUp(reference);
});
restart.after(async () => {
  await reference.close();
});

const digests = (node: RunningNode) => node.ctx.projections.states.map((s) => digestShard(s));

restart('after a graceful stop it folds on from its snapshots', async () => {
  const dir = snapshotDir();
  const env = { ...peerEnv(reference, 'restart-graceful'), VS_SNAPSHOT_DIR: dir };
  const first = await startTestNode(await sharedCluster(), env);
  await caughtUp(first);
  await first.close();
  const again = await startTestNode(await sharedCluster(), env);
  try {
    await caughtUp(again);
    assert.equal(
      again.ctx.projections.readers.map((r) => r.resumedFrom),
      again.ctx.projections.readers.map(() => 'snapshot'),
    );
    assert.equal(digests(again), digests(reference));
  } finally {
    await again.close();
  }
});

restart('a corrupt snapshot is discarded and the shard is refolded from zero', async () => {
  const dir = snapshotDir();
  const env = { ...peerEnv(reference, 'restart-corrupt'), VS_SNAPSHOT_DIR: dir };
  const first = await startTestNode(await sharedCluster(), env);
  await caughtUp(first);
  await first.close();
  const path = first.ctx.projections.snapshots.path(0);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  file.headHash = 'f'.repeat(40);
  writeFileSync(path, JSON.stringify(file));
  writeFileSync(first.ctx.projections.snapshots.path(1), '{ not json');
  const again = await startTestNode(await sharedCluster(), env);
  try {
    await caughtUp(again);
    const from = again.ctx.projections.readers.map((r) => r.resumedFrom);
    assert.equal(from.slice(0, 2), ['zero', 'zero']);
    assert.ok(from.slice(2).every((f) => f === 'snapshot'));
    assert.equal(digests(again), digests(reference));
  } finally {
    await again.close();
  }
});

restart('a node killed with SIGKILL mid-fold and restarted reaches the same digests', async () => {
  const port = await freeBasePort(1);
  const cluster = await sharedCluster();
  const env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: reference.ctx.config.prefix,
    VS_NODE_ID: 'restart-killed',
    VS_HTTP_PORT: String(port),
    VS_SNAPSHOT_DIR: snapshotDir(),
    VS_SNAPSHOT_MS: '100',
    // An observer, like the reference: a member alone would lead and append markers,
    // which the reference might not have folded yet when the digests are compared.
    VS_MEMBERS: 'no-such-member',
    VS_LOG_LEVEL: 'warn',
  };
  const url = `http://127.0.0.1:${port}`;
  const start = () =>
    execa('node', ['bin/votestream.js', 'node'], {
      env,
      reject: false,
      // Kept for the failure message: a node that ends by itself says why in its log.
      all: true,
    });
  const view = async (path = '/cluster') =>
    (await (await fetch(`${url}${path}`)).json()) as {
      shards: { appliedSeq: number; digest: string }[];
    };
  const total = reference.ctx.projections.states.reduce((n, s) => n + s.appliedSeq, 0);

  // A fold can finish before the observer sees it half done: the catch-up folds whole pages
  // in bursts, and snapshots of a large projection are spaced out (Projections's CPU budget). Then
  // the node is killed anyway, its snapshots are removed so that it folds from zero again, and
  // the kill is tried again (about half the tries catch the fold half done).
  const files = join(env.VS_SNAPSHOT_DIR, reference.ctx.config.prefix, 'restart-killed');
  let killedAt = -1;
  for (let attempt = 1; attempt <= 6 && killedAt < 0; attempt++) {
    if (attempt > 1) rmSync(files, { recursive: true, force: true });
    const child = start();
    // Mid-fold is seen through the node's API or through its first snapshots (every 100 ms),
    // whichever shows a partial fold first; polled every few ms, since a fold is quick.
    const snapshotted = () => {
      let applied = 0;
      for (const name of existsSync(files) ? readdirSync(files) : []) {
        if (name.endsWith('.json'))
          applied += JSON.parse(readFileSync(join(files, name), 'utf8')).appliedSeq;
      }
      return applied;
    };
    const deadline = Date.now() + 20_000;
    while (killedAt < 0 && Date.now() < deadline) {
      let applied = 0;
      try {
        applied = snapshotted() || (await view()).shards.reduce((n, s) => n + s.appliedSeq, 0);
      } catch {
        // Not listening yet, or a snapshot being renamed into place.
      }
      if (applied > 0 && applied < total) killedAt = applied;
      if (applied === total) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    const result = await child;
    assert.is(
      result.signal,
      'SIGKILL',
      `the node ended by itself (exit ${result.exitCode}): ${String(result.all).slice(-2000)}`,
    );
  }

  const second = start();
  try {
    await until(
      async () => {
        try {
          return (await view()).shards.reduce((n, s) => n + s.appliedSeq, 0) === total;
        } catch {
          return false;
        }
      },
      30_000,
      'the restarted node did not catch up',
    );
    assert.equal(
      (await view('/cluster/digests')).shards.map((s) => s.digest),
      digests(reference),
    );
    assert.ok(killedAt > 0, `the kill was not mid-fold (of ${total} entries)`);
  } finally {
    second.kill('SIGTERM');
    await second;
  }
});

restart.run();
