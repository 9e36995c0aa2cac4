// `votestream load` interrupted: it stops sending, gives the requests in flight the stop's
// bound, and says in its summary what it abandoned. A real load process against a real node.
import { execa, type ResultPromise } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses, redisDown } from '../../ops/redis-processes.ts';
import type { RunningNode } from '../../src/node.ts';
import type { LoadSummary } from '../../src/tools/load/run.ts';
import { ADMIN_TOKEN, startTestNode, until } from '../helpers/node.ts';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';
import { withStdoutClosed } from '../helpers/stdout-closed.ts';
import { described, signalAndWait } from '../helpers/stopping.ts';

const BOUND_MS = 3000;
const EXIT_SLACK_MS = 750;

const interrupted = suite('votestream load: SIGTERM and SIGINT end it within VS_STOP_TIMEOUT_MS');
let cluster: TestCluster;
let node: RunningNode;

interrupted.before(async () => {
  // Its own cluster (no replicas): these tests freeze and stop its servers.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  node = await startTestNode(cluster, { VS_LOG_LEVEL: 'silent' }, { listen: true });
});
interrupted.after(async () => {
  await node.close();
  await cluster.stop();
});

/**
 * Starts `votestream load` at the node and waits until its progress matches `progress` (by
 * default: some votes were acknowledged).
 */
