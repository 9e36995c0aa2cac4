// npm run bench:cpu-split — where a single vote's CPU goes. One scenario at a time against a
// fresh local cluster (3 masters + 3 replicas): single votes to one node, or one of the append
// baselines (bench/baseline-server.ts), with the CPU each process group used per request, and
// per Redis server its role, its CPU and its busiest commands per vote (INFO commandstats).
// It complements bench/append.ts, which runs every scenario and writes the report's table.
//
//   npm run bench:cpu-split -- --target node            single votes (POST /votes)
//   npm run bench:cpu-split -- --target empty           the empty route
//   npm run bench:cpu-split -- --target checked         the vote route without the log
//   ... --connections 256                                more requests in flight
//   ... --pin                                            Redis on CPU 1, the rest on CPU 0
//   ... --env VS_DURABILITY=local                        extra env for the server
//
// Commandstats times are wall-clock time inside each command: on a machine where more processes
// than cores compete, a command that is descheduled half-way counts the wait too. The CPU
// columns (from /proc) do not.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  cpuSpan,
  freePort,
  load,
  machine,
  processCpu,
  startCluster,
  startServer,
  stopServer,
} from './harness.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'node' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '64' },
    pin: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const target = values.target;
if (!['node', 'empty', 'checked'].includes(target)) {
  throw new Error(`--target is node, empty or checked, not ${target}`);
}
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const ADMIN = 'bench-admin-token-0123456789';

const cluster = await startCluster(3, 1);
const port = await freePort();
const env: Record<string, string> = {
  VS_REDIS_CLUSTER: cluster.seeds,
  VS_HTTP_PORT: String(port),
  VS_NODE_ID: 'bench',
  VS_ADMIN_TOKEN: ADMIN,
  VS_LOG_LEVEL: 'warn',
  VS_DURABILITY: 'replica',
  VS_SNAPSHOT_DIR: join(cluster.dir, 'snapshots'),
  ...Object.fromEntries(values.env.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)])),
};
const server =
  target === 'node'
    ? await startServer(['bin/votestream.js', 'node'], port, env)
    : await startServer(['--import', 'tsx', 'bench/baseline-server.ts', String(port)], port, env);
if (values.pin) {
  // Redis on a core of its own: the six servers on CPU 1; the server under test and this
  // process (the load generator) share CPU 0.
  for (const pid of cluster.pids()) execFileSync('taskset', ['-a', '-cp', '1', String(pid)]);
  execFileSync('taskset', ['-a', '-cp', '0', String(server.pid)]);
  execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)]);
}
if (target === 'node') {
  const res = await fetch(`http://127.0.0.1:${port}/polls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
  });
  if (!res.ok) throw new Error(`poll create: ${res.status} ${await res.text()}`);
}
const url = `http://127.0.0.1:${port}${target === 'checked' ? '/votes/checked' : '/votes'}`;
let voter = 0;
const vote = () => JSON.stringify({ pollId: 'bench', voterId: `voter-${voter++}`, choices: ['b'] });
await load(url, vote, { connections, seconds: 2 });

const servers = cluster.pids().map((pid) => {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  const redisPort = Number(/:(\d+)/.exec(cmdline)?.[1]);
  return { pid, redis: new Redis({ port: redisPort }), port: redisPort };
});
for (const s of servers) await s.redis.config('RESETSTAT');
const before = new Map(servers.map((s) => [s.pid, processCpu(s.pid)]));
const span = cpuSpan({
  server: () => [server.pid],
  redis: () => cluster.pids(),
  loadgen: () => [process.pid],
});
const result = await load(url, vote, { connections, seconds });
const used = span.stop();
const perVote = (us: number) => (us / Math.max(1, result.total)).toFixed(1);

console.log(
  `\n${machine()}; --target ${target}, ${connections} connections, ${seconds} s${values.pin ? ', pinned' : ''}\n`,
);
console.log(
  `${Math.round(result.rps).toLocaleString('en')} requests/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
    `non-2xx/errors ${result.non2xx + result.errors}`,
);
console.log(
  `CPU µs per request: ${Object.entries(used)
    .map(([group, us]) => `${group} ${perVote(us)}`)
    .join(' · ')}`,
);
if (target === 'node') {
  console.log('\n| redis server | role | CPU µs/vote | busiest commands: calls/vote, µs/vote |');
  console.log('| --- | --- | --- | --- |');
  for (const s of servers) {
    const role = /role:(\w+)/.exec(await s.redis.info('replication'))?.[1];
    const stats = (await s.redis.info('commandstats'))
      .split('\n')
      .map((line) => /^cmdstat_(\S+):calls=(\d+),usec=(\d+)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && m[1] !== 'config|resetstat')
      .map((m) => ({ name: m[1]!, calls: Number(m[2]), usec: Number(m[3]) }))
      .sort((a, b) => b.usec - a.usec)
      .slice(0, 6)
      .map((c) => `${c.name} ${(c.calls / result.total).toFixed(2)}, ${perVote(c.usec)}`);
    const cpu = processCpu(s.pid) - before.get(s.pid)!;
    console.log(`| ${s.port} | ${role} | ${perVote(cpu)} | ${stats.join(' · ')} |`);
  }
}
for (const s of servers) s.redis.disconnect();
await stopServer(server);
await cluster.stop();
