// docs/reliability.md from a chaos run: the machine, the command, the date, one table row per
// scenario, what each scenario does, and the details a reader needs to trust the numbers.
import { writeFileSync } from 'node:fs';
import type { ScenarioResult } from './run-scenario.ts';
import { SCENARIOS } from './scenarios.ts';

export interface RunContext {
  command: string;
  date: string;
  nproc: number;
  node: string;
  redis: string;
  /** What `ip netns` allowed, and what was tried, for the partition scenario. */
  netns: string;
  observeMs: number;
  /** One-minute load averages when the run started and ended: how busy the machine was. */
  load: { before: number; after?: number };
  skipped: { id: string; name: string; why: string }[];
}

const yes = (b: boolean) => (b ? 'yes' : '**NO**');
const num = (n: number | null) => (n === null ? '—' : String(n));
const bad = (n: number | null) => (n === null ? '—' : n === 0 ? '0' : `**${n}**`);

/**
 * The unavailability column: the worst shard's seconds and which shards had any ("0 s" when
 * none; "—" when the load could not tell).
 */
export function unavailableCell(seconds: readonly number[] | null): string {
  if (!seconds) return '—';
  const hit = seconds.flatMap((s, shard) => (s > 0 ? [shard] : []));
  if (hit.length === 0) return '0 s';
  const worst = Math.max(...seconds);
  const which =
    hit.length <= 8 ? `shards ${hit.join(', ')}` : `${hit.length} of ${seconds.length} shards`;
  return `${worst} s (${which})`;
}

