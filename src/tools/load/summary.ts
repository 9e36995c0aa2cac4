// What a load run reports: counts, latency percentiles, outages and the verification.
import { build, type Histogram } from 'hdr-histogram-js';
import type { ShardOutage } from '../shard-outages.ts';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * A histogram of milliseconds from 1 ms to an hour, `digits` significant decimal digits: the
 * load generator's latencies and the finalization watch's.
 */
export function msHistogram(digits: 1 | 2 | 3 | 4 | 5 = 3): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: digits,
  });
}

/** The percentiles of a histogram, in its unit (the load generator records milliseconds). */
export function percentiles(h: Histogram): Percentiles {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}

export interface LoadSummary {
  targets: string[];
  polls: string[];
  seconds: number;
  /** Every vote, the warm-up's included. */
  sent: number;
  acknowledged: number;
  /** The warm-up before the measured run: its votes are in `sent`, `acknowledged` and the
   * verification, not in `seconds`, `throughput` or the latencies. */
  warmUp: { seconds: number; acknowledged: number };
  retried: number;
  throughput: number;
  statuses: Record<string, number>;
  latencyMs: Percentiles;
  /**
   * From when a vote was due until the first target showed its shard committed past it
   * (polled every 10 ms); `count` votes were seen finalized, `unseen` were not within the
   * verify timeout (or 60 s).
   */
  finalizedMs: Percentiles & { count: number; unseen: number };
  verified: boolean;
  lost: number;
  duplicated: number;
  mismatched: number;
  finalizedAfterMs: number | null;
  /**
   * Polls whose option counts --verify could not compare: sealed (`results: "afterClose"`)
   * and not yet final, so the targets show only their ballots, which were compared.
   */
  sealed: string[];
  /**
   * Per shard, the stretches (≥ 1 s) while the load was sending in which a vote of the shard
   * waited, none of the shard was acknowledged and one of the shard was refused (503)
   * (src/tools/shard-outages.ts); null when the target did not say its shard count.
   */
  outages: ShardOutage[] | null;
  /** Seconds of those per shard (index = shard); null as above. */
  unavailableS: number[] | null;
  problems: string[];
  /** The run was interrupted (`signal`) before it had sent everything. */
  interrupted: boolean;
  /**
   * Votes given up without an answer that settles them (an acknowledgement or a refusal):
   * cut off in flight by an interrupted run, or last answered 503/429 or not at all when
   * retries stopped. Each may or may not have been recorded.
   */
  abandoned: number;
}
