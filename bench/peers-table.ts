// bench/peers.ts's figures as a table (printed by the bench, and in docs/performance.md by
// bench/report-markdown.ts). Pure: no I/O.
import { median } from './harness.ts';
import type { SystemId } from './peers/systems.ts';

export interface PeerRun {
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers and socket errors or timeouts. */
  bad: number;
  /** The whole machine's busy CPU time (/proc/stat without steal, every process: the system,
   * the load generator, anything else) over the measured seconds, per request answered (µs;
   * "per vote" in the table: every request is a vote, and a run has no non-2xx). */
  cpuPerVoteUs?: number;
  /** That busy time as a share of every core's time over the measured seconds (0–1): near 1,
   * the run was bound by the machine's CPU, and votes/s ratios are ratios of CPU per vote. */
  busyShare?: number;
}

/** One system's runs and medians; `skipped`/`failed` say why it has none. */
export interface PeerRow {
  label: string;
  runs: PeerRun[];
  skipped?: string;
  failed?: string;
  votesPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  bad?: number;
  cpuPerVoteUs?: number;
  busyShare?: number;
}

/** bench/peers.ts --json. */
export interface PeersResult {
  machine: string;
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  pgPool: number;
  loadBefore: number[];
  loadAfter: number[];
  systems: Partial<Record<SystemId, PeerRow>>;
}

/** Sets a row's medians from its runs (each figure over the runs that have it); a row without
 * runs is left as it is. */
export function withMedians(row: PeerRow): PeerRow {
  if (!row.runs.length) return row;
  const of = (pick: (r: PeerRun) => number | undefined) => {
    const values = row.runs.flatMap((r) => {
      const v = pick(r);
      return v === undefined ? [] : [v];
    });
    return values.length ? median(values) : undefined;
  };
  row.votesPerSecond = of((r) => r.rps);
  row.p50Ms = of((r) => r.p50);
  row.p99Ms = of((r) => r.p99);
  row.bad = row.runs.reduce((sum, r) => sum + r.bad, 0);
  const cpu = of((r) => r.cpuPerVoteUs);
  const busy = of((r) => r.busyShare);
  if (cpu !== undefined) row.cpuPerVoteUs = cpu;
  if (busy !== undefined) row.busyShare = busy;
  return row;
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));

/** `votesPerSecond` of `id` over that of `of`, or undefined when either did not run. */
export function peerRatio(r: PeersResult, id: SystemId, of: SystemId): number | undefined {
  const a = r.systems[id]?.votesPerSecond;
  const b = r.systems[of]?.votesPerSecond;
  return a !== undefined && b ? a / b : undefined;
}

/** Header and rows: votes/s, p50, p99, the ratio to votestream 3 nodes, bad answers, and the
 * machine's CPU per vote and busy share (– for runs recorded before they were measured). */
export function peersTable(r: PeersResult): [string[], string[][]] {
  const base = r.systems['votestream-3']?.votesPerSecond;
  const rows = Object.values(r.systems).map((s): string[] => {
    if (s.skipped) return [s.label, `**skipped: ${s.skipped}**`, '–', '–', '–', '–', '–', '–'];
    if (s.votesPerSecond === undefined)
      return [s.label, `**did not run: ${s.failed ?? 'no runs'}**`, '–', '–', '–', '–', '–', '–'];
    return [
      s.label,
      int(s.votesPerSecond),
      ms(s.p50Ms ?? Number.NaN),
      ms(s.p99Ms ?? Number.NaN),
      base ? `${(base / s.votesPerSecond).toFixed(2)}×` : '–',
      String(s.bad ?? 0),
      s.cpuPerVoteUs === undefined ? '–' : int(s.cpuPerVoteUs),
      s.busyShare === undefined ? '–' : `${Math.round(s.busyShare * 100)} %`,
    ];
  });
  return [
    [
      'system (one counted vote per voter, idempotent, acknowledged once durable)',
      'votes/s',
      'p50 ms',
      'p99 ms',
      'votestream 3 nodes ÷ this',
      'non-2xx/errors',
      'machine CPU µs per vote',
      'cores busy',
    ],
    rows,
  ];
}