async function loadRunning(
  args = ['--duration', '120s'],
  progress = /[1-9]\d* acknowledged/,
): Promise<{ child: ResultPromise }> {
  const child = execa(
    'node',
    [
      'bin/votestream.js',
      'load',
      '--target',
      node.url,
      '--rate',
      '200',
      ...args,
      '--connections',
      '8',
      '--admin-token',
      ADMIN_TOKEN,
      '--json',
    ],
    { env: { VS_STOP_TIMEOUT_MS: String(BOUND_MS) }, reject: false, stdin: 'ignore' },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  await until(() => progress.test(err), 15_000, `load did not show ${progress}`).catch(
    (error: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${error.message}; it printed: ${err}`);
    },
  );
  return { child };
}

function summaryOf(stdout: string): LoadSummary {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LoadSummary;
}

interrupted(
  'with nothing in the way it exits 0 at once, its summary marked interrupted',
  async () => {
    const { child } = await loadRunning();
    const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
    assert.is(ended.exitCode, 0, `${described(ended)}: ${ended.stderr}`);
    assert.ok(ended.ms < 1500, described(ended));
    const summary = summaryOf(ended.stdout);
    assert.is(summary.interrupted, true);
    assert.is(summary.abandoned, 0);
    assert.ok(summary.acknowledged > 0);
    assert.ok(summary.seconds < 60, 'it ran to its --duration');
  },
);

interrupted('a poll the node refuses is one line, exit 1, no vote sent', async () => {
  const result = await execa(
    'node',
    ['bin/votestream.js', 'load', '--target', node.url, '--poll', 'no-such-poll', '--votes', '5'],
    { reject: false, stdin: 'ignore' },
  );
  assert.is(result.exitCode, 1, String(result.stderr));
  // It printed an Error with its stack and cause.
  assert.is(
    String(result.stderr).trim(),
    `votestream: poll no-such-poll: 404 POLL_NOT_FOUND: no poll no-such-poll`,
  );
});

interrupted('a run that ends by itself exits as soon as it has printed its summary', async () => {
  // Not a stop, but the same promise: nothing left over (a 30 s grace timer was) may hold the
  // process once its work is done. A node that leads, so the votes are finalized and load has
  // nothing more to wait for.
  const leader = await startTestNode(
    cluster,
    { VS_NODE_ID: 'load-leader', VS_MEMBERS: 'load-leader', VS_LOG_LEVEL: 'silent' },
    { listen: true },
  );
  try {
    await until(() => leader.ctx.coordinator.isLeader, 10_000, 'no leader');
    const fiveVotes = [
      'load',
      '--target',
      leader.url,
      '--votes',
      '5',
      '--admin-token',
      ADMIN_TOKEN,
    ];
    const started = performance.now();
    const result = await execa('node', ['bin/votestream.js', ...fiveVotes, '--json'], {
      reject: false,
      stdin: 'ignore',
    });
    const ms = performance.now() - started;
    assert.is(result.exitCode, 0, String(result.stderr));
    const summary = summaryOf(String(result.stdout));
    assert.is(summary.acknowledged, 5);
    assert.is(summary.finalizedMs.unseen, 0, 'a vote was not seen finalized');
    assert.ok(ms < 8000, `it exited ${Math.round(ms)} ms after it started`);
    // Its reader gone before the summary (`votestream load | head -1`): the run's own exit
    // code, no EPIPE stack trace.
    const closed = await withStdoutClosed(fiveVotes);
    assert.is(closed.code, 0, closed.stderr);
    assert.not.match(closed.stderr, /EPIPE|Error|at /);
  } finally {
    await leader.close();
  }
});

interrupted(
  'while --verify waits for votes to be finalized: exit 1 at once, not verified, with its summary',
  async () => {
    // The test node is no member: nothing it appends is ever finalized, so --verify would wait
    // its whole timeout.
    const { child } = await loadRunning(
      ['--votes', '20', '--verify', '--verify-timeout', '60s'],
      /20 sent, 20 acknowledged, 0 in flight/,
    );
    const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
    assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
    assert.ok(ended.ms < 1500, described(ended));
    const summary = summaryOf(ended.stdout);
    assert.is(summary.interrupted, true);
    assert.is(summary.abandoned, 0);
    assert.is(summary.verified, false);
    assert.is(summary.acknowledged, 20);
    assert.ok(
      summary.problems.includes('interrupted: nothing was verified'),
      JSON.stringify(summary.problems),
    );
  },
);

interrupted(
  'requests held by a frozen Redis are cut off at the bound: exit 1, the abandoned votes counted',
  async () => {
    const { child } = await loadRunning();
    const servers = ownedProcesses(cluster.dir);
    for (const { pid } of servers) process.kill(pid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 300));
      const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
      assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
      assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
      const summary = summaryOf(ended.stdout);
      assert.is(summary.interrupted, true);
      assert.ok(summary.abandoned > 0, JSON.stringify(summary));
      assert.ok(
        summary.problems.some((p) => /interrupted: \d+ votes abandoned/.test(p)),
        JSON.stringify(summary.problems),
      );
    } finally {
      for (const { pid } of servers) process.kill(pid, 'SIGCONT');
    }
  },
);

interrupted('a second signal ends it at once (130)', async () => {
  await until(() => node.ctx.ready(), 20_000, 'the node did not recover from the freeze');
  const { child } = await loadRunning();
  const servers = ownedProcesses(cluster.dir);
  for (const { pid } of servers) process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, 300));
    const ended = await signalAndWait(child, 'SIGINT', BOUND_MS + 5000, {
      second: { afterMs: 800, signal: 'SIGINT' },
    });
    assert.is(ended.exitCode, 130, described(ended));
    assert.ok(ended.ms < 800 + 500, described(ended));
    assert.match(ended.stderr, /second signal \(SIGINT\); exiting at once/);
  } finally {
    for (const { pid } of servers) process.kill(pid, 'SIGCONT');
  }
});

interrupted(
  'Redis stopped (the node answers 503): retries stop, exit 1 at once, the unanswered votes counted',
  async () => {
    await until(() => node.ctx.ready(), 20_000, 'the node did not recover from the freeze');
    const { child } = await loadRunning();
    await redisDown({ dir: cluster.dir });
    await until(() => !node.ctx.ready(), 10_000, 'the node did not notice that Redis is gone');
    // Long enough for some votes to be answered 503 and wait for their retry.
    await new Promise((r) => setTimeout(r, 500));
    const ended = await signalAndWait(child, 'SIGTERM', BOUND_MS + 5000);
    assert.is(ended.exitCode, 1, `${described(ended)}: ${ended.stderr}`);
    assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
    const summary = summaryOf(ended.stdout);
    assert.is(summary.interrupted, true);
    assert.ok(summary.abandoned > 0, JSON.stringify(summary));
    assert.ok((summary.statuses['503'] ?? 0) > 0, JSON.stringify(summary.statuses));
  },
);

interrupted.run();
