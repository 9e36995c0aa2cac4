// `votestream node` stops within VS_STOP_TIMEOUT_MS whatever Redis or its clients do: real node
// processes on a real cluster, signalled by pid.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses, redisDown } from '../../ops/redis-processes.ts';
import { ADMIN_TOKEN, snapshotDir, until } from '../helpers/node.ts';
import { get, type NodeProcess, post, startOne } from '../helpers/node-process.ts';
import { freeBasePort, startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';
import { described, logLines, signalAndWait } from '../helpers/stopping.ts';

/** The stop bound the nodes get here; a node must be gone by then (plus process exit). */
const BOUND_MS = 3000;
const EXIT_SLACK_MS = 750;

const stopping = suite('votestream node: SIGTERM and SIGINT end it within VS_STOP_TIMEOUT_MS');
let cluster: TestCluster;
let logDir: string;
const sockets: Socket[] = [];

stopping.before(async () => {
  // Its own cluster (no replicas): these tests freeze and stop its servers.
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  logDir = mkdtempSync(join(tmpdir(), 'votestream-stop-logs-'));
});
stopping.after.each(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
stopping.after(async () => {
  await cluster.stop();
  rmSync(logDir, { recursive: true, force: true });
});

/** A member node that leads its own one-member cluster, with its log in a file. */
async function leadingNode(): Promise<{ node: NodeProcess; log: string; pollId: string }> {
  const nodeId = `s${randomBytes(3).toString('hex')}`;
  const log = join(logDir, `${nodeId}.log`);
  const node = await startOne(
    nodeId,
    await freeBasePort(1),
    {
      VS_REDIS_CLUSTER: cluster.seeds,
      VS_PREFIX: `p${randomBytes(4).toString('hex')}`,
      VS_MEMBERS: nodeId,
      VS_ADMIN_TOKEN: ADMIN_TOKEN,
      VS_SNAPSHOT_DIR: snapshotDir(),
      VS_LOG_LEVEL: 'info',
      VS_STOP_TIMEOUT_MS: String(BOUND_MS),
    },
    log,
  );
  await until(
    async () => (await get<{ role: string }>(node, '/cluster')).role === 'leader',
    10_000,
    `${nodeId} did not lead`,
  );
  const pollId = `poll-${randomBytes(3).toString('hex')}`;
  const created = await post(
    node,
    '/polls',
    { id: pollId, title: 'Stop', options: ['a', 'b'] },
    true,
  );
  assert.is(created.status, 201);
  return { node, log, pollId };
}

/** Opens a raw connection to the node and sends `text` (a request, whole or in part). */
async function holdRequest(node: NodeProcess, text: string): Promise<Socket> {
  const socket = connect(Number(new URL(node.url).port), '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {
    // The node cuts it off: that is the point.
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  return socket;
}

function abandonedSteps(log: string): { step: string; reason: string }[] {
  return logLines(log)
    .filter((l) => l.event === 'stop_abandoned')
    .map((l) => ({ step: String(l.step), reason: String(l.reason) }));
}

function stoppedLine(log: string) {
  return logLines(log).find((l) => l.event === 'stopped');
}

stopping('a node with nothing to wait for exits 0 at once, having resigned', async () => {
  const { node, log } = await leadingNode();
  const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000);
  assert.is(ended.exitCode, 0, described(ended));
  assert.ok(ended.ms < 1500, described(ended));
  assert.equal(abandonedSteps(log), []);
  assert.ok(
    logLines(log).some((l) => l.event === 'leader_resigned'),
    'the leader did not resign',
  );
  assert.is(stoppedLine(log)?.clean, true);
});

stopping('SIGINT stops it the same way', async () => {
  const { node } = await leadingNode();
  const ended = await signalAndWait(node.child, 'SIGINT', BOUND_MS + 5000);
  assert.is(ended.exitCode, 0, described(ended));
  assert.ok(ended.ms < 1500, described(ended));
});

stopping('a live tally stream (SSE) is ended, and the stop is clean', async () => {
  const { node, log, pollId } = await leadingNode();
  const res = await fetch(`${node.url}/polls/${pollId}/events`);
  const reader = res.body!.getReader();
  assert.ok((await reader.read()).value, 'the stream sent nothing');
  const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000);
  assert.is(ended.exitCode, 0, described(ended));
  assert.ok(ended.ms < 1500, described(ended));
  // The stream ended (done), rather than being cut off with an error.
  let done = false;
  while (!done) done = (await reader.read()).done;
  assert.equal(abandonedSteps(log), []);
});

stopping(
  'a client that never finishes its request body is cut off: exit 1 within the bound, the request named in the log',
  async () => {
    const { node, log } = await leadingNode();
    const socket = await holdRequest(
      node,
      'POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"pollId"',
    );
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((r) => setTimeout(r, 200));
    const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000);
    assert.is(ended.exitCode, 1, described(ended));
    assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
    await closed;
    const abandoned = abandonedSteps(log);
    assert.is(abandoned.length, 1, JSON.stringify(abandoned));
    assert.is(abandoned[0]!.step, 'finish in-flight requests');
    assert.match(abandoned[0]!.reason, /1 still open, cut off: POST \/votes \(body unfinished/);
    // Requests get half the bound: the leader still resigned after them.
    assert.ok(logLines(log).some((l) => l.event === 'leader_resigned'));
    assert.is(stoppedLine(log)?.clean, false);
  },
);

stopping('a second signal during a stop ends the node at once (143)', async () => {
  const { node, log } = await leadingNode();
  await holdRequest(
    node,
    'POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{',
  );
  await new Promise((r) => setTimeout(r, 200));
  const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000, {
    second: { afterMs: 800, signal: 'SIGTERM' },
  });
  assert.is(ended.exitCode, 143, described(ended));
  assert.ok(ended.ms < 800 + 500, described(ended));
  const forced = logLines(log).find((l) => l.event === 'stop_forced');
  assert.is(forced?.by, 'second signal', JSON.stringify(forced));
  assert.equal(forced?.running, ['finish in-flight requests']);
});

