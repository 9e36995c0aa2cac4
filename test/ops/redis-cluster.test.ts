import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Cluster, Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { freeBasePort } from '../helpers/redis-cluster.ts';
import { withStdoutClosed } from '../helpers/stdout-closed.ts';

const BIN = 'bin/votestream.js';
const votestream = (...args: string[]) => execa('node', [BIN, 'redis', ...args], { reject: false });

const lifecycle = suite('votestream redis up/status/down');
let dir = '';
let port = 0;

lifecycle.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'votestream-ops-'));
  port = await freeBasePort(6);
});

lifecycle.after(async () => {
  await votestream('down', '--dir', dir);
  rmSync(dir, { recursive: true, force: true });
});

lifecycle('up brings up 3 masters and 3 replicas, ready, in under 15 s', async () => {
  const started = Date.now();
  const up = await votestream('up', '--port', String(port), '--dir', dir, '--json');
  assert.is(up.exitCode, 0, String(up.stderr));
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  const summary = JSON.parse(String(up.stdout).trim().split('\n').pop()!);
  assert.is(summary.alreadyRunning, false);
  assert.is(ownedProcesses(dir).length, 6);
});

lifecycle('status --json shows every slot covered and every replica online', async () => {
  const status = await votestream('status', '--port', String(port), '--json');
  assert.is(status.exitCode, 0, String(status.stderr));
  const s = JSON.parse(String(status.stdout));
  assert.is(s.state, 'ok');
  assert.is(s.masters.length, 3);
  assert.is(
    s.masters.reduce((n: number, m: { slots: number }) => n + m.slots, 0),
    16384,
  );
  assert.is(s.replicas.length, 3);
  assert.ok(s.replicas.every((r: { link: string }) => r.link === 'up'));
});

lifecycle('WAIT 1 after a write on a master returns 1 (replicas are synced)', async () => {
  const cluster = new Cluster([{ host: '127.0.0.1', port }]);
  try {
    // One key per master; WAIT rides in the same pipeline, so it reaches the connection that wrote.
    for (const key of ['a', 'b', 'c']) {
      const replies = await cluster.pipeline().set(key, '1').call('WAIT', '1', '100').exec();
      assert.equal(replies?.[1], [null, 1], `WAIT after writing ${key}`);
    }
  } finally {
    cluster.disconnect();
  }
});

lifecycle('every server keeps the AOF and rewrites it only from 1 GB', async () => {
  for (let i = 0; i < 6; i++) {
    const server = new Redis({ host: '127.0.0.1', port: port + i, lazyConnect: true });
    try {
      await server.connect();
      const [, appendonly] = (await server.config('GET', 'appendonly')) as string[];
      const [, fsync] = (await server.config('GET', 'appendfsync')) as string[];
      const [, minSize] = (await server.config('GET', 'auto-aof-rewrite-min-size')) as string[];
      assert.equal([appendonly, fsync, minSize], ['yes', 'everysec', String(2 ** 30)]);
    } finally {
      server.disconnect();
    }
  }
});

lifecycle('a second up reports the running cluster and does not break it', async () => {
  const again = await votestream('up', '--port', String(port), '--dir', dir, '--json');
  assert.is(again.exitCode, 0, String(again.stderr));
  assert.is(JSON.parse(String(again.stdout)).alreadyRunning, true);
  const status = JSON.parse(
    String((await votestream('status', '--port', String(port), '--json')).stdout),
  );
  assert.is(status.state, 'ok');
  assert.is(ownedProcesses(dir).length, 6);
  // `redis up | head -1`: the reader has gone; up ends quietly (it printed an EPIPE stack).
  assert.equal(await withStdoutClosed(['redis', 'up', '--port', String(port), '--dir', dir]), {
    code: 0,
    stderr: '',
  });
});

lifecycle('down stops every server it started and no other', async () => {
  const pids = ownedProcesses(dir).map((o) => o.pid);
  const down = await votestream('down', '--dir', dir, '--json');
  assert.is(down.exitCode, 0, String(down.stderr));
  assert.is(JSON.parse(String(down.stdout)).stopped.length, 6);
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} still runs`);
  }
  assert.is(ownedProcesses(dir).length, 0);
});

lifecycle.run();

const missing = suite('votestream redis without redis-server');

missing('names the missing program and how to install it', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'votestream-path-'));
  try {
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = await execa(join(bin, 'node'), [BIN, 'redis', 'up', '--dir', bin], {
      reject: false,
      env: { PATH: bin },
      extendEnv: false,
    });
    assert.is(result.exitCode, 2);
    assert.match(String(result.stderr), /redis-server was not found on PATH/);
    assert.match(String(result.stderr), /apt-get install redis-server/);
    assert.match(String(result.stderr), /brew install redis/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

missing.run();
