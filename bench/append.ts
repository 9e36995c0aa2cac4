// npm run bench:append — single-vote and batch appends over HTTP against a local cluster
// (3 masters + 3 replicas, durability replica), with baselines measured in the same run: the
// same HTTP server with an empty route, the vote route's own work without the log (the same
// server, bench/baseline-server.ts), and raw XADD through ioredis.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'hdr-histogram-js';
import { Cluster } from 'ioredis';
import {
  cpuSpan,
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
    // Extra node flags for the votestream node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    'node-args': { type: 'string', default: '' },
    // For profiling one scenario; the acceptance numbers are from the default (all four).
    // single-ids, batch-ids: the same with a client-chosen voteId per vote (claimed in its
    // claim shard first when that is not the vote's shard: about 15 votes in 16).
    scenarios: { type: 'string', default: 'empty,checked,raw,single,single-ids,batch,batch-ids' },
    // After the table, one JSON line of the medians (bench/report.ts reads it).
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const batchSize = Number(values.batch);
const scenarios = new Set(values.scenarios.split(','));
const ADMIN = 'bench-admin-token-0123456789';

const cluster = await startCluster(3, 1);
const nodePort = await freePort();
const baselinePort = await freePort();
const env = {
  VS_REDIS_CLUSTER: cluster.seeds,
  VS_HTTP_PORT: String(nodePort),
  VS_NODE_ID: 'bench',
  VS_ADMIN_TOKEN: ADMIN,
  VS_LOG_LEVEL: 'warn',
  VS_DURABILITY: values.durability,
  // Its own snapshots, thrown away with the cluster: never ones of an earlier run's log.
  VS_SNAPSHOT_DIR: join(cluster.dir, 'snapshots'),
};
const nodeArgs = values['node-args'].split(' ').filter(Boolean);
const node = await startServer([...nodeArgs, 'bin/votestream.js', 'node'], nodePort, env);
const baseline = await startServer(
  ['--import', 'tsx', 'bench/baseline-server.ts', String(baselinePort)],
  baselinePort,
  { ...env, VS_HTTP_PORT: String(baselinePort) },
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
// As a client that retries safely sends them: its own random voteId per vote.
const voteWithId = () =>
  JSON.stringify({
    pollId: 'bench',
    voterId: `voter-${voter++}`,
    choices: ['b'],
    voteId: randomUUID(),
  });
const batchWithIds = () =>
  JSON.stringify({
    votes: Array.from({ length: batchSize }, () => ({
      pollId: 'bench',
      voterId: `voter-${voter++}`,
      choices: ['c'],
      voteId: randomUUID(),
    })),
  });

interface Row {
  /** Stable key for --json: empty, checked, raw, single, single-ids, batch, batch-ids. */
  id: string;
  rate: number[];
  p50: number[];
  p99: number[];
  bad: number;
  /** CPU µs per vote, per process group, one value per round. */
  cpu: Record<string, number[]>;
}
const rows: Record<string, Row> = {};
const record = (
  id: string,
  name: string,
  rate: number,
  p50: number,
  p99: number,
  bad: number,
  cpu?: { used: Record<string, number>; votes: number },
) => {
  rows[name] ??= { id, rate: [], p50: [], p99: [], bad: 0, cpu: {} };
  rows[name].rate.push(rate);
  rows[name].p50.push(p50);
  rows[name].p99.push(p99);
  rows[name].bad += bad;
  for (const [group, us] of Object.entries(cpu?.used ?? {})) {
    rows[name].cpu[group] ??= [];
    rows[name].cpu[group].push(us / Math.max(1, cpu?.votes ?? 1));
  }
};

// Where the CPU goes, per vote: the HTTP server under test, the six redis-servers, and this
// process (autocannon). On a small machine they share the cores, so this says who is the limit.
const spanFor = (server: { pid: number }) =>
  cpuSpan({
    server: () => [server.pid],
    redis: () => cluster.pids(),
    loadgen: () => [process.pid],
  });

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
    'raw',
    'raw XADD (ioredis, auto-pipelined)',
    count / seconds,
    histogram.getValueAtPercentile(50) / 1000,
    histogram.getValueAtPercentile(99) / 1000,
    0,
  );
}

// Warm up the JIT of both servers before measuring.
await load(`http://127.0.0.1:${baselinePort}/votes`, vote, { connections, seconds: 2 });
await load(`http://127.0.0.1:${baselinePort}/votes/checked`, vote, { connections, seconds: 2 });
await load(`http://127.0.0.1:${nodePort}/votes`, vote, { connections, seconds: 2 });

