// npm run bench:fold-ranked — ranked ballots on the read path, against plurality ballots of the
// same voters in the same run. On a local cluster (3 masters + 3 replicas), two logs under two
// key prefixes: `pl` with a plurality poll and `rk` with an IRV poll, both over the same
// --options options, both filled over HTTP (POST /votes/batch) by a single-member node that
// commits them, with the same voters: voter i ranks `rankedBallots(…)[i]` in `rk` and votes for
// that ranking's first preference in `pl`. Then --rounds rounds of cold folds (bench/cold-fold.ts,
// a fresh process each, a node's projections from zero), plurality and ranked interleaved (the order
// alternating by round); each ranked fold is followed by counting the poll from its projection
// through pollResult, by IRV and by Scottish STV with --seats seats.
import { mkdtempSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BenchCluster,
  freePort,
  machine,
  median,
  runJsonChild,
  startCluster,
  startServer,
  stopServer,
  table,
} from './harness.ts';
import { benchOptions, rankedBallots } from './ranked-ballots.ts';
import { type ColdFoldRun, type RankedFoldResult, rankedTable } from './report-markdown.ts';

type FillRun = RankedFoldResult['fill']['ranked'];

const { values } = parseArgs({
  options: {
    ballots: { type: 'string', default: '1000000' },
    options: { type: 'string', default: '35' },
    seed: { type: 'string', default: '42' },
    // Pairs of cold folds (one plurality, one ranked each).
    rounds: { type: 'string', default: '3' },
    // pollResult calls of each count after each ranked fold.
    results: { type: 'string', default: '2' },
    seats: { type: 'string', default: '4' },
    // A CPU profile of each cold fold into this directory (node --cpu-prof): where the time goes.
    'cpu-prof': { type: 'string' },
    // Another checkout (its own node_modules) whose bench/cold-fold.ts folds the same ranked
    // log after each of ours: an interleaved A/B of a change to the fold, printed apart.
    baseline: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const totalBallots = Number(values.ballots);
const optionCount = Number(values.options);
const seed = Number(values.seed);
const rounds = Number(values.rounds);
const seats = Number(values.seats);
const ADMIN = 'bench-admin-token-0123456789';
const PER_REQUEST = 1000;
const loadBefore = loadavg();

const cluster = await startCluster(3, 1);
try {
  const fill = {
    plurality: await fillLog(cluster, 'pl', 'plurality'),
    ranked: await fillLog(cluster, 'rk', 'ranked'),
  };
  const folds: RankedFoldResult['folds'] = [];
  const baselineFolds: ColdFoldRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 === 0 ? (['plurality', 'ranked'] as const) : (['ranked', 'plurality'] as const);
    for (const kind of order) {
      process.stderr.write(`cold fold ${round + 1}/${rounds}: ${kind}\n`);
      const args = ['--seeds', cluster.seeds, '--prefix', kind === 'ranked' ? 'rk' : 'pl'];
      if (kind === 'ranked') args.push('--results', values.results, '--seats', String(seats));
      const profile = values['cpu-prof'];
      const child = await runJsonChild<ColdFoldRun>([
        ...(profile ? ['--cpu-prof', '--cpu-prof-dir', `${profile}/${kind}`] : []),
        '--expose-gc',
        '--import',
        'tsx',
        'bench/cold-fold.ts',
        ...args,
      ]);
      if (child.exitCode !== 0) throw new Error(`bench/cold-fold.ts exited with ${child.exitCode}`);
      folds.push({ kind, run: child.json });
      if (kind === 'ranked' && values.baseline) {
        process.stderr.write(`cold fold ${round + 1}/${rounds}: ranked, baseline\n`);
        const base = await runJsonChild<ColdFoldRun>(
          ['--expose-gc', '--import', 'tsx', 'bench/cold-fold.ts', ...args],
          values.baseline,
        );
        if (base.exitCode !== 0) throw new Error(`baseline cold-fold exited with ${base.exitCode}`);
        baselineFolds.push(base.json);
      }
    }
  }
  const result: RankedFoldResult = {
    ballots: totalBallots,
    options: optionCount,
    seed,
    rounds,
    seats,
    ...ballotStats(),
    fill,
    folds,
    loadBefore,
    loadAfter: loadavg(),
  };
  console.log(
    `\n${machine()}; ${result.distinctRankings.toLocaleString('en')} distinct rankings; ` +
      `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, after ` +
      `${result.loadAfter.map((x) => x.toFixed(2)).join(' / ')}\n`,
  );
  console.log(rankedTable(result));
  if (values.baseline) console.log(baselineTable(folds, baselineFolds));
  if (values.json) console.log(JSON.stringify(result));
} finally {
  await cluster.stop();
}

/** The ranked cold folds of this tree against the baseline checkout's, round by round. */
function baselineTable(folds: RankedFoldResult['folds'], baseline: ColdFoldRun[]): string {
  const ours = folds.filter((f) => f.kind === 'ranked').map((f) => f.run);
  const row = (name: string, runs: ColdFoldRun[]) => [
    name,
    runs.map((r) => r.entriesPerSecond.toLocaleString('en')).join(', '),
    median(runs.map((r) => r.entriesPerSecond)).toLocaleString('en'),
    `${median(runs.map((r) => r.heapBytesPerBallot))} B`,
  ];
  return table(
    ['ranked cold fold', 'entries/s, each round', 'median entries/s', 'heap per ballot, median'],
    [row('this checkout', ours), row(`baseline (${values.baseline})`, baseline)],
  );
}

/** What the generated poll is like: distinct rankings, and ranks per ballot on average. */
function ballotStats(): { distinctRankings: number; meanRanks: number } {
  const distinct = new Set<string>();
  let ranks = 0;
  for (const ranking of rankedBallots(totalBallots, optionCount, seed)) {
    distinct.add(ranking.join(','));
    ranks += ranking.length;
  }
  return { distinctRankings: distinct.size, meanRanks: ranks / totalBallots };
}

/**
 * Starts a single-member node on `prefix`, creates the poll `bench` (IRV for `ranked`), casts
 * every ballot in batches, waits until all are committed, and stops the node.
 */
async function fillLog(
  c: BenchCluster,
  prefix: string,
  kind: 'plurality' | 'ranked',
): Promise<FillRun> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = await startServer(['bin/votestream.js', 'node'], port, {
    VS_REDIS_CLUSTER: c.seeds,
    VS_PREFIX: prefix,
    VS_HTTP_PORT: String(port),
    VS_NODE_ID: `fill-${prefix}`,
    VS_ADMIN_TOKEN: ADMIN,
    VS_LOG_LEVEL: 'warn',
    VS_SNAPSHOT_DIR: mkdtempSync(join(c.dir, `snap-${prefix}-`)),
  });
  try {
    const created = await fetch(`${url}/polls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({
        id: 'bench',
        title: 'Bench',
        options: benchOptions(optionCount),
        ...(kind === 'ranked' ? { method: 'irv' } : {}),
      }),
    });
    if (!created.ok) throw new Error(`poll create: ${created.status} ${await created.text()}`);
    process.stderr.write(`filling ${prefix} with ${totalBallots} ${kind} ballots\n`);
    const ballots = rankedBallots(totalBallots, optionCount, seed);
    let voter = 0;
    const started = performance.now();
    const next = () => {
      const votes = [];
      for (let i = 0; i < PER_REQUEST; i++) {
        const ranking = ballots.next();
        if (ranking.done) break;
        votes.push({
          pollId: 'bench',
          voterId: `voter-${voter++}`,
          choices: kind === 'ranked' ? ranking.value : [ranking.value[0]!],
        });
      }
      return votes;
    };
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let votes = next(); votes.length; votes = next()) {
          const res = await fetch(`${url}/votes/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ votes }),
          });
          if (!res.ok) throw new Error(`batch: ${res.status} ${await res.text()}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // Results count finalized ballots: wait for the markers that cover them all.
    for (;;) {
      const res = await fetch(`${url}/polls/bench/tally`);
      const tally = (await res.json()) as { ballots: { finalized: number } };
      if (tally.ballots.finalized >= totalBallots) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return { entries: totalBallots, seconds, votesPerSecond: Math.round(totalBallots / seconds) };
  } finally {
    await stopServer(node);
  }
}
