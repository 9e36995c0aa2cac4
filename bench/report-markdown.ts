// The generated part of docs/performance.md: from one `npm run bench` run's figures to
// Markdown tables, with every ratio taken against baselines of the same run. Pure: no I/O.
import type { FinalityRun, RebuildRun } from './finality.ts';
import { type MachineInfo, median, table } from './harness.ts';
import { type PeersResult, peerRatio, peersTable } from './peers-table.ts';
import type { RedisBenchmarkResult } from './redis-benchmark.ts';

export const BEGIN = '<!-- bench:begin -->';
export const END = '<!-- bench:end -->';

export interface AppendScenario {
  label: string;
  votesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  bad: number;
  cpuUsPerVote: Partial<Record<'server' | 'redis' | 'loadgen' | 'other', number>>;
}

/** bench/append.ts --json. */
/** bench/append.ts's scenarios; `single-ids`, `batch-ids`: client-chosen voteIds. */
export type AppendScenarioId =
  | 'empty'
  | 'checked'
  | 'raw'
  | 'single'
  | 'single-ids'
  | 'batch'
  | 'batch-ids';

export interface AppendResult {
  seconds: number;
  rounds: number;
  connections: number;
  batch: number;
  durability: string;
  scenarios: Partial<Record<AppendScenarioId, AppendScenario>>;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

/** bench/fold.ts --json. */
export interface FoldResult {
  steady: {
    offeredVotesPerSecond: number;
    batch: number;
    seconds: number;
    warmupSeconds: number;
    non2xx: number;
    deliveredVotesPerSecond: number;
    pendingMs: Latency;
    finalizedMs: Latency;
  };
  coldFold: {
    entries: number;
    seconds: number;
    entriesPerSecond: number;
    heapBytesPerVote: number;
  };
  rawRead: { entries: number; seconds: number; entriesPerSecond: number };
}

/** One cold fold of bench/cold-fold.ts (a fresh process): what it measured. */
export interface ColdFoldRun {
  prefix: string;
  /** Chained entries folded (votes and barriers; commit markers are folded but not counted). */
  entries: number;
  ballots: number;
  seconds: number;
  entriesPerSecond: number;
  /** CPU time (user + system) of the folding process over the fold, in s; absent in runs
   * before 2026-11-30. */
  cpuSeconds?: number;
  /** entries / cpuSeconds: the fold's own cost, whatever else ran on the machine. */
  entriesPerCpuSecond?: number;
  /** heapUsed + arrayBuffers after GC, after the fold less before it, per ballot. */
  heapBytesPerBallot: number;
  distinctRankings?: number;
  /** ms of each call, the first one first (the first in a process runs colder code). */
  results?: {
    profileMs: number[];
    irvMs: number[];
    stvMs: number[];
    /** IRV on the count worker, as GET /polls/:pollId/results counts; and the longest the
     * event loop was held meanwhile. */
    workerMs: number[];
    stallMs: number[];
    stvSeats: number;
  };
}

/** bench/fold-ranked.ts --json. */
export interface RankedFoldResult {
  ballots: number;
  options: number;
  seed: number;
  rounds: number;
  seats: number;
  distinctRankings: number;
  /** Mean ranks per ranked ballot. */
  meanRanks: number;
  fill: Record<
    'plurality' | 'ranked',
    { entries: number; seconds: number; votesPerSecond: number }
  >;
  /** Every cold fold, in the order run. */
  folds: { kind: 'plurality' | 'ranked'; run: ColdFoldRun }[];
  loadBefore: number[];
  loadAfter: number[];
}

/** bench/fold-entries.ts --json: the fold alone, over generated entries in memory. */
export interface EntryFoldResult {
  ballots: number;
  markerEvery: number;
  rounds: number;
  runs: {
    kind: 'plurality' | 'ranked';
    entries: number;
    seconds: number;
    entriesPerSecond: number;
    heapBytesPerBallot: number;
  }[];
  loadBefore: number[];
  loadAfter: number[];
}

export interface BenchReport {
  machine: MachineInfo;
  /** ISO time the run started. */
  startedAt: string;
  minutes: number;
  command: string;
  loadBefore: number[];
  loadAfter: number[];
  append: { command: string; result: AppendResult };
  redisBenchmark: RedisBenchmarkResult[];
  finality: {
    rate: number;
    seconds: number;
    warmupSeconds: number;
    runs: FinalityRun[];
    rebuild: RebuildRun;
  };
  /** The steady phase once more with single-vote requests (its cold fold is not reported). */
  foldSingle?: { command: string; result: FoldResult };
  fold: { command: string; result: FoldResult };
  /** Ranked ballots against plurality ones (absent in reports from before they existed). */
  ranked?: {
    command: string;
    result: RankedFoldResult;
    /** The fold alone over the same ballots, in memory (bench/fold-entries.ts). */
    entries?: { command: string; result: EntryFoldResult };
  };
  /** votestream beside the systems a team would deploy instead (absent before issue 19). */
  peers?: { command: string; result: PeersResult };
}

/** The issues' targets; the report says for each whether this run met it. */
export const TARGETS = {
  singleShareOfEmpty: 0.5,
  batchVotesPerSecond: 50_000,
  coldFoldEntriesPerSecond: 200_000,
  finalizedP99Ms: 100,
  pendingP99Ms: 50,
  rate: 5000,
  /** A latency target at 5,000 votes/s only counts if about that many were delivered. */
  deliveredShare: 0.95,
  /** A ranked ballot's cold fold may take at most this much longer per entry than plurality's. */
  rankedFoldSlowdown: 0.2,
  /** pollResult (profile assembly and count) of 1 M ranked ballots, IRV and STV. */
  resultsMs: 1000,
  /** votestream 3 nodes over PostgreSQL with a synchronous standby and over NATS R3. */
  overDurablePeers: 1.5,
  /** votestream 3 nodes over the counter-only Redis peer (no log, no fold, no quorum). */
  overCounter: 0.7,
};

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
const pct = (n: number, of: number | undefined) =>
  of && of > 0 ? `${((n / of) * 100).toFixed(0)} %` : '–';
const yes = (met: boolean) => (met ? '**yes**' : '**no**');
const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

/** Replaces what lies between the markers (or appends the section when they are missing). */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const block = `${BEGIN}\n${section.trim()}\n${END}`;
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, begin) + block + doc.slice(end + END.length);
}

