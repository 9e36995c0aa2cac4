// The tools that read Redis once and exit (replay in each of its modes, rebuild), pointed at a
// port where nothing listens: one line on stderr and exit 2 within VS_REDIS_CONNECT_TIMEOUT_MS,
// instead of waiting forever. Real processes; a real cluster only as the source of a copy.
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freeBasePort, sharedCluster } from '../helpers/redis-cluster.ts';

const unreachable = suite('a tool whose Redis does not answer exits 2 with one line');

/**
 * Starting a tool through tsx takes about a second, and over 4 s on a loaded 2-core machine
 * (5.3 s seen for a 1 s timeout). The bound only tells "gave up" from "waited on": the line's
 * "did not answer within N ms" shows which timeout the tool used.
 */
const START_SLACK_MS = 10_000;

let port: number;
unreachable.before(async () => {
  // Free now, and nothing of the test listens on it.
  port = await freeBasePort(1);
});

async function run(args: string[], env: Record<string, string>) {
  const started = performance.now();
  const result = await execa('node', ['bin/votestream.js', ...args], {
    env: { VS_LOG_LEVEL: 'silent', ...env },
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  return { ...result, ms: performance.now() - started };
}

function assertOneLine(
  result: Awaited<ReturnType<typeof run>>,
  where: RegExp,
  timeoutMs: number,
): void {
  const said = `exit ${result.exitCode} after ${Math.round(result.ms)} ms: ${result.stderr}`;
  assert.is(result.exitCode, 2, said);
  assert.ok(result.ms < timeoutMs + START_SLACK_MS, said);
  const lines = String(result.stderr).trim().split('\n');
  assert.is(lines.length, 1, said);
  assert.match(lines[0]!, /^votestream: Redis at /, said);
  assert.match(lines[0]!, where, said);
  assert.match(lines[0]!, new RegExp(`did not answer within ${timeoutMs} ms`), said);
  assert.match(lines[0]!, /VS_REDIS_CONNECT_TIMEOUT_MS/, said);
  assert.is(String(result.stdout), '', 'nothing on stdout');
}

for (const args of [
  ['replay'],
  ['replay', '--verify'],
  ['replay', '--format', 'blt', '--poll', 'p'],
  ['replay', '--follow'],
  ['rebuild'],
]) {
  unreachable(`votestream ${args.join(' ')}: cluster seeds where nothing listens`, async () => {
    const result = await run(args, {
      VS_REDIS_CLUSTER: `127.0.0.1:${port}`,
      VS_REDIS_CONNECT_TIMEOUT_MS: '1000',
    });
    assertOneLine(result, new RegExp(`127\\.0\\.0\\.1:${port} \\(VS_REDIS_CLUSTER`), 1000);
  });
}

unreachable('a standalone VS_REDIS_URL: the same, its password not shown', async () => {
  const result = await run(['rebuild'], {
    VS_REDIS_URL: `redis://user:not-to-be-shown@127.0.0.1:${port}`,
    VS_REDIS_CONNECT_TIMEOUT_MS: '1000',
  });
  assertOneLine(result, new RegExp(`redis://127\\.0\\.0\\.1:${port} \\(VS_REDIS_URL`), 1000);
  assert.not.match(String(result.stderr), /not-to-be-shown/);
});

unreachable('without VS_REDIS_CONNECT_TIMEOUT_MS the wait is 5000 ms', async () => {
  const result = await run(['replay'], { VS_REDIS_CLUSTER: `127.0.0.1:${port}` });
  assertOneLine(result, new RegExp(`127\\.0\\.0\\.1:${port}`), 5000);
  assert.ok(result.ms >= 5000, `it waited only ${Math.round(result.ms)} ms`);
});

unreachable('replay --into a Redis where nothing listens: the same, naming --into', async () => {
  const cluster = await sharedCluster();
  const result = await run(['replay', '--into', `127.0.0.1:${port}`], {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: `unreachable-${Date.now().toString(36)}`,
    VS_REDIS_CONNECT_TIMEOUT_MS: '1000',
  });
  assertOneLine(result, new RegExp(`127\\.0\\.0\\.1:${port} \\(--into\\)`), 1000);
});

unreachable.run();
