// npm run bench:fold — the read path on a local cluster (3 masters + 3 replicas, 3 member
// nodes as processes):
//  1. at a steady --rate of single votes (open model), from each vote's XADD time (its entry
//     id) to the moment an in-process observer folds it (pending) and folds the marker that
//     covers it (finalized);
//  2. cold-start fold (rebuild) throughput of --votes votes, and heap per counted vote;
//  3. the baseline for 2: reading the same log page by page without decoding or folding.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { build } from 'hdr-histogram-js';
import { loadConfig } from '../src/config.ts';
import { shardKeys } from '../src/log/keys.ts';
import { Projections } from '../src/log/projections.ts';
import { connectRedis } from '../src/log/redis-client.ts';
import type { FoldBatch } from '../src/log/shard-reader.ts';
import { createLogger } from '../src/logger.ts';
import { shardPages } from '../src/tools/shard-pages.ts';
import { freePort, machine, startCluster, startServer, stopServer, table } from './harness.ts';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '10' },
    // Votes per request during the steady phase: 1 = POST /votes, more = POST /votes/batch
    // (the vote rate stays --rate either way; the request rate is --rate / --batch).
    batch: { type: 'string', default: '1' },
    // Seconds of the same load before the measured one (0: none); see the warm-up below.
    warmup: { type: 'string', default: '3' },
    // After the table, one JSON line of the figures (bench/report.ts reads it).
    json: { type: 'boolean', default: false },
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
  VS_SNAPSHOT_DIR: mkdtempSync(join(cluster.dir, 'snap-')),
};
const ports = [port, await freePort(), await freePort()];
const members = ['n1', 'n2', 'n3'];
const writers = await Promise.all(
  members.map((id, i) =>
    startServer(['bin/votestream.js', 'node'], ports[i]!, {
      ...env,
      VS_NODE_ID: id,
      VS_MEMBERS: members.join(','),
      VS_HTTP_PORT: String(ports[i]),
      VS_SNAPSHOT_DIR: mkdtempSync(join(cluster.dir, `snap-${id}-`)),
    }),
  ),
);
const created = await fetch(`${url}/polls`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
  body: JSON.stringify({ id: 'bench', title: 'Bench', options: ['a', 'b', 'c', 'd'] }),
});
if (!created.ok) throw new Error(`poll create: ${created.status}`);

const config = loadConfig({ VS_REDIS_CLUSTER: cluster.seeds }, {});
const client = connectRedis(config);
const log = createLogger({ level: 'warn' });
const projectionsFor = (nodeId: string) =>
  new Projections({
    client,
    prefix: 'vs',
    shards: config.shards,
    nodeId,
    // Inside the cluster's folder, so cluster.stop() removes the snapshots with it.
    snapshotDir: mkdtempSync(join(cluster.dir, 'fold-')),
    snapshotMs: 3_600_000,
    log,
  });

// 1. Pending and finalized latency at a steady rate.
const histogram = () =>
  build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000,
    numberOfSignificantValueDigits: 3,
  });
const lags = histogram();
const finals = histogram();
const live = projectionsFor('bench-live');
const appendedAt = new Map<number, Map<number, number>>();
const committed = new Map<number, number>();
live.on('batch', (batch: FoldBatch) => {
  let pending = appendedAt.get(batch.shard);
  if (!pending) {
    pending = new Map();
    appendedAt.set(batch.shard, pending);
  }
  for (let i = 0; i < batch.votes.length; i += 2) {
    const seq = batch.votes[i]!;
    const ms = batch.votes[i + 1]!;
    lags.recordValue(Math.max(1, batch.at - ms));
    pending.set(seq, ms);
  }
  const from = committed.get(batch.shard) ?? 0;
  for (let seq = from + 1; seq <= batch.committedSeq; seq++) {
    const ms = pending.get(seq);
    if (ms !== undefined) {
      finals.recordValue(Math.max(1, batch.at - ms));
      pending.delete(seq);
    }
  }
  committed.set(batch.shard, Math.max(from, batch.committedSeq));
});
live.start();
let voter = 0;
const perRequest = Number(values.batch);
const steadyBody = () =>
  perRequest === 1
    ? JSON.stringify({ pollId: 'bench', voterId: `steady-${voter++}`, choices: ['a'] })
    : JSON.stringify({
        votes: Array.from({ length: perRequest }, () => ({
          pollId: 'bench',
          voterId: `steady-${voter++}`,
          choices: ['a'],
        })),
      });
const offer = (duration: number) =>
  autocannon({
    url: perRequest === 1 ? `${url}/votes` : `${url}/votes/batch`,
    connections: 50,
    overallRate: rate / perRequest,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: steadyBody() }),
      },
    ],
  });