/** The generated section's Markdown. */
export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const busy = r.loadBefore[0]! > m.cores || r.loadAfter[0]! > m.cores;
  return [
    '<!-- Generated by `npm run bench` (bench/report.ts). Edit the code, not this section. -->',
    '',
    `## Latest run: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Redis ${m.redis}.`,
    `- Command: \`${r.command}\` (${r.minutes.toFixed(1)} min).`,
    `- Load average (1 / 5 / 15 min) before: ${loads(r.loadBefore)}; after: ${loads(r.loadAfter)} — on ${m.cores} cores.` +
      (busy
        ? ' **The machine was busy with other work during this run** (a load average above the core count): absolute figures are low and noisy; the ratios to baselines of the same run hold up better.'
        : ''),
    '',
    ...appendSection(r),
    '',
    ...finalitySection(r),
    '',
    ...foldSection(r),
    '',
    ...(r.ranked ? [...rankedSection(r.ranked), ''] : []),
    ...(r.peers ? [...peersSection(r.peers), ''] : []),
    ...targetsSection(r),
  ].join('\n');
}

function appendSection(r: BenchReport): string[] {
  const a = r.append.result;
  const s = a.scenarios;
  const empty = s.empty?.votesPerSecond;
  const raw = s.raw?.votesPerSecond;
  const rb1 = r.redisBenchmark.find((b) => b.pipeline === 1)?.requestsPerSecond;
  const cpu = (c: AppendScenario['cpuUsPerVote']) =>
    (['server', 'redis', 'loadgen', 'other'] as const)
      .map((g) => (c[g] === undefined ? '–' : c[g].toFixed(1)))
      .join(' · ');
  const rows = (['empty', 'checked', 'raw', 'single', 'single-ids', 'batch', 'batch-ids'] as const)
    .map((id) => s[id])
    .filter((x): x is AppendScenario => x !== undefined)
    .map((x) => [
      x.label,
      int(x.votesPerSecond),
      ms(x.p50Ms),
      ms(x.p99Ms),
      pct(x.votesPerSecond, empty),
      pct(x.votesPerSecond, raw),
      pct(x.votesPerSecond, rb1),
      x.bad,
      cpu(x.cpuUsPerVote),
    ]);
  for (const b of r.redisBenchmark)
    rows.push([
      `redis-benchmark XADD, 1 stream, pipeline ${b.pipeline}`,
      int(b.requestsPerSecond),
      ms(b.p50Ms),
      ms(b.p99Ms),
      pct(b.requestsPerSecond, empty),
      pct(b.requestsPerSecond, raw),
      pct(b.requestsPerSecond, rb1),
      0,
      '–',
    ]);
  return [
    '### Appends',
    '',
    `\`${r.append.command}\`: one node (single member), durability ${a.durability}; ` +
      `median of ${a.rounds} round(s) of ${a.seconds} s; ${a.connections} connections for the ` +
      `baselines and single votes, 4 connections × ${a.batch} votes for batches. The empty route and ` +
      'the vote route without the log run on the node’s own HTTP server (`bench/baseline-server.ts`): ' +
      'the second does what POST /votes does but the append (schema, poll rules, voteId, encoded ' +
      'and validated VoteCast, fingerprint, receipt), so the rows below it show what the log adds. ' +
      'The redis-benchmark rows: ' +
      `\`${r.redisBenchmark[0]?.command ?? 'redis-benchmark'}\` (and -P 16) against the master that ` +
      'holds the stream, in a cluster of the same layout; C, one stream, no Lua, no hash chain, no WAIT.',
    '',
    table(
      [
        'scenario',
        'votes/s',
        'p50 ms',
        'p99 ms',
        'vs empty route',
        'vs raw XADD',
        'vs redis-benchmark -P 1',
        'non-2xx/errors',
        'CPU µs/vote: server · redis · loadgen · other',
      ],
      rows,
    ),
  ];
}