for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}\n`);
  if (scenarios.has('empty')) {
    const span = spanFor(baseline);
    const e = await load(`http://127.0.0.1:${baselinePort}/votes`, vote, { connections, seconds });
    record('empty', 'empty route', e.rps, e.p50, e.p99, e.non2xx + e.errors, {
      used: span.stop(),
      votes: e.total,
    });
  }
  if (scenarios.has('checked')) {
    const span = spanFor(baseline);
    const c = await load(`http://127.0.0.1:${baselinePort}/votes/checked`, vote, {
      connections,
      seconds,
    });
    record('checked', 'vote route without the log', c.rps, c.p50, c.p99, c.non2xx + c.errors, {
      used: span.stop(),
      votes: c.total,
    });
  }
  if (scenarios.has('raw')) await rawXadd();
  if (scenarios.has('single')) {
    const span = spanFor(node);
    const s = await load(`http://127.0.0.1:${nodePort}/votes`, vote, { connections, seconds });
    record('single', 'POST /votes (single vote)', s.rps, s.p50, s.p99, s.non2xx + s.errors, {
      used: span.stop(),
      votes: s.total,
    });
  }
  if (scenarios.has('single-ids')) {
    const span = spanFor(node);
    const s = await load(`http://127.0.0.1:${nodePort}/votes`, voteWithId, {
      connections,
      seconds,
    });
    record(
      'single-ids',
      'POST /votes (single vote, client voteId)',
      s.rps,
      s.p50,
      s.p99,
      s.non2xx + s.errors,
      { used: span.stop(), votes: s.total },
    );
  }
  for (const [id, body, label] of [
    ['batch', batch, `POST /votes/batch (${batchSize} votes)`],
    ['batch-ids', batchWithIds, `POST /votes/batch (${batchSize} votes, client voteIds)`],
  ] as const) {
    if (!scenarios.has(id)) continue;
    const span = spanFor(node);
    const b = await load(`http://127.0.0.1:${nodePort}/votes/batch`, body, {
      connections: 4,
      seconds,
    });
    record(id, label, b.rps * batchSize, b.p50, b.p99, b.non2xx + b.errors, {
      used: span.stop(),
      votes: b.total * batchSize,
    });
  }
}

const base = median(rows['empty route']?.rate ?? []);
const raw = median(rows['raw XADD (ioredis, auto-pipelined)']?.rate ?? []);
const ratio = (rate: number, of: number) => (of > 0 ? `${((rate / of) * 100).toFixed(0)}%` : '–');
const out = table(
  [
    'scenario',
    'votes/s (median)',
    'p50 ms',
    'p99 ms',
    'vs empty route',
    'vs raw XADD',
    'non-2xx/errors',
    'CPU µs/vote: server · redis · loadgen · other',
  ],
  Object.entries(rows).map(([name, r]) => [
    name,
    Math.round(median(r.rate)).toLocaleString('en'),
    median(r.p50).toFixed(2),
    median(r.p99).toFixed(2),
    ratio(median(r.rate), base),
    ratio(median(r.rate), raw),
    r.bad,
    ['server', 'redis', 'loadgen', 'other']
      .map((g) => (r.cpu[g] ? median(r.cpu[g]).toFixed(1) : '–'))
      .join(' · '),
  ]),
);
console.log(
  `\n${machine()}; ${rounds} rounds of ${seconds} s, ${connections} connections (batch: 4), durability ${values.durability}\n`,
);
console.log(out);
console.log(
  '\nCPU µs/vote (per request for the empty route): the server under test, the six redis-servers,' +
    '\nthe load generator (this process), and whatever else ran on the machine meanwhile.',
);
if (values.json) {
  const groups = ['server', 'redis', 'loadgen', 'other'];
  const scenarioResults = Object.fromEntries(
    Object.entries(rows).map(([name, r]) => [
      r.id,
      {
        label: name,
        votesPerSecond: median(r.rate),
        p50Ms: median(r.p50),
        p99Ms: median(r.p99),
        bad: r.bad,
        cpuUsPerVote: Object.fromEntries(
          groups.filter((g) => r.cpu[g]).map((g) => [g, median(r.cpu[g]!)]),
        ),
      },
    ]),
  );
  console.log(
    JSON.stringify({
      machine: machine(),
      seconds,
      rounds,
      connections,
      batch: batchSize,
      durability: values.durability,
      scenarios: scenarioResults,
    }),
  );
}

redis.disconnect();
await stopServer(node);
await stopServer(baseline);
await cluster.stop();