stopping(
  'Redis frozen (SIGSTOP) with an append waiting on it: exit 1 within the bound, the append and the resignation given up',
  async () => {
    const { node, log, pollId } = await leadingNode();
    const servers = ownedProcesses(cluster.dir);
    for (const { pid } of servers) process.kill(pid, 'SIGSTOP');
    try {
      const body = JSON.stringify({ pollId, voterId: 'frozen', choices: ['a'] });
      await holdRequest(
        node,
        `POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000);
      assert.is(ended.exitCode, 1, described(ended));
      assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
      const abandoned = abandonedSteps(log);
      const steps = abandoned.map((a) => a.step);
      assert.ok(steps.includes('finish in-flight requests'), JSON.stringify(abandoned));
      assert.match(
        abandoned.find((a) => a.step === 'finish in-flight requests')!.reason,
        /cut off: POST \/votes \(open/,
      );
      assert.ok(steps.includes('resign leadership'), JSON.stringify(abandoned));
      assert.match(
        abandoned.find((a) => a.step === 'resign leadership')!.reason,
        /Redis did not answer/,
      );
    } finally {
      for (const { pid } of servers) process.kill(pid, 'SIGCONT');
    }
  },
);

stopping(
  'Redis stopped: exit 1 at once, the resignation given up as Redis is unavailable',
  async () => {
    const { node, log } = await leadingNode();
    await redisDown({ dir: cluster.dir });
    await until(
      async () =>
        (await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(1000) })).status === 503,
      10_000,
      'the node did not notice that Redis is gone',
    );
    const ended = await signalAndWait(node.child, 'SIGTERM', BOUND_MS + 5000);
    assert.is(ended.exitCode, 1, described(ended));
    assert.ok(ended.ms < BOUND_MS + EXIT_SLACK_MS, described(ended));
    const abandoned = abandonedSteps(log);
    const resign = abandoned.find((a) => a.step === 'resign leadership');
    assert.ok(resign, JSON.stringify(abandoned));
    assert.match(resign.reason, /Redis is unavailable: the lease expires by itself/);
    assert.is(stoppedLine(log)?.clean, false);
  },
);

stopping.run();