/** The report's markdown. */
export function renderReport(results: ScenarioResult[], c: RunContext): string {
  const passed = results.filter((r) => r.passed).length;
  const rows = results.map(
    (r) =>
      `| ${r.id} ${r.name} | ${r.rate}/s | ${r.throughput}/s | ${r.durationS} s | ${r.acknowledged} | ${bad(r.lost)} | ${bad(r.duplicated)} | ${bad(r.mismatched)} | ${yes(r.talliesEqual)} | ${yes(r.chainsIntact)} | ${num(r.maxCommitGapS)} s | ${unavailableCell(r.unavailableS)} | ${r.newLeaderS === null ? 'n/a' : `${r.newLeaderS} s`} | ${r.passed ? 'pass' : '**FAIL**'} |`,
  );
  // Only what ran (or was skipped) is explained, so a partial run does not read as a full one.
  const explained = SCENARIOS.filter(
    (s) => results.some((r) => r.id === s.id) || c.skipped.some((k) => k.id === s.id),
  ).map((s) => `- **${s.id} ${s.name}**: ${s.explains}`);
  const details = results.map((r) =>
    [
      `### ${r.id} ${r.name}`,
      '',
      `- sent ${r.sent}, acknowledged ${r.acknowledged}, retried ${r.retried} (503s and network errors, same voteId), append p99 ${num(r.p99Ms)} ms`,
      `- statuses: \`${JSON.stringify(r.statuses)}\``,
      `- unavailable per shard: ${
        r.unavailableS === null
          ? 'not measured'
          : r.unavailableS.some((s) => s > 0)
            ? `${r.unavailableS
                .flatMap((s, shard) => (s > 0 ? [`shard ${shard} ${s} s`] : []))
                .join(', ')}; every other shard 0 s`
            : `0 s in every one of the ${r.unavailableS.length} shards`
      }`,
      ...(r.outages.length
        ? [
            `- when (seconds into the load): ${r.outages
              .slice(0, 24)
              .map((o) => `shard ${o.shard} ${o.fromS}–${o.toS}`)
              .join(', ')}${r.outages.length > 24 ? `, … (${r.outages.length} in all)` : ''}`,
          ]
        : []),
      ...r.events.map((e) => `- ${e}`),
      `- leaders seen: ${r.leaders || '—'}`,
      `- node log events: ${r.logEvents || 'none of note'}`,
      ...(r.problems.length
        ? ['- problems:', ...r.problems.map((p) => `  - \`${p.replace(/`/g, "'")}\``)]
        : []),
      ...(r.passed ? [] : [`- logs kept in \`${r.dir}\``]),
      '',
    ].join('\n'),
  );
  return [
    '# Reliability: chaos runs',
    '',
    'Written by `npm run chaos` (`ops/chaos/`); do not edit by hand — run it again.',
    '',
    `- command: \`${c.command}\``,
    `- date: ${c.date}`,
    `- machine: ${c.nproc} cores (\`nproc\`), node ${c.node}, ${c.redis}; load average ${c.load.before.toFixed(2)} when the run started, ${c.load.after?.toFixed(2) ?? '—'} when it ended (everything else on the machine shares these cores)`,
    `- result: ${passed} of ${results.length} scenarios passed`,
    '',
    '## How a scenario runs',
    '',
    'Each scenario starts from nothing: a fresh temp folder, a local Redis Cluster (3 masters + 3 replicas,',
    'or 6 where a scenario says two per master; AOF, cluster-node-timeout 3 s,',
    'cluster-require-full-coverage no) and three member nodes n1, n2, n3 as real processes, on free ports,',
    'with the default timings (lease 2 s, heartbeat 250 ms, failure timeout 1.5 s, durability `replica`).',
    'The load generator runs as its own process (`votestream load --verify --json`, two polls, 2 % client',
    'retries of acknowledged voteIds, 2 % revotes), so a fault in a node cannot stall the client; it retries',
    '503s and network errors with the same voteId on the next node, and counts a vote as acknowledged only',
    'on a 200/201 with a receipt. The faults are injected on a schedule counted from the first commit, by',
    'pid (signals through execa, `ip link` for the partition). An observer polls `GET /cluster` on every',
    `node every ${c.observeMs} ms. That observer is not free: \`/cluster\` reads every shard's head and consumer`,
    'groups from Redis, measured once here at ≈ 8 ms of node CPU and ≈ 2 ms of Redis CPU per request (the',
    'machine loaded), so at 100 ms on three nodes it takes about 0.3 of a core (≈ 15 % of the machine).',
    'Offered rate above what the machine delivers means the generator ran with all 64 connections busy',
    '(an open model: latency counts from when each vote was due, so p99 grows with the backlog).',
    'Afterwards:',
    '',
    '- **lost / duplicated / mismatched**: `votestream load --verify` waits until every node shows exactly',
    '  the acknowledged votes as finalized (each voter once, by its latest acknowledged vote): finalized',
    '  ballots below / above what was acknowledged, and option counts that differ, summed over nodes.',
    '- **tallies equal**: every node reports the same per-shard digest at the same applied and committed',
    '  seqs (`GET /cluster/digests`) and the same tally for every poll of the run.',
    '- **chains intact**: `votestream replay --verify` finds every shard chain and commit marker intact.',
    '- **max commit gap**: the longest time, while the load was sending, in which no node reported a',
    '  higher committed total (sum of `committedSeq` over shards) than any before.',
    '- **unavailable**: per shard (`shardOf(pollId, voterId)`), the seconds while the load was sending in',
    '  which a vote of that shard had been sent, no vote of that shard was acknowledged by any node since,',
    '  and a vote of that shard was refused (503) meanwhile; only stretches of 1 s or more count (the',
    '  load measures it: `votestream load` reports `outages` and `unavailableS`). The column shows the',
    '  worst shard and which shards had any; the details give every shard and when. A vote hanging on a',
    '  paused node while the other nodes acknowledge its shard is not counted (the shard was available),',
    '  nor a wait with no refusal (say the generator, its connections all busy elsewhere, sent nothing',
    '  else of the shard).',
    '- **new leader**: from the fault to the first `/cluster` answer of another node naming a different',
    "  leader with a higher term; the slowest over the scenario's faults; n/a when no fault changed the leader.",
    '',
    'The runner exits non-zero if any scenario lost, duplicated or mismatched a vote, if node tallies',
    'differ, if a chain is broken, or if a scenario could not run.',
    '',
    '## Results',
    '',
    '| scenario | rate offered | delivered | duration | acknowledged | lost | duplicated | mismatched | tallies equal | chains intact | max commit gap | unavailable (worst shard) | new leader after | result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(c.skipped.length
      ? [`Skipped: ${c.skipped.map((s) => `${s.id} ${s.name} (${s.why})`).join('; ')}`, '']
      : []),
    '## The scenarios',
    '',
    ...explained,
    '',
    '## Partition (network namespaces)',
    '',
    c.netns,
    '',
    '## Details per scenario',
    '',
    ...details,
  ].join('\n');
}

export function writeReport(file: string, results: ScenarioResult[], c: RunContext): void {
  writeFileSync(file, renderReport(results, c));
}
