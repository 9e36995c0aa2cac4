// npm run bench [-- --quick] — the whole benchmark in one run: appends with their baselines
// (bench/append.ts), redis-benchmark's XADD, time to finalized at 5,000 votes/s with three
// member nodes (votestream load + rebuild), the read path (bench/fold.ts), ranked ballots against
// plurality ones (bench/fold-ranked.ts, bench/fold-entries.ts), votestream beside PostgreSQL,
// NATS JetStream and a Redis counter (bench/peers.ts); then rewrites the generated
// section of docs/performance.md. Prints the section; asserts no speed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFinality } from './finality.ts';
import { machineInfo, runJsonChild, startCluster } from './harness.ts';
import type { PeersResult } from './peers-table.ts';
import { redisBenchmarkXadd } from './redis-benchmark.ts';
import {
  type AppendResult,
  type EntryFoldResult,
  type FoldResult,
  type RankedFoldResult,
  renderReport,
  replaceSection,
  TARGETS,
} from './report-markdown.ts';

const { values } = parseArgs({
  options: {
    // A smoke run of a minute or so: same scenarios, seconds instead of tens of seconds.
    quick: { type: 'boolean', default: false },
    // Where to write; --quick defaults to a copy in the temp folder, so a smoke run never
    // replaces the committed figures.
    out: { type: 'string' },
  },
});
const quick = values.quick;
const DOC = 'docs/performance.md';
const out = values.out ?? (quick ? join(tmpdir(), 'votestream-performance-quick.md') : DOC);
const sizes = quick
  ? { appendSeconds: 2, rounds: 1, requests: 20_000, loadSeconds: 4, votes: 30_000, foldSeconds: 3 }
  : {
      appendSeconds: 8,
      rounds: 3,
      requests: 200_000,
      loadSeconds: 20,
      votes: 1_000_000,
      foldSeconds: 10,
    };

const startedAt = new Date();
const loadBefore = loadavg();
const step = (what: string) => process.stderr.write(`\n== ${what}\n`);

step('appends and their baselines (bench/append.ts)');
const appendArgs = ['--seconds', String(sizes.appendSeconds), '--rounds', String(sizes.rounds)];
const append = await runJsonChild<AppendResult>([
  '--import',
  'tsx',
  'bench/append.ts',
  ...appendArgs,
  '--json',
]);
if (append.exitCode !== 0) throw new Error(`bench/append.ts exited with ${append.exitCode}`);

// One cluster for redis-benchmark and the three-node runs: its own, on free ports.
const cluster = await startCluster(3, 1);
let finality: Awaited<ReturnType<typeof measureFinality>>;
const redisBenchmark = [];
try {
  step('redis-benchmark XADD (C baseline)');
  for (const pipeline of [1, 16])
    redisBenchmark.push(
      await redisBenchmarkXadd(cluster.seeds, { requests: sizes.requests, clients: 50, pipeline }),
    );
  step(`time to finalized at ${TARGETS.rate} votes/s, 3 member nodes (votestream load, rebuild)`);
  finality = await measureFinality(cluster, {
    rate: TARGETS.rate,
    seconds: sizes.loadSeconds,
    batches: [1, 10],
    warmupSeconds: quick ? 2 : 5,
  });
} finally {
  await cluster.stop();
}

step('read path (bench/fold.ts)');
const foldArgs = ['--votes', String(sizes.votes), '--seconds', String(sizes.foldSeconds)];
foldArgs.push('--warmup', quick ? '1' : '3');
foldArgs.push('--rate', String(TARGETS.rate));
// Batches of 10 carry 5,000 votes/s in 500 requests/s, which this machine delivers with three
// nodes; single votes (a second run, no fill, its cold fold not reported) show what it does not.
const runFold = async (args: string[]) => {
  const run = await runJsonChild<FoldResult>([
    '--expose-gc',
    '--import',
    'tsx',
    'bench/fold.ts',
    ...args,
    '--json',
  ]);
  if (run.exitCode !== 0) throw new Error(`bench/fold.ts exited with ${run.exitCode}`);
  return { command: `npm run bench:fold -- ${args.join(' ')}`, result: run.json };
};
const fold = await runFold([...foldArgs, '--batch', '10']);
step('read path, single votes (bench/fold.ts --batch 1, steady phase only)');
const singleArgs = ['--votes', '0', '--seconds', String(sizes.foldSeconds)];
singleArgs.push('--warmup', quick ? '1' : '3', '--rate', String(TARGETS.rate), '--batch', '1');
const foldSingle = await runFold(singleArgs);

step('ranked ballots against plurality: cold folds and results (bench/fold-ranked.ts)');
const rankedArgs = quick
  ? ['--ballots', '30000', '--rounds', '1', '--results', '2']
  : ['--ballots', '1000000', '--rounds', '3', '--results', '2'];
const rankedRun = await runJsonChild<RankedFoldResult>([
  '--import',
  'tsx',
  'bench/fold-ranked.ts',
  ...rankedArgs,
  '--json',
]);
if (rankedRun.exitCode !== 0)
  throw new Error(`bench/fold-ranked.ts exited with ${rankedRun.exitCode}`);
step('ranked ballots against plurality: the fold alone (bench/fold-entries.ts)');
const entryArgs = quick
  ? ['--ballots', '30000', '--rounds', '1']
  : ['--ballots', '1000000', '--rounds', '3'];
const entryRun = await runJsonChild<EntryFoldResult>([
  '--expose-gc',
  '--import',
  'tsx',
  'bench/fold-entries.ts',
  ...entryArgs,
  '--json',
]);
if (entryRun.exitCode !== 0)
  throw new Error(`bench/fold-entries.ts exited with ${entryRun.exitCode}`);

step('votestream beside PostgreSQL, NATS JetStream and a Redis counter (bench/peers.ts)');
const peerArgs = ['--seconds', String(sizes.appendSeconds), '--rounds', String(sizes.rounds)];
const peersRun = await runJsonChild<PeersResult>([
  '--import',
  'tsx',
  'bench/peers.ts',
  ...peerArgs,
  '--json',
]);
if (peersRun.exitCode !== 0) throw new Error(`bench/peers.ts exited with ${peersRun.exitCode}`);

const section = renderReport({
  machine: machineInfo(),
  startedAt: startedAt.toISOString(),
  minutes: (Date.now() - startedAt.getTime()) / 60_000,
  command: `npm run bench${quick ? ' -- --quick' : ''}`,
  loadBefore,
  loadAfter: loadavg(),
  append: { command: `npm run bench:append -- ${appendArgs.join(' ')}`, result: append.json },
  redisBenchmark,
  finality: {
    rate: TARGETS.rate,
    seconds: sizes.loadSeconds,
    warmupSeconds: quick ? 2 : 5,
    ...finality,
  },
  fold,
  foldSingle,
  ranked: {
    command: `npm run bench:fold-ranked -- ${rankedArgs.join(' ')}`,
    result: rankedRun.json,
    entries: {
      command: `npm run bench:fold-entries -- ${entryArgs.join(' ')}`,
      result: entryRun.json,
    },
  },
  peers: { command: `npm run bench:peers -- ${peerArgs.join(' ')}`, result: peersRun.json },
});
const doc = readFileSync(existsSync(out) ? out : DOC, 'utf8');
writeFileSync(out, replaceSection(doc, section));
console.log(`\n${section}\n\nwritten to ${out}`);
