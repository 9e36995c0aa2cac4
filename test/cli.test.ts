import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const cli = suite('votestream command line');
const BIN = 'bin/votestream.js';

for (const [name, value] of [
  ['VS_SHARDS', 'abc'],
  ['VS_HTTP_PORT', '99999'],
]) {
  cli(`a bad ${name} exits non-zero with one line naming it and no stack trace`, async () => {
    const result = await execa('node', [BIN, 'config'], {
      reject: false,
      env: { [name as string]: value },
    });
    assert.is(result.exitCode, 2);
    const lines = String(result.stderr).trim().split('\n');
    assert.is(lines.length, 1, `stderr was: ${result.stderr}`);
    assert.match(lines[0]!, new RegExp(`^votestream: ${name}=`));
  });
}

for (const [flag, value] of [
  ['--port', 'abc'],
  ['--port', '65535'],
  ['--redis-port', '7x'],
  ['--redis-port', '99999'],
] as const) {
  cli(`up ${flag} ${value}: exit 2 with one line naming it, before anything starts`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'votestream-up-flags-'));
    try {
      // A free redis port of our own: were the flag not refused first, up would start Redis
      // there (and the folder would get a redis/ subfolder).
      const result = await execa('node', [BIN, 'up', '--dir', dir, flag, value], {
        reject: false,
        stdin: 'ignore',
        env: { VS_REDIS_CLUSTER: '', VS_REDIS_URL: '' },
        timeout: 30_000,
      });
      assert.is(result.exitCode, 2, String(result.stderr));
      const lines = String(result.stderr).trim().split('\n');
      assert.is(lines.length, 1, `stderr was: ${result.stderr}`);
      assert.match(
        lines[0]!,
        new RegExp(`^votestream: ${flag} must be a port from 1 to \\d+.*, got ${value}$`),
      );
      assert.equal(readdirSync(dir), [], 'up started something before refusing the flag');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

cli('replay --speed x is a usage error before Redis is asked anything', async () => {
  // Port 1 answers nothing: had replay connected first, it would report Redis unreachable.
  const result = await execa(
    'node',
    [BIN, 'replay', '--speed', 'x', '--redis-cluster', '127.0.0.1:1', '--follow'],
    { reject: false, stdin: 'ignore', timeout: 30_000 },
  );
  assert.is(result.exitCode, 2, String(result.stderr));
  assert.is(String(result.stderr).trim(), 'votestream: --speed must be a positive number, got x');
});

cli('config shows the stop bound, VS_STOP_TIMEOUT_MS', async () => {
  const plain = await execa('node', [BIN, 'config'], { env: { VS_STOP_TIMEOUT_MS: '' } });
  assert.match(String(plain.stdout), /^stopTimeoutMs: 10000$/m);
  const set = await execa('node', [BIN, 'config', '--json'], {
    env: { VS_STOP_TIMEOUT_MS: '2500' },
  });
  assert.is(JSON.parse(String(set.stdout)).stopTimeoutMs, 2500);
});

cli('flags override env and --json prints one object with the secrets redacted', async () => {
  const result = await execa('node', [BIN, 'config', '--shards', '4', '--json'], {
    env: {
      VS_SHARDS: '8',
      VS_ADMIN_TOKEN: 'a-very-secret-admin-token',
      VS_VOTER_SECRET: 'a-very-secret-voter-key-0123456789',
    },
  });
  const config = JSON.parse(String(result.stdout));
  assert.is(config.shards, 4);
  assert.is(config.adminToken, '[redacted]');
  assert.is(config.voterSecret, '[redacted]');
  assert.not.match(String(result.stdout), /a-very-secret/);
});

cli('config never prints a secret: admin token and Redis password are [redacted]', async () => {
  const env = {
    VS_ADMIN_TOKEN: 'a-very-secret-admin-token',
    VS_REDIS_PASSWORD: 'a-very-secret-redis-password',
    VS_RATE_LIMIT: '100',
  };
  const text = await execa('node', [BIN, 'config'], { env });
  const json = await execa('node', [BIN, 'config', '--json'], { env });
  for (const out of [String(text.stdout), String(json.stdout)]) {
    assert.not.match(out, /a-very-secret/);
  }
  assert.match(String(text.stdout), /^redisPassword: "\[redacted\]"$/m);
  const config = JSON.parse(String(json.stdout));
  assert.is(config.redisPassword, '[redacted]');
  assert.is(config.adminToken, '[redacted]');
  assert.is(config.rateLimit, 100);
  assert.is(config.shedEventLoopDelayMs, 1000);
  const url = await execa('node', [BIN, 'config', '--json'], {
    env: { VS_REDIS_URL: 'redis://vs:a-very-secret-url-password@127.0.0.1:6400' },
  });
  assert.is(JSON.parse(String(url.stdout)).redisUrl, 'redis://vs:[redacted]@127.0.0.1:6400');
  const help = await execa('node', [BIN, 'config', '--help']);
  assert.match(String(help.stdout), /--rate-limit <n>/);
  assert.match(String(help.stdout), /VS_REDIS_PASSWORD\) are read from the environment only/);
});

cli('--help lists the subcommands', async () => {
  const result = await execa('node', [BIN, '--help']);
  assert.match(String(result.stdout), /redis/);
  assert.match(String(result.stdout), /config/);
});

cli.run();