function finalitySection(r: BenchReport): string[] {
  const f = r.finality;
  const rows = f.runs.map((run) => {
    const s = run.summary;
    const l = s.latencyMs;
    const fin = s.finalizedMs;
    return [
      run.batch === 1 ? 'POST /votes (1 vote)' : `POST /votes/batch (${run.batch} votes)`,
      int(f.rate),
      `${int(s.throughput)} (${pct(s.throughput, f.rate)})`,
      `${int(s.acknowledged)} / ${int(s.sent)}`,
      `${l.p50} / ${l.p99}`,
      `${fin.p50} / ${fin.p90} / ${fin.p99} / ${fin.p999} / ${fin.max}`,
      `${int(fin.count)} / ${int(fin.unseen)}`,
      s.verified
        ? `lost ${s.lost}, duplicated ${s.duplicated}, mismatched ${s.mismatched}`
        : 'not verified',
    ];
  });
  const rb = f.rebuild;
  return [
    `### Time to finalized at ${int(f.rate)} votes/s, 3 member nodes`,
    '',
    `A Redis Cluster (3 masters + 3 replicas) and 3 member nodes; \`${f.runs[0]?.command ?? ''}\` ` +
      `(${f.seconds} s per run, each request size in turn, requests round robin over the nodes, ` +
      `after a ${f.warmupSeconds} s warm-up load that is not counted). ` +
      'Latencies are from when each vote was due on the schedule (open model); *finalized* is ' +
      'until the first node showed its shard committed past it (polled every 10 ms). ' +
      '*Delivered* is acknowledged votes per second over the run and its drain.',
    '',
    table(
      [
        'requests',
        'offered votes/s',
        'delivered votes/s',
        'acknowledged / sent',
        'append p50 / p99 ms',
        'finalized p50 / p90 / p99 / p99.9 / max ms',
        'seen finalized / not seen',
        '--verify',
      ],
      rows,
    ),
    '',
    `Then \`${rb.command}\` over the log these runs left: ${int(rb.entries)} entries in ` +
      `${rb.seconds.toFixed(2)} s = **${int(rb.entriesPerSecond)} entries/s**; ` +
      (rb.mismatches === 0 && rb.exitCode === 0
        ? 'every shard digest equals the node’s.'
        : `${rb.mismatches} shard(s) differ from the node (exit ${rb.exitCode}).`),
  ];
}

