// npm run bench:append — single-vote and batch appends over HTTP against a local cluster
// (3 masters + 3 replicas, durability replica), with two baselines measured in the same run:
// the same HTTP server with an empty route, and raw XADD through ioredis.
import { parseArgs } from 'node:util';
import { build } from 'hdr-histogram-js';
import { Cluster } from 'ioredis';
import {
  freePort,
  load,
  machine,
  median,
  startCluster,
  startServer,
  stopServer,
  table,
} from './harness.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    batch: { type: 'string', default: '1000' },
    durability: { type: 'string', default: 'replica' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const batchSize = Number(values.batch);
const ADMIN = 'bench-admin-token-0123456789';

const cluster = await startCluster(3, 1);
const nodePort = await freePort();
const emptyPort = await freePort();
const env = {
  VS_REDIS_CLUSTER: cluster.seeds,
  VS_HTTP_PORT: String(nodePort),
  VS_NODE_ID: 'bench',
  VS_ADMIN_TOKEN: ADMIN,
  VS_LOG_LEVEL: 'warn',
  VS_DURABILITY: values.durability,
};
const node = await startServer(['bin/votestream.js', 'node'], nodePort, env);
const empty = await startServer(
  ['--import', 'tsx', 'bench/empty-server.ts', String(emptyPort)],
  emptyPort,
  {},
);
const pollRes = await fetch(`http://127.0.0.1:${nodePort}/polls`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
  body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
});
if (!pollRes.ok) throw new Error(`poll create: ${pollRes.status} ${await pollRes.text()}`);

let voter = 0;
const vote = () => JSON.stringify({ pollId: 'bench', voterId: `voter-${voter++}`, choices: ['b'] });
const batch = () =>
  JSON.stringify({
    votes: Array.from({ length: batchSize }, () => ({
      pollId: 'bench',
      voterId: `voter-${voter++}`,
      choices: ['c'],
    })),
  });

const rows: Record<string, { rate: number[]; p50: number[]; p99: number[]; bad: number }> = {};
const record = (name: string, rate: number, p50: number, p99: number, bad: number) => {
  rows[name] ??= { rate: [], p50: [], p99: [], bad: 0 };
  rows[name].rate.push(rate);
  rows[name].p50.push(p50);
  rows[name].p99.push(p99);
  rows[name].bad += bad;
};

const redis = new Cluster(
  cluster.seeds.split(',').map((s) => ({ host: s.split(':')[0]!, port: Number(s.split(':')[1]) })),
  {
    enableAutoPipelining: true,
  },
);

async function rawXadd(): Promise<void> {
  const histogram = build();
  const payload = vote();
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        await redis.xadd(`bench:{s${(w + count) % 16}}:raw`, '*', 'data', payload);
        histogram.recordValue(Math.round((performance.now() - started) * 1000));
        count++;
      }
    }),
  );
  record(
    'raw XADD (ioredis, auto-pipelined)',
    count / seconds,
    histogram.getValueAtPercentile(50) / 1000,
    histogram.getValueAtPercentile(99) / 1000,
    0,
  );
}

// Warm up the JIT of both servers before measuring.
await load(`http://127.0.0.1:${emptyPort}/votes`, vote, { connections, seconds: 2 });
await load(`http://127.0.0.1:${nodePort}/votes`, vote, { connections, seconds: 2 });

for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}\n`);
  const e = await load(`http://127.0.0.1:${emptyPort}/votes`, vote, { connections, seconds });
  record('empty fastify route', e.rps, e.p50, e.p99, e.non2xx + e.errors);
  await rawXadd();
  const s = await load(`http://127.0.0.1:${nodePort}/votes`, vote, { connections, seconds });
  record('POST /votes (single vote)', s.rps, s.p50, s.p99, s.non2xx + s.errors);
  const b = await load(`http://127.0.0.1:${nodePort}/votes/batch`, batch, {
    connections: 4,
    seconds,
  });
  record(
    `POST /votes/batch (${batchSize} votes)`,
    b.rps * batchSize,
    b.p50,
    b.p99,
    b.non2xx + b.errors,
  );
}

const base = median(rows['empty fastify route']!.rate);
const raw = median(rows['raw XADD (ioredis, auto-pipelined)']!.rate);
const out = table(
  [
    'scenario',
    'votes/s (median)',
    'p50 ms',
    'p99 ms',
    'vs empty route',
    'vs raw XADD',
    'non-2xx/errors',
  ],
  Object.entries(rows).map(([name, r]) => [
    name,
    Math.round(median(r.rate)).toLocaleString('en'),
    median(r.p50).toFixed(2),
    median(r.p99).toFixed(2),
    `${((median(r.rate) / base) * 100).toFixed(0)}%`,
    `${((median(r.rate) / raw) * 100).toFixed(0)}%`,
    r.bad,
  ]),
);
console.log(
  `\n${machine()}; ${rounds} rounds of ${seconds} s, ${connections} connections (batch: 4), durability ${values.durability}\n`,
);
console.log(out);

redis.disconnect();
await stopServer(node);
await stopServer(empty);
await cluster.stop();
