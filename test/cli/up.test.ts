import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { until } from '../helpers/node.ts';
import { described, signalAndWait } from '../helpers/stopping.ts';
import { alive, nodePid, startUp } from '../helpers/up-process.ts';

const up = suite('votestream up (npm start)');

up('starts Redis and three member nodes, names the leader, and Ctrl-C stops them all', async () => {
  const started = await startUp();
  const { child, dir, port, cleanUp } = started;
  try {
    const out = started.out();
    assert.match(out, /Redis Cluster started/);
    for (let i = 0; i < 3; i++)
      assert.match(out, new RegExp(`node n${i + 1}: http://127\\.0\\.0\\.1:${port + i}`));
    assert.match(out, /leader: n\d \(term \d+\)/);
    assert.match(out, new RegExp(`dashboard: http://127\\.0\\.0\\.1:${port}/ `));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.match(String(page.headers.get('content-type')), /^text\/html/);
    const view = (await (await fetch(`http://127.0.0.1:${port + 1}/cluster`)).json()) as {
      leader: { nodeId: string };
      quorum: number;
    };
    assert.is(view.quorum, 2);
    assert.match(out, new RegExp(`leader: ${view.leader.nodeId}`));

    // A node that dies is started again by up, on the same port.
    const n2 = nodePid(child.pid!, 'n2');
    process.kill(n2, 'SIGKILL');
    await until(
      () => /node n2 restarted/.test(started.out()),
      30_000,
      `n2 was not restarted: ${started.out()}`,
    );
    assert.match(started.out(), /node n2 stopped \(signal SIGKILL\); restarting in 1 s/);
    await until(
      async () => (await fetch(`http://127.0.0.1:${port + 1}/health`)).status === 200,
      20_000,
      'the restarted n2 did not become ready',
    );
    assert.not.equal(nodePid(child.pid!, 'n2'), n2);

    child.kill('SIGINT');
    const result = await child;
    assert.is(result.exitCode, 0, started.out());
    assert.match(started.out(), /stopped/);
    assert.is(ownedProcesses(join(dir, 'redis')).length, 0, 'a redis-server it started still runs');
    const stillServing = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    assert.is(stillServing, false, 'a node still serves after Ctrl-C');
  } finally {
    await cleanUp();
  }
});

up(
  'a node that does not stop and a frozen Redis are killed by pid within the bound: exit 1, nothing left',
  async () => {
    const bound = 6000;
    const { child, dir, out, cleanUp } = await startUp({ VS_STOP_TIMEOUT_MS: String(bound) });
    const nodes = ['n1', 'n2', 'n3'].map((id) => nodePid(child.pid!, id));
    const redis = ownedProcesses(join(dir, 'redis')).map((o) => o.pid);
    try {
      // n2 cannot act on its SIGTERM; n1 and n3 find Redis frozen (their stops give up on it),
      // and the frozen Redis servers do not act on theirs either.
      process.kill(nodes[1]!, 'SIGSTOP');
      for (const pid of redis) process.kill(pid, 'SIGSTOP');
      const ended = await signalAndWait(child, 'SIGINT', bound + 10_000);
      assert.is(ended.exitCode, 1, `${described(ended)}: ${out()}`);
      assert.ok(ended.ms < bound + 1000, `${described(ended)}: ${out()}`);
      assert.match(
        out(),
        new RegExp(`node n2 did not stop within 4500 ms: killed \\(SIGKILL, pid ${nodes[1]}\\)`),
        out(),
      );
      assert.match(
        out(),
        /node n1 stopped uncleanly \(exit code 1\); what it gave up: "stop_abandoned" and "stop_forced" in /,
      );
      // One line per server, saying what it did instead: frozen, it logged nothing.
      const killed = out().match(
        /redis-server on \d+ did not stop within \d+ ms of SIGTERM: killed \(SIGKILL, pid \d+\); it logged nothing since SIGTERM/g,
      );
      assert.is(killed?.length, 6, out());
      assert.match(out(), /stopped, not cleanly/);
      const left = [...nodes, ...redis].filter(alive);
      assert.equal(left, [], `still running: ${left.join(', ')}`);
    } finally {
      await cleanUp([...nodes, ...redis]);
    }
  },
);

up(
  'Ctrl-C in a terminal (SIGINT to the whole group) is one graceful stop: exit 0, snapshots written',
  async () => {
    // The terminal signals up and its nodes at once, and up then sends each node a SIGTERM of
    // its own: a node must take both for one stop, not the second for "stop at once".
    const { child, dir, out, cleanUp } = await startUp({}, { ownGroup: true });
    const nodes = ['n1', 'n2', 'n3'].map((id) => nodePid(child.pid!, id));
    const redis = ownedProcesses(join(dir, 'redis')).map((o) => o.pid);
    try {
      process.kill(-child.pid!, 'SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await child;
      clearTimeout(timer);
      assert.is(result.exitCode, 0, out());
      assert.match(out(), /^stopped$/m);
      for (const id of ['n1', 'n2', 'n3']) {
        const lines = readFileSync(join(dir, 'logs', `${id}.log`), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { event?: string; clean?: boolean });
        assert.ok(!lines.some((l) => l.event === 'stop_forced'), `${id} was forced`);
        assert.ok(
          lines.some((l) => l.event === 'stopped' && l.clean === true),
          `${id} did not log a clean stop`,
        );
      }
      const left = [...nodes, ...redis].filter(alive);
      assert.equal(left, [], `still running: ${left.join(', ')}`);
    } finally {
      await cleanUp([...nodes, ...redis]);
    }
  },
);

up('a second Ctrl-C kills the nodes and Redis at once', async () => {
  const { child, dir, out, cleanUp } = await startUp();
  const nodes = ['n1', 'n2', 'n3'].map((id) => nodePid(child.pid!, id));
  const redis = ownedProcesses(join(dir, 'redis')).map((o) => o.pid);
  try {
    // A node that cannot stop keeps the first Ctrl-C's stop waiting.
    process.kill(nodes[1]!, 'SIGSTOP');
    const ended = await signalAndWait(child, 'SIGINT', 20_000, {
      second: { afterMs: 800, signal: 'SIGINT' },
    });
    assert.is(ended.exitCode, 130, `${described(ended)}: ${out()}`);
    assert.ok(ended.ms < 800 + 1000, described(ended));
    assert.match(out(), /second signal \(SIGINT\): killing the nodes and Redis/);
    // SIGKILL is sent before up exits; the kernel may take a moment to end a process it hit
    // (a loaded machine took longer than up's own exit), so the processes get 2 s to go.
    const stillRunning = () => [...nodes, ...redis].filter(alive);
    await until(() => stillRunning().length === 0, 2_000, 'a killed process still ran 2 s later');
  } finally {
    await cleanUp([...nodes, ...redis]);
  }
});

up.run();