// Fresh node processes spend their first seconds in unoptimized code and would queue the
// first votes for that: the same load first, then the observer forgets what it saw.
const warmup = Number(values.warmup);
if (warmup > 0) {
  await offer(warmup);
  await waitCaughtUp(live);
  await new Promise((r) => setTimeout(r, 1500));
  lags.reset();
  finals.reset();
  appendedAt.clear();
}
const steady = await offer(seconds);
await waitCaughtUp(live);
// The last markers follow within a few heartbeats.
await new Promise((r) => setTimeout(r, 1500));
await live.stop();

// 2. Fill the log to --votes, then fold it all from a cold start.
let cast = (steady.requests.total - steady.non2xx) * perRequest;
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
// The member nodes are stopped first: right after a million-vote fill they would still be
// snapshotting it (seconds of CPU each), which the cold fold and the raw read would share.
// Both are measured on the same quiet machine, as `votestream rebuild` would be run.
await Promise.all(writers.map(stopServer));
const heads = await headSeqs();
const entries = heads.reduce((a, b) => a + b, 0);
gc();
const heapBefore = process.memoryUsage();
const rebuild = projectionsFor('bench-rebuild');
const started = performance.now();
rebuild.start();
await waitCaughtUp(rebuild);
const foldSeconds = (performance.now() - started) / 1000;
gc();
const heapAfter = process.memoryUsage();
const bytes =
  heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers;

// 3. What reading alone costs: the same XRANGE pages (shared with rebuild), entries dropped.
const readStarted = performance.now();
const readEntries = (
  await Promise.all(
    Array.from({ length: config.shards }, async (_, shard) => {
      let n = 0;
      for await (const page of shardPages(client, 'vs', shard)) n += page.length;
      return n;
    }),
  )
).reduce((a, b) => a + b, 0);
const readSeconds = (performance.now() - readStarted) / 1000;

console.log(
  `\n${machine()}; ${steady.requests.total * perRequest} votes at ${rate}/s for ${seconds} s, then ${entries} entries folded cold\n`,
);
console.log(
  table(
    ['measure', 'value'],
    [
      ['append → pending (folded), p50', `${lags.getValueAtPercentile(50)} ms`],
      ['append → pending (folded), p99', `${lags.getValueAtPercentile(99)} ms`],
      ['append → pending (folded), max', `${lags.maxValue} ms`],
      ['append → finalized (marker folded), p50', `${finals.getValueAtPercentile(50)} ms`],
      ['append → finalized (marker folded), p99', `${finals.getValueAtPercentile(99)} ms`],
      ['append → finalized (marker folded), max', `${finals.maxValue} ms`],
      [
        'votes measured pending / finalized / non-2xx',
        `${lags.totalCount} / ${finals.totalCount} / ${steady.non2xx}`,
      ],
      ['cold fold (rebuild) entries', entries.toLocaleString('en')],
      ['cold fold time', `${foldSeconds.toFixed(2)} s`],
      [
        'cold fold throughput',
        `${Math.round(entries / foldSeconds).toLocaleString('en')} entries/s`,
      ],
      ['heap per counted vote (heapUsed + arrayBuffers)', `${Math.round(bytes / entries)} B`],
      [
        'baseline: XRANGE read of the same log, no fold',
        `${Math.round(readEntries / readSeconds).toLocaleString('en')} entries/s`,
      ],
    ],
  ),
);
if (values.json) {
  const delivered = steady.requests.total - steady.non2xx;
  const latency = (h: typeof lags) => ({
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
    count: h.totalCount,
  });
  console.log(
    JSON.stringify({
      machine: machine(),
      steady: {
        offeredVotesPerSecond: rate,
        batch: perRequest,
        seconds,
        warmupSeconds: warmup,
        requests: steady.requests.total,
        non2xx: steady.non2xx,
        deliveredVotesPerSecond: Math.round((delivered * perRequest) / seconds),
        pendingMs: latency(lags),
        finalizedMs: latency(finals),
      },
      coldFold: {
        entries,
        seconds: foldSeconds,
        entriesPerSecond: Math.round(entries / foldSeconds),
        heapBytesPerVote: Math.round(bytes / entries),
      },
      rawRead: {
        entries: readEntries,
        seconds: readSeconds,
        entriesPerSecond: Math.round(readEntries / readSeconds),
      },
    }),
  );
}

await rebuild.stop();
client.disconnect();
await cluster.stop();

async function headSeqs(): Promise<number[]> {
  return Promise.all(
    Array.from({ length: config.shards }, async (_, s) =>
      Number((await client.hget(shardKeys('vs', s).head, 'seq')) ?? 0),
    ),
  );
}

async function waitCaughtUp(projections: Projections): Promise<void> {
  for (;;) {
    const target = await headSeqs();
    if (projections.readers.every((r, i) => r.state.appliedSeq >= target[i]!)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