const requestSize = (batch: number) => (batch === 1 ? 'single votes' : `batches of ${batch}`);

/** The steady-phase rows of a bench/fold.ts run. */
function steadyRows(steady: FoldResult['steady']): string[][] {
  const lat = (l: Latency) => `${l.p50} / ${l.p99} / ${l.max} ms (${int(l.count)} votes)`;
  const how = requestSize(steady.batch);
  return [
    [
      `steady load (${how}): offered / delivered votes/s (non-2xx)`,
      `${int(steady.offeredVotesPerSecond)} / ${int(steady.deliveredVotesPerSecond)} (${steady.non2xx})`,
      `${pct(steady.deliveredVotesPerSecond, steady.offeredVotesPerSecond)} of offered`,
    ],
    [`append → pending (${how}), p50 / p99 / max`, lat(steady.pendingMs), '–'],
    [`append → finalized, observer (${how}), p50 / p99 / max`, lat(steady.finalizedMs), '–'],
  ];
}

function foldSection(r: BenchReport): string[] {
  const { steady, coldFold, rawRead } = r.fold.result;
  return [
    '### Read path',
    '',
    `\`${r.fold.command}\`: 3 member nodes; an in-process observer folds every shard and ` +
      'timestamps each vote from its XADD (entry id) to folding it (*pending*) and to folding ' +
      `the commit marker that covers it (*finalized*), after a ${steady.warmupSeconds} s warm-up ` +
      'at the same rate that is not counted. Then the log is filled up, the member nodes are ' +
      'stopped, and a fresh folder folds the log from a cold start; the baseline reads the same ' +
      'log in XRANGE pages and drops them.' +
      (r.foldSingle
        ? ` The steady phase ran once more with single votes: \`${r.foldSingle.command}\`.`
        : ''),
    '',
    table(
      ['measure', 'value', 'vs baseline'],
      [
        ...steadyRows(steady),
        ...(r.foldSingle ? steadyRows(r.foldSingle.result.steady) : []),
        [
          'cold fold (rebuild in a node’s projections)',
          `${int(coldFold.entries)} entries in ${coldFold.seconds.toFixed(2)} s = **${int(coldFold.entriesPerSecond)} entries/s**`,
          `${pct(coldFold.entriesPerSecond, rawRead.entriesPerSecond)} of raw read`,
        ],
        [
          '`votestream rebuild` (log of the 3-node runs above)',
          `${int(r.finality.rebuild.entriesPerSecond)} entries/s`,
          `${pct(r.finality.rebuild.entriesPerSecond, rawRead.entriesPerSecond)} of raw read`,
        ],
        [
          'baseline: XRANGE read of the same log, no decoding, no fold',
          `${int(rawRead.entriesPerSecond)} entries/s`,
          '100 %',
        ],
        [
          'heap per counted vote (heapUsed + arrayBuffers, after GC)',
          `${int(coldFold.heapBytesPerVote)} B`,
          '–',
        ],
      ],
    ),
  ];
}

