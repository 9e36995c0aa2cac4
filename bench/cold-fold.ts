// node --expose-gc --import tsx bench/cold-fold.ts --seeds S --prefix P --poll ID [--results N]
// One cold fold in a fresh process, for bench/fold-ranked.ts: a node's projections folds the log
// under --prefix from zero (no snapshot), as a node does at start; then, with --results, the
// poll is counted from that projection through pollResult (profile assembly + count) as
// GET /polls/:pollId/results does, by IRV and by Scottish STV. Prints one JSON line
// (ColdFoldRun). A process per fold: no fold inherits the last one's heap or warmed-up code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import type { Poll } from '../src/domain/events.ts';
import { pollResult } from '../src/domain/poll-results.ts';
import { compiledRankings, rankingProfile } from '../src/domain/ranking-profile.ts';
import { tallyPoll } from '../src/domain/tally.ts';
import { ResultCounter } from '../src/http/result-counter.ts';
import { shardKeys } from '../src/log/keys.ts';
import { PollCatalogue } from '../src/log/poll-catalogue.ts';
import { Projections } from '../src/log/projections.ts';
import { connectRedis } from '../src/log/redis-client.ts';
import { createLogger } from '../src/logger.ts';
import type { ColdFoldRun } from './report-markdown.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    prefix: { type: 'string', default: 'vs' },
    poll: { type: 'string', default: 'bench' },
    // Calls of each count after the fold (0: none).
    results: { type: 'string', default: '0' },
    seats: { type: 'string', default: '4' },
  },
});
if (!values.seeds) throw new Error('--seeds host:port,… of the cluster');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const config = loadConfig({ VS_REDIS_CLUSTER: values.seeds, VS_PREFIX: values.prefix }, {});
const client = connectRedis(config);
await new Promise((r) => client.once('ready', r));
const log = createLogger({ level: 'warn' });
const heads = await Promise.all(
  Array.from({ length: config.shards }, async (_, s) =>
    Number((await client.hget(shardKeys(config.prefix, s).head, 'seq')) ?? 0),
  ),
);
const entries = heads.reduce((a, b) => a + b, 0);

gc();
const before = process.memoryUsage();
const snapshotDir = mkdtempSync(join(tmpdir(), 'votestream-cold-fold-'));
const projections = new Projections({
  client,
  prefix: config.prefix,
  shards: config.shards,
  nodeId: 'bench-cold',
  snapshotDir,
  snapshotMs: 3_600_000,
  log,
});
const started = performance.now();
// CPU time of this process over the fold (user + system, all its threads): the node's own cost
// per entry, less sensitive than wall time to a neighbour on a shared machine.
const cpuBefore = process.cpuUsage();
projections.start();
while (!projections.readers.every((r, i) => r.state.appliedSeq >= heads[i]!)) {
  await new Promise((r) => setTimeout(r, 5));
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
gc();
const after = process.memoryUsage();
const bytes = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
for (const reader of projections.readers) reader.stop();

const states = projections.states;
const ballots = tallyPoll(values.poll, states).ballots;
const run: ColdFoldRun = {
  prefix: config.prefix,
  entries,
  ballots: ballots.finalized + ballots.pending,
  seconds,
  entriesPerSecond: Math.round(entries / seconds),
  cpuSeconds,
  entriesPerCpuSecond: Math.round(entries / cpuSeconds),
  heapBytesPerBallot: Math.round(bytes / Math.max(1, ballots.finalized + ballots.pending)),
};
const calls = Number(values.results);
if (calls > 0) {
  const catalogue = new PollCatalogue(client, config.prefix);
  const poll = (await catalogue.get(values.poll))?.poll;
  if (!poll?.method) throw new Error(`${values.poll} is not a ranked poll under ${values.prefix}`);
  const seats = Number(values.seats);
  const irv: Poll = { ...poll, method: 'irv' };
  const stv: Poll = { ...poll, method: 'stv', seats };
  const timed = (count: () => unknown) => {
    const start = performance.now();
    count();
    return performance.now() - start;
  };
  const results = {
    profileMs: [] as number[],
    irvMs: [] as number[],
    stvMs: [] as number[],
    workerMs: [] as number[],
    stallMs: [] as number[],
  };
  const counter = new ResultCounter();
  for (let i = 0; i < calls; i++) {
    results.irvMs.push(timed(() => pollResult(irv, states, 'finalized')));
    results.stvMs.push(timed(() => pollResult(stv, states, 'finalized')));
    const options = poll.options.map((o) => o.id);
    results.profileMs.push(timed(() => compiledRankings(poll.id, options, states, 'finalized')));
    // As GET /results counts: on the worker. A 1 ms ticker records the longest the event loop
    // was held meanwhile (the copy of the rankings, and whatever else the process did).
    let longest = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const start = performance.now();
    await counter.count(irv, states, 'finalized');
    results.workerMs.push(performance.now() - start);
    clearInterval(ticker);
    results.stallMs.push(Math.max(longest, performance.now() - last));
  }
  await counter.close();
  // Every ballot is counted: the fill waited for its commit markers.
  const counted = Number(pollResult(irv, states, 'finalized').ballots);
  if (counted !== ballots.finalized) throw new Error(`IRV counted ${counted} ballots`);
  run.distinctRankings = rankingProfile(poll.id, states, 'finalized').rankings.length;
  run.results = { ...results, stvSeats: seats };
}
console.log(JSON.stringify(run));
// The Projections's own connections and its last snapshot are not waited for: the process ends here.
client.disconnect();
rmSync(snapshotDir, { recursive: true, force: true });
process.exit(0);
