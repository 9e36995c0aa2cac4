// node --import tsx bench/appender.ts — the Appender alone, no HTTP: where the CPU of one
// append goes (this process, the masters, the replicas), for single-vote-like load (many
// concurrent one-vote loops) and batch-like load (a few loops of 1000 votes each).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { Appender, type VoteRequest } from '../src/log/append-vote.ts';
import { connectRedis, type LogTarget } from '../src/log/redis-client.ts';
import { cpuSpan, startCluster, table } from './harness.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    batch: { type: 'string', default: '1000' },
    loops: { type: 'string', default: '4' },
    loads: { type: 'string', default: 'single,batch' },
  },
});
const seconds = Number(values.seconds);

const cluster = await startCluster(3, 1);
const config = loadConfig({ VS_REDIS_CLUSTER: cluster.seeds, VS_LOG_LEVEL: 'silent' }, {});
const client = connectRedis(config);
await new Promise((r) => client.once('ready', r));
const target: LogTarget = {
  client,
  prefix: 'b',
  shards: config.shards,
  durable: true,
  waitTimeoutMs: config.waitTimeoutMs,
};
const appender = new Appender(target);
const masterPorts = new Set(cluster.seeds.split(',').map((s) => Number(s.split(':')[1])));
const { ownedProcesses } = await import('../ops/redis-processes.ts');
const pidsOf = (masters: boolean) => () =>
  ownedProcesses(cluster.dir)
    .filter((o) => masterPorts.has(o.port) === masters)
    .map((o) => o.pid);

let n = 0;
const next = (): VoteRequest => ({
  voteId: `v-${n}`,
  pollId: 'bench',
  voterId: `voter-${n++}`,
  choices: ['b'],
  revote: 'reject',
  at: Date.now(),
});

async function run(name: string, loops: number, perTurn: number) {
  const span = cpuSpan({ masters: pidsOf(true), replicas: pidsOf(false) });
  const cpu = process.cpuUsage();
  const deadline = Date.now() + seconds * 1000;
  let votes = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (Date.now() < deadline) {
        const outcomes = await Promise.all(
          Array.from({ length: perTurn }, () => appender.append(next())),
        );
        votes += outcomes.length;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const redis = span.stop();
  return [
    name,
    Math.round(votes / seconds).toLocaleString('en'),
    ((used.user + used.system) / votes).toFixed(1),
    ((redis.masters ?? 0) / votes).toFixed(1),
    ((redis.replicas ?? 0) / votes).toFixed(1),
  ];
}

await run('warm-up', 16, 1);
const loads = values.loads.split(',');
const rows = [];
if (loads.includes('single'))
  rows.push(await run(`${values.concurrency} loops × 1 vote`, Number(values.concurrency), 1));
if (loads.includes('batch'))
  rows.push(
    await run(
      `${values.loops} loops × ${values.batch} votes`,
      Number(values.loops),
      Number(values.batch),
    ),
  );
console.log(
  table(['load', 'votes/s', 'node µs/vote', 'masters µs/vote', 'replicas µs/vote'], rows),
);
client.disconnect();
await cluster.stop();