function targetsSection(r: BenchReport): string[] {
  const s = r.append.result.scenarios;
  const fold = r.fold.result;
  const share = (s.single?.votesPerSecond ?? 0) / Math.max(1, s.empty?.votesPerSecond ?? 0);
  const batch = s.batch?.votesPerSecond ?? 0;
  const delivered = (votesPerSecond: number) =>
    votesPerSecond >= TARGETS.rate * TARGETS.deliveredShare;
  /** A latency target counts only at the rate it names. */
  const metAtRate = (ok: boolean, met: boolean) =>
    yes(ok && met) + (ok ? '' : ` (${int(TARGETS.rate)}/s not delivered)`);
  const rows: (string | number)[][] = [
    [
      'single vote ≥ 50 % of the empty route’s throughput',
      `${pct(s.single?.votesPerSecond ?? 0, s.empty?.votesPerSecond)} (${int(s.single?.votesPerSecond ?? 0)} of ${int(s.empty?.votesPerSecond ?? 0)}/s)`,
      yes(share >= TARGETS.singleShareOfEmpty),
    ],
    ['batch ≥ 50,000 votes/s', `${int(batch)} votes/s`, yes(batch >= TARGETS.batchVotesPerSecond)],
    [
      'cold fold ≥ 200,000 entries/s',
      `${int(fold.coldFold.entriesPerSecond)} entries/s (rebuild CLI: ${int(r.finality.rebuild.entriesPerSecond)})`,
      yes(fold.coldFold.entriesPerSecond >= TARGETS.coldFoldEntriesPerSecond),
    ],
  ];
  for (const run of r.finality.runs) {
    const f = run.summary.finalizedMs;
    const ok = delivered(run.summary.throughput) && f.unseen === 0;
    rows.push([
      `append → finalized p99 ≤ 100 ms at 5,000 votes/s, 3 nodes (${requestSize(run.batch)}; user's view: votestream load, from the scheduled send through HTTP to a node's tally)`,
      `p99 ${f.p99} ms at ${int(run.summary.throughput)} votes/s delivered${f.unseen ? `, ${int(f.unseen)} not seen finalized` : ''}`,
      metAtRate(ok, f.p99 <= TARGETS.finalizedP99Ms),
    ]);
  }
  for (const st of [fold.steady, r.foldSingle?.result.steady]) {
    if (!st) continue;
    const stDelivered = delivered(st.deliveredVotesPerSecond);
    rows.push([
      `append → finalized p99 ≤ 100 ms at 5,000 votes/s, 3 nodes (${requestSize(st.batch)}; node's view: bench/fold.ts, from the XADD to folding the marker)`,
      `p99 ${st.finalizedMs.p99} ms at ${int(st.deliveredVotesPerSecond)} votes/s delivered`,
      metAtRate(stDelivered, st.finalizedMs.p99 <= TARGETS.finalizedP99Ms),
    ]);
    rows.push([
      `append → pending p99 ≤ 50 ms at 5,000 votes/s (bench/fold.ts, ${requestSize(st.batch)})`,
      `p99 ${st.pendingMs.p99} ms at ${int(st.deliveredVotesPerSecond)} votes/s delivered`,
      metAtRate(stDelivered, st.pendingMs.p99 <= TARGETS.pendingP99Ms),
    ]);
  }
  if (r.ranked) rows.push(...rankedTargetRows(r.ranked));
  if (r.peers) rows.push(...peerTargetRows(r.peers.result));
  return ['### Targets', '', table(['target', 'measured', 'met'], rows)];
}

/** The peers group of the report: how it ran, then bench/peers.ts's table. */
export function peersSection(peers: NonNullable<BenchReport['peers']>): string[] {
  const p = peers.result;
  return [
    '### Peers: what a team would deploy instead',
    '',
    `\`${peers.command}\`: each system started alone for its run (only its own servers running) ` +
      `and stopped after it, the order rotated every round; median of ${p.rounds} round(s) of ` +
      `${p.seconds} s after ${p.warmupSeconds} s of unmeasured warm-up; the same load generator ` +
      `(autocannon, ${p.connections} connections, single votes, each voter new) against the same ` +
      'HTTP front (`bench/peers/front.ts`: the node’s server, body schema, checks and answers); ' +
      `PostgreSQL pool ${p.pgPool}. What each peer guarantees is under *What each figure is*. ` +
      `Load average before: ${loads(p.loadBefore)}; after: ${loads(p.loadAfter)}.`,
    '',
    table(...peersTable(p)),
  ];
}

