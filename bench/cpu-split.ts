// npm run bench:cpu-split — where a single vote's CPU goes. One scenario at a time against a
// fresh local cluster (3 masters + 3 replicas): single votes to one node, or one of the append
// baselines (bench/baseline-server.ts), with the CPU each process group used per request, and
// per Redis server its role, its CPU and its busiest commands per vote (INFO commandstats).
// It complements bench/append.ts, which runs every scenario and writes the report's table.
//
//   npm run bench:cpu-split -- --target node            single votes (POST /votes)
//   ... --target node --nodes 3                          3 member nodes, the load spread over them
//   ... --nodes 3 --load-nodes 1                         the load on n1 only: n2, n3 only follow
//   ... --cpu-prof DIR                                   each node writes a V8 CPU profile to DIR
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
  leaderElected,
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
    nodes: { type: 'string', default: '1' },
    'load-nodes': { type: 'string' },
    'cpu-prof': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const target = values.target;
if (!['node', 'empty', 'checked'].includes(target)) {
  throw new Error(`--target is node, empty or checked, not ${target}`);
}
const seconds = Number(values.seconds);
const nodeCount = Number(values.nodes);
if (!Number.isInteger(nodeCount) || nodeCount < 1 || (nodeCount > 1 && target !== 'node')) {
  throw new Error(`--nodes is a whole number ≥ 1 (more than 1 only with --target node)`);
}
const connections = Number(values.connections);
const ADMIN = 'bench-admin-token-0123456789';

const cluster = await startCluster(3, 1);
const ids = nodeCount === 1 ? ['bench'] : Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
const nodeEnv = (id: string, port: number): Record<string, string> => ({
  VS_REDIS_CLUSTER: cluster.seeds,
  VS_HTTP_PORT: String(port),
  VS_NODE_ID: id,
  VS_ADMIN_TOKEN: ADMIN,
  VS_LOG_LEVEL: 'warn',
  VS_DURABILITY: 'replica',
  VS_SNAPSHOT_DIR: join(cluster.dir, `snapshots-${id}`),
  ...(ids.length > 1 ? { VS_MEMBERS: ids.join(',') } : {}),
  ...Object.fromEntries(values.env.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)])),
});
// --cpu-prof DIR: each node writes a V8 CPU profile there when it stops (node --cpu-prof).
const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
const nodes: Awaited<ReturnType<typeof startServer>>[] = [];
const ports: number[] = [];
for (const id of target === 'node' ? ids : ['bench']) {
  const port = await freePort();
  ports.push(port);
  nodes.push(
    target === 'node'
      ? await startServer([...profile, 'bin/votestream.js', 'node'], port, nodeEnv(id, port))
      : await startServer(
          ['--import', 'tsx', 'bench/baseline-server.ts', String(port)],
          port,
          nodeEnv(id, port),
        ),
  );
}
const port = ports[0]!;
if (values.pin) {
  // Redis on a core of its own: the six servers on CPU 1; the servers under test and this
  // process (the load generator) share CPU 0.
  for (const pid of cluster.pids()) execFileSync('taskset', ['-a', '-cp', '1', String(pid)]);
  for (const n of nodes) execFileSync('taskset', ['-a', '-cp', '0', String(n.pid)]);
  execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)]);
}
if (target === 'node') {
  const res = await fetch(`http://127.0.0.1:${port}/polls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
  });
  if (!res.ok) throw new Error(`poll create: ${res.status} ${await res.text()}`);
  if (nodeCount > 1) await leaderElected(`http://127.0.0.1:${port}`);
}
// --load-nodes K: the load goes to the first K nodes only, so the others' CPU is what a node
// that serves no request costs per vote (its fold, its reads, its reports).
const loaded = ports.slice(0, Number(values['load-nodes'] ?? ports.length));
const url = loaded.map(
  (p) => `http://127.0.0.1:${p}${target === 'checked' ? '/votes/checked' : '/votes'}`,
);
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
  ...Object.fromEntries(
    nodes.map((n, i) => [nodes.length === 1 ? 'server' : `node ${ids[i]}`, () => [n.pid]]),
  ),
  redis: () => cluster.pids(),
  loadgen: () => [process.pid],
});
const syscallsBefore = nodes.map((n) => syscalls(n.pid));
const result = await load(url, vote, { connections, seconds });
const used = span.stop();
const syscallsUsed = nodes.map((n, i) => {
  const after = syscalls(n.pid);
  return {
    reads: after.reads - syscallsBefore[i]!.reads,
    writes: after.writes - syscallsBefore[i]!.writes,
  };
});
const perVote = (us: number) => (us / Math.max(1, result.total)).toFixed(1);

console.log(
  `\n${machine()}; --target ${target}, ${nodes.length} node(s), ${connections} connections, ${seconds} s${values.pin ? ', pinned' : ''}\n`,
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
// Read and write system calls (/proc/PID/io syscr, syscw): on a VM each write to loopback that
// wakes Redis on the other core is dear, so how many a node makes per vote matters.
console.log(
  `system calls per request, reads · writes: ${nodes
    .map(
      (_, i) =>
        `${nodes.length === 1 ? 'server' : `node ${ids[i]}`} ${perVote(syscallsUsed[i]!.reads)} · ${perVote(syscallsUsed[i]!.writes)}`,
    )
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
await Promise.all(nodes.map((n) => stopServer(n)));
await cluster.stop();

/** The read and write system calls a process has made so far (/proc/PID/io). */
function syscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return {
    reads: Number(/syscr: (\d+)/.exec(io)?.[1]),
    writes: Number(/syscw: (\d+)/.exec(io)?.[1]),
  };
}
