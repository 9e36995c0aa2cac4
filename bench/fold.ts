// npm run bench:fold — the read path on a local cluster (3 masters + 3 replicas):
//  1. append-to-pending latency at a steady --rate of single votes (open model), measured by
//     an in-process Folder from each vote's XADD time (its entry id) to the moment it is folded;
//  2. cold-start fold (rebuild) throughput of --votes votes, and heap per counted vote.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { build } from 'hdr-histogram-js';
import { loadConfig } from '../src/config.ts';
import { Folder } from '../src/log/folder.ts';
import { shardKeys } from '../src/log/keys.ts';
import { connectRedis } from '../src/log/redis-client.ts';
import type { FoldBatch } from '../src/log/shard-reader.ts';
import { createLogger } from '../src/logger.ts';
import { freePort, machine, startCluster, startServer, stopServer, table } from './harness.ts';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '10' },
  },
});
const totalVotes = Number(values.votes);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const ADMIN = 'bench-admin-token-0123456789';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:fold does)');

const cluster = await startCluster(3, 1);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const env = {
  VS_REDIS_CLUSTER: cluster.seeds,
  VS_HTTP_PORT: String(port),
  VS_NODE_ID: 'writer',
  VS_ADMIN_TOKEN: ADMIN,
  VS_LOG_LEVEL: 'warn',
  VS_SNAPSHOT_DIR: mkdtempSync(join(tmpdir(), 'vs-bench-snap-')),
};
const writer = await startServer(['bin/votestream.js', 'node'], port, env);
const created = await fetch(`${url}/polls`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
  body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
});
if (!created.ok) throw new Error(`poll create: ${created.status}`);

const config = loadConfig({ VS_REDIS_CLUSTER: cluster.seeds }, {});
const client = connectRedis(config);
const log = createLogger({ level: 'warn' });
const folderFor = (nodeId: string) =>
  new Folder({
    client,
    prefix: 'vs',
    shards: config.shards,
    nodeId,
    snapshotDir: mkdtempSync(join(tmpdir(), 'vs-bench-fold-')),
    snapshotMs: 3_600_000,
    log,
  });

// 1. Pending latency at a steady rate.
const lags = build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000,
  numberOfSignificantValueDigits: 3,
});
const live = folderFor('bench-live');
live.on('batch', (batch: FoldBatch) => {
  for (const ms of batch.voteLagsMs) lags.recordValue(Math.max(1, ms));
});
live.start();
let voter = 0;
const steady = await autocannon({
  url: `${url}/votes`,
  connections: 50,
  overallRate: rate,
  duration: seconds,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ pollId: 'bench', voterId: `steady-${voter++}`, choices: ['a'] }),
      }),
    },
  ],
});
await waitCaughtUp(live);
await live.stop();

// 2. Fill the log to --votes, then fold it all from a cold start.
let cast = steady.requests.total - steady.non2xx;
while (cast < totalVotes) {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const n = Math.min(1000, totalVotes - cast);
      if (n <= 0) return;
      cast += n;
      const votes = Array.from({ length: n }, () => ({
        pollId: 'bench',
        voterId: `fill-${voter++}`,
        choices: ['b'],
      }));
      const res = await fetch(`${url}/votes/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ votes }),
      });
      if (!res.ok) throw new Error(`batch: ${res.status}`);
    }),
  );
}
const heads = await headSeqs();
const entries = heads.reduce((a, b) => a + b, 0);
gc();
const heapBefore = process.memoryUsage();
const rebuild = folderFor('bench-rebuild');
const started = performance.now();
rebuild.start();
await waitCaughtUp(rebuild);
const foldSeconds = (performance.now() - started) / 1000;
gc();
const heapAfter = process.memoryUsage();
const bytes =
  heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers;

console.log(
  `\n${machine()}; ${steady.requests.total} votes at ${rate}/s for ${seconds} s, then ${entries} entries folded cold\n`,
);
console.log(
  table(
    ['measure', 'value'],
    [
      ['append → pending (folded), p50', `${lags.getValueAtPercentile(50)} ms`],
      ['append → pending (folded), p99', `${lags.getValueAtPercentile(99)} ms`],
      ['append → pending (folded), max', `${lags.maxValue} ms`],
      ['votes measured / non-2xx', `${lags.totalCount} / ${steady.non2xx}`],
      ['cold fold (rebuild) entries', entries.toLocaleString('en')],
      ['cold fold time', `${foldSeconds.toFixed(2)} s`],
      [
        'cold fold throughput',
        `${Math.round(entries / foldSeconds).toLocaleString('en')} entries/s`,
      ],
      ['heap per counted vote (heapUsed + arrayBuffers)', `${Math.round(bytes / entries)} B`],
    ],
  ),
);

await rebuild.stop();
client.disconnect();
await stopServer(writer);
await cluster.stop();

async function headSeqs(): Promise<number[]> {
  return Promise.all(
    Array.from({ length: config.shards }, async (_, s) =>
      Number((await client.hget(shardKeys('vs', s).head, 'seq')) ?? 0),
    ),
  );
}

async function waitCaughtUp(folder: Folder): Promise<void> {
  for (;;) {
    const target = await headSeqs();
    if (folder.readers.every((r, i) => r.state.appliedSeq >= target[i]!)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