/** The issue's peer targets; a peer that did not run is reported, never counted as met. */
export function peerTargetRows(p: PeersResult): (string | number)[][] {
  const row = (
    name: string,
    of: 'postgres-standby' | 'nats-r3' | 'redis-counter',
    target: number,
  ) => {
    const ratio = peerRatio(p, 'votestream-3', of);
    const peer = p.systems[of];
    const why = peer?.skipped ?? peer?.failed ?? 'not run';
    return [
      `votestream 3 nodes ≥ ${target}× ${name} (single votes, same run)`,
      ratio === undefined
        ? `not measured: ${why}`
        : `${ratio.toFixed(2)}× (${int(p.systems['votestream-3']?.votesPerSecond ?? 0)} against ${int(peer?.votesPerSecond ?? 0)} votes/s)`,
      ratio === undefined ? '–' : yes(ratio >= target),
    ];
  };
  return [
    row('PostgreSQL with a synchronous standby', 'postgres-standby', TARGETS.overDurablePeers),
    row('NATS JetStream KV, 3 servers, replicas 3', 'nats-r3', TARGETS.overDurablePeers),
    row('the counter-only Redis peer', 'redis-counter', TARGETS.overCounter),
  ];
}

/** The medians of a bench/fold-ranked.ts run: folds by kind, counts by first call and later. */
export function rankedMedians(r: RankedFoldResult) {
  const runs = (kind: 'plurality' | 'ranked') =>
    r.folds.filter((f) => f.kind === kind).map((f) => f.run);
  const fold = (kind: 'plurality' | 'ranked') => ({
    entriesPerSecond: median(runs(kind).map((run) => run.entriesPerSecond)),
    entriesPerCpuSecond: median(runs(kind).map((run) => run.entriesPerCpuSecond ?? Number.NaN)),
    heapBytesPerBallot: median(runs(kind).map((run) => run.heapBytesPerBallot)),
  });
  const results = runs('ranked').flatMap((run) => (run.results ? [run.results] : []));
  // A process's first call runs colder code than the calls after it: both are reported.
  const calls = (ms: number[][]) => {
    const later = ms.flatMap((m) => m.slice(1));
    return {
      first: median(ms.flatMap((m) => m.slice(0, 1))),
      later: later.length ? median(later) : Number.NaN,
    };
  };
  const plurality = fold('plurality');
  const ranked = fold('ranked');
  return {
    plurality,
    ranked,
    /** Time per entry, ranked over plurality, less one: 0.2 = ranked 20 % slower per entry. */
    slowdown: plurality.entriesPerSecond / ranked.entriesPerSecond - 1,
    /** The same in the folding process's CPU time per entry (NaN for runs without it). */
    cpuSlowdown: plurality.entriesPerCpuSecond / ranked.entriesPerCpuSecond - 1,
    profileMs: calls(results.map((x) => x.profileMs)),
    irvMs: calls(results.map((x) => x.irvMs)),
    stvMs: calls(results.map((x) => x.stvMs)),
    workerMs: calls(results.map((x) => x.workerMs)),
    stallMs: calls(results.map((x) => x.stallMs)),
  };
}

