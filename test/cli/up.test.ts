import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses } from '../../ops/redis-cluster.ts';
import { until } from '../helpers/node.ts';
import { freeBasePort } from '../helpers/redis-cluster.ts';

const up = suite('votestream up (npm start)');

up('starts Redis and three member nodes, names the leader, and Ctrl-C stops them all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-up-'));
  const redisPort = await freeBasePort(6);
  const port = await freeBasePort(3);
  const child = execa(
    'node',
    [
      'bin/votestream.js',
      'up',
      '--redis-port',
      String(redisPort),
      '--port',
      String(port),
      '--dir',
      dir,
    ],
    {
      reject: false,
      env: { VS_REDIS_CLUSTER: '', VS_REDIS_URL: '' },
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  try {
    await until(() => /Press Ctrl-C/.test(out), 40_000, `up did not finish starting: ${out}`);
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
    child.kill('SIGINT');
    const result = await child;
    assert.is(result.exitCode, 0, out);
    assert.match(out, /stopped/);
    assert.is(ownedProcesses(join(dir, 'redis')).length, 0, 'a redis-server it started still runs');
    const stillServing = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    assert.is(stillServing, false, 'a node still serves after Ctrl-C');
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

up.run();