/** The table bench/fold-ranked.ts prints and the report shows. */
export function rankedTable(r: RankedFoldResult): string {
  const m = rankedMedians(r);
  const each = (kind: 'plurality' | 'ranked') =>
    r.folds
      .filter((f) => f.kind === kind)
      .map((f) => int(f.run.entriesPerSecond))
      .join(', ');
  const perEntry = (entriesPerSecond: number) => `${(1e6 / entriesPerSecond).toFixed(2)} µs`;
  const perCpu = (entriesPerCpuSecond: number) =>
    Number.isNaN(entriesPerCpuSecond) ? '–' : perEntry(entriesPerCpuSecond);
  const cpuEach = (kind: 'plurality' | 'ranked') =>
    r.folds
      .filter((f) => f.kind === kind)
      .map((f) => perCpu(f.run.entriesPerCpuSecond ?? Number.NaN))
      .join(', ');
  // With --results 1 there are no later calls to report.
  const count = (c: { first: number; later: number }) =>
    Number.isNaN(c.later)
      ? `${ms(c.first)} ms (one call)`
      : `${ms(c.first)} ms first call, ${ms(c.later)} ms later calls`;
  return table(
    ['measure', 'plurality', 'ranked', 'ranked vs plurality'],
    [
      [
        'fill over HTTP (POST /votes/batch, 1000 votes a request), votes/s',
        int(r.fill.plurality.votesPerSecond),
        int(r.fill.ranked.votesPerSecond),
        pct(r.fill.ranked.votesPerSecond, r.fill.plurality.votesPerSecond),
      ],
      [`cold fold, each run (entries/s, in the order run)`, each('plurality'), each('ranked'), '–'],
      [
        'cold fold, median',
        `**${int(m.plurality.entriesPerSecond)} entries/s** (${perEntry(m.plurality.entriesPerSecond)} each)`,
        `**${int(m.ranked.entriesPerSecond)} entries/s** (${perEntry(m.ranked.entriesPerSecond)} each)`,
        `${pct(m.ranked.entriesPerSecond, m.plurality.entriesPerSecond)} of the throughput; ${signed(m.slowdown)} time per entry`,
      ],
      [
        'cold fold, CPU time of the folding process per entry (user + system), each run',
        cpuEach('plurality'),
        cpuEach('ranked'),
        '–',
      ],
      [
        'cold fold, CPU time per entry, median',
        `**${perCpu(m.plurality.entriesPerCpuSecond)}**`,
        `**${perCpu(m.ranked.entriesPerCpuSecond)}**`,
        Number.isNaN(m.cpuSlowdown) ? '–' : `${signed(m.cpuSlowdown)} CPU time per entry`,
      ],
      [
        'heap per ballot after the fold (heapUsed + arrayBuffers, after GC), median',
        `${int(m.plurality.heapBytesPerBallot)} B`,
        `${int(m.ranked.heapBytesPerBallot)} B`,
        pct(m.ranked.heapBytesPerBallot, m.plurality.heapBytesPerBallot),
      ],
      [
        `the profile alone (compiledRankings: ${int(r.distinctRankings)} distinct rankings from 16 shards), median`,
        '–',
        count(m.profileMs),
        '–',
      ],
      ['pollResult by IRV (profile + count), median', '–', count(m.irvMs), '–'],
      [
        'GET /results by IRV: on the count worker (copy, transfer, profile, count), median',
        '–',
        count(m.workerMs),
        '–',
      ],
      [
        '… meanwhile, the longest the event loop was held (1 ms ticker), median',
        '–',
        count(m.stallMs),
        '–',
      ],
      [
        `pollResult by Scottish STV, ${r.seats} seats (profile + count), median`,
        '–',
        count(m.stvMs),
        '–',
      ],
    ],
  );
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)} %`;

function rankedSection(ranked: NonNullable<BenchReport['ranked']>): string[] {
  const r = ranked.result;
  return [
    '### Ranked ballots',
    '',
    `\`${ranked.command}\`: two logs in one cluster (3 masters + 3 replicas), filled over HTTP by a ` +
      `single-member node that commits them: ${int(r.ballots)} ballots over ${r.options} options ` +
      `from a seeded popularity model (\`bench/ranked-ballots.ts\`, seed ${r.seed}: Zipf-weighted ` +
      `options, partial rankings of ${r.meanRanks.toFixed(2)} options on average, ` +
      `${int(r.distinctRankings)} distinct rankings) in an IRV poll, and the same voters' first ` +
      'preferences in a plurality poll. Each cold fold is a fresh process (`bench/cold-fold.ts`) ' +
      'in which a node\u2019s Projections folds one log from zero; ' +
      `${r.rounds} of each kind ran interleaved, the order alternating by round. ` +
      'After each ranked fold the poll was counted from that projection through `pollResult` ' +
      '(`compiledRankings` over the shards, then the count) as `GET /polls/:pollId/results` does, ' +
      `${callsPerProcess(r)} time(s) by each method in the fold's process; the table gives the ` +
      'median of the first calls (colder code: what the first request after a node starts waits ' +
      'for) and of the calls after them. ' +
      `Load average (1 / 5 / 15 min) before: ${loads(r.loadBefore)}; after: ${loads(r.loadAfter)}.`,
    '',
    rankedTable(r),
    ...(ranked.entries
      ? [
          '',
          `The fold alone, without Redis: \`${ranked.entries.command}\` decodes and folds the same ` +
            'ballots as generated stream entries held in memory (`decodeShardEntry` + ' +
            '`evolveShard`, the loop of `votestream rebuild`; a commit marker every ' +
            `${ranked.entries.result.markerEvery} votes of a shard), plurality and ranked ` +
            `interleaved in one process, ${ranked.entries.result.rounds} of each after one ` +
            'unmeasured fold of each. Load average before: ' +
            `${loads(ranked.entries.result.loadBefore)}; after: ${loads(ranked.entries.result.loadAfter)}.`,
          '',
          entryFoldTable(ranked.entries.result),
        ]
      : []),
  ];
}

const callsPerProcess = (r: RankedFoldResult) =>
  r.folds.find((f) => f.run.results)?.run.results?.irvMs.length ?? 0;

function rankedTargetRows(ranked: NonNullable<BenchReport['ranked']>): (string | number)[][] {
  const r = ranked.result;
  const m = rankedMedians(r);
  const alone = ranked.entries && entryFoldMedians(ranked.entries.result);
  const slowest = (c: { first: number; later: number }) => Math.max(c.first, c.later || 0);
  return [
    [
      `cold fold of ranked ballots within ${TARGETS.rankedFoldSlowdown * 100} % of plurality per entry (${r.options} options, same run, medians of ${r.rounds})`,
      `${signed(m.slowdown)} time per entry (${int(m.ranked.entriesPerSecond)} against ${int(m.plurality.entriesPerSecond)} entries/s)` +
        (Number.isNaN(m.cpuSlowdown) ? '' : `; in the fold's CPU time: ${signed(m.cpuSlowdown)}`) +
        (alone ? `; the fold alone, without Redis: ${signed(alone.slowdown)}` : ''),
      yes(m.slowdown <= TARGETS.rankedFoldSlowdown),
    ],
    ...(
      [
        ['IRV', m.irvMs],
        [`Scottish STV, ${r.seats} seats`, m.stvMs],
      ] as const
    ).map(([name, c]) => [
      `results of ${int(r.ballots)} ranked ballots (${name}: profile + count) under 1 s`,
      `${ms(c.first)} ms first call, ${ms(c.later)} ms later (medians)`,
      yes(slowest(c) < TARGETS.resultsMs),
    ]),
  ];
}

/** The fold alone (bench/fold-entries.ts): medians by kind and the ranked slowdown per entry. */
export function entryFoldMedians(r: EntryFoldResult) {
  const of = (kind: 'plurality' | 'ranked') => {
    const runs = r.runs.filter((x) => x.kind === kind);
    return {
      entriesPerSecond: median(runs.map((x) => x.entriesPerSecond)),
      heapBytesPerBallot: median(runs.map((x) => x.heapBytesPerBallot)),
      each: runs.map((x) => int(x.entriesPerSecond)).join(', '),
    };
  };
  const plurality = of('plurality');
  const ranked = of('ranked');
  return { plurality, ranked, slowdown: plurality.entriesPerSecond / ranked.entriesPerSecond - 1 };
}

export function entryFoldTable(r: EntryFoldResult): string {
  const m = entryFoldMedians(r);
  const perEntry = (entriesPerSecond: number) => `${(1e6 / entriesPerSecond).toFixed(2)} µs`;
  return table(
    ['measure', 'plurality', 'ranked', 'ranked vs plurality'],
    [
      [
        'decode + evolveShard, each run (entries/s, in the order run)',
        m.plurality.each,
        m.ranked.each,
        '–',
      ],
      [
        'decode + evolveShard, median',
        `**${int(m.plurality.entriesPerSecond)} entries/s** (${perEntry(m.plurality.entriesPerSecond)} each)`,
        `**${int(m.ranked.entriesPerSecond)} entries/s** (${perEntry(m.ranked.entriesPerSecond)} each)`,
        `${pct(m.ranked.entriesPerSecond, m.plurality.entriesPerSecond)} of the throughput; ${signed(m.slowdown)} time per entry`,
      ],
      [
        'heap the shard states hold per ballot (heapUsed + arrayBuffers, after GC), median',
        `${int(m.plurality.heapBytesPerBallot)} B`,
        `${int(m.ranked.heapBytesPerBallot)} B`,
        pct(m.ranked.heapBytesPerBallot, m.plurality.heapBytesPerBallot),
      ],
    ],
  );
}
