// The load generator: votes at a fixed rate (open model: each request is scheduled on the
// clock, and its latency is measured from when it was due, so a slow server cannot hide its
// queueing — no coordinated omission) or as fast as the connections allow; retried with the
// same voteId on 503s and network errors, never counted before a 200/201; then --verify
// checks every target's finalized tally against what was acknowledged.
//
// This file schedules the run; what is sent is drawn in votes.ts, sending and retrying is
// sender.ts, the polls polls.ts, the verification verify.ts and the report summary.ts.
import { shardOf } from '../../domain/shard-of.ts';
import { StopDeadline } from '../../stop-deadline.ts';
import { FinalizationWatch } from '../finalization-watch.ts';
import { ShardOutages, unavailableSeconds } from '../shard-outages.ts';
import { preparePolls, shardCount } from './polls.ts';
import { VoteSender } from './sender.ts';
import { type LoadSummary, msHistogram, percentiles } from './summary.ts';
import { type AcknowledgedVote, expectedTallies, verify } from './verify.ts';
import { type Vote, VoteSource } from './votes.ts';

export type { LoadSummary, Percentiles } from './summary.ts';

/** Rounds of GET /health on every connection before the clock starts (VoteSender.warmUp):
 * without them the first second of a run at 1,000 votes/s had a p99 of 260 ms, then 30 ms. */
const WARM_UP_ROUNDS = 20;

export interface LoadOptions {
  targets: string[];
  /** Votes per second, or 'max'. */
  rate: number | 'max';
  durationMs?: number;
  votes?: number;
  /**
   * Sends at the rate for this long before the measured run (with `durationMs` only): those
   * votes are acknowledged, retried and verified like the others, but their latencies are not
   * counted. A run starts cold (connections, the code of the client and of the nodes' vote
   * path, a new poll); at 2,000 votes/s on a 2-core machine the first seconds were behind.
   */
  warmUpMs?: number;
  connections: number;
  /** Votes per request: 1 = POST /votes, more = POST /votes/batch. */
  batch: number;
  polls: number;
  voters: number;
  duplicates: number;
  revotes: number;
  seed: number;
  poll?: string;
  adminToken?: string;
  verify: boolean;
  verifyTimeoutMs: number;
  /**
   * Interrupts the run (SIGTERM, Ctrl-C): nothing more is sent or retried, the requests in
   * flight get `stopMs` to be answered and are then cut off; no finalization wait, no verify.
   */
  signal?: AbortSignal;
  /** The interrupted run's bound (VS_STOP_TIMEOUT_MS); default 10 s. */
  stopMs?: number;
  onProgress?: (p: {
    sent: number;
    acknowledged: number;
    inFlight: number;
    elapsedMs: number;
    /** Append latency (ms, from when due) of the votes acknowledged since the last report:
     * p50 and p99, or null when none was. Shows when in a run the slow votes were. */
    recent: { p50: number; p99: number; max: number } | null;
  }) => void;
}

/**
 * Runs a load against `o.targets` and reports it; with `o.verify`, waits until every target's
 * finalized tallies equal what was acknowledged. Throws before sending when the polls cannot
 * be prepared or the run is interrupted first.
 */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const statuses: Record<string, number> = {};
  const latency = msHistogram();
  // The same, since the last progress report.
  const recent = msHistogram(2);
  const { polls, options } = await preparePolls(o);
  if (o.signal?.aborted) throw new Error('interrupted before any vote was sent');
  const shards = await shardCount(o.targets[0]!);
  const source = new VoteSource(o, polls, options);
  // Every shard's committed seq comes with any poll's tally: one poll is enough to watch.
  const watch = new FinalizationWatch(o.targets[0]!, polls[0]!);
  watch.start();
  /** voteId → receipt seq and the vote, for every acknowledged vote. */
  const acked = new Map<string, AcknowledgedVote & { shard: number }>();
  let outages: ShardOutages | undefined;
  /** Votes of the warm-up acknowledged (voteIds, not answers). */
  let warmUpVotes = 0;
  let measuredFrom = Number.POSITIVE_INFINITY;
  const interrupted = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const sender = new VoteSender(
    o,
    {
      status: (key) => {
        statuses[key] = (statuses[key] ?? 0) + 1;
      },
      acknowledged: (vote, receipt, dueAt) => {
        outages?.acknowledged(receipt.shard, performance.now());
        const measured = dueAt >= measuredFrom;
        if (!acked.has(vote.voteId)) {
          source.acknowledged(vote);
          if (measured) watch.track(receipt.shard, receipt.seq, dueAt);
          else warmUpVotes++;
        }
        acked.set(vote.voteId, { vote, seq: receipt.seq, shard: receipt.shard });
        if (!measured) return;
        const ms = Math.max(1, Math.round(performance.now() - dueAt));
        latency.recordValue(ms);
        recent.recordValue(ms);
      },
      refused: (vote, status) => {
        if (status === 503 && shards) outages?.refused(shardOf(vote.pollId, vote.voterId, shards));
      },
    },
    interrupted,
    o.signal,
  );

  // Before the clock starts: every connection open and the request path warm (nothing written).
  await sender.warmUp(WARM_UP_ROUNDS, Math.ceil(o.connections / o.targets.length));
  const started = performance.now();
  if (shards) outages = new ShardOutages(shards, started);
  /** Votes due before this are the warm-up's: verified, not measured. */
  measuredFrom = started + (o.warmUpMs ?? 0);
  const deadline = o.durationMs ? measuredFrom + o.durationMs : Number.POSITIVE_INFINITY;
  const total = o.votes ?? Number.POSITIVE_INFINITY;
  const requests = new Set<Promise<void>>();
  let sent = 0;
  const progress = setInterval(() => {
    o.onProgress?.({
      sent,
      acknowledged: acked.size,
      inFlight: sender.inFlight,
      elapsedMs: performance.now() - started,
      recent: recent.totalCount
        ? {
            p50: recent.getValueAtPercentile(50),
            p99: recent.getValueAtPercentile(99),
            max: recent.maxValue,
          }
        : null,
    });
    recent.reset();
  }, 1000);
  let index = 0;
  let finishedAt = 0;
  let stop: StopDeadline | undefined;
  let sendingEndedAt = 0;
  try {
    while (sent < total && performance.now() < deadline && !o.signal?.aborted) {
      const dueAt =
        o.rate === 'max' ? performance.now() : started + (index * 1000 * o.batch) / o.rate;
      // Only votes due before the end are the run's: the wait for one due just after the end
      // began before it, and that vote was sent too (402 of 400 in a 2 s run at 200/s).
      if (dueAt >= deadline) break;
      const wait = dueAt - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, Math.min(wait, 50)));
      if (performance.now() < dueAt - 1) continue;
      // Connections bound the requests in flight; a due request waits for one, and its
      // latency still counts from when it was due.
      while (sender.inFlight >= o.connections && !o.signal?.aborted)
        await Promise.race([sender.slotFreed(), interrupted]);
      if (o.signal?.aborted) break;
      const votes: Vote[] = Array.from({ length: Math.min(o.batch, total - sent) }, () =>
        source.next(),
      );
      sent += votes.length;
      if (outages && shards) {
        const at = performance.now();
        for (const v of votes) outages.sent(shardOf(v.pollId, v.voterId, shards), at);
      }
      const target = o.targets[index++ % o.targets.length]!;
      const request = sender.dispatch(votes, dueAt, target).finally(() => {
        requests.delete(request);
      });
      requests.add(request);
    }
    sendingEndedAt = performance.now();
    const drain = Promise.all(requests);
    if (!o.signal?.aborted) {
      // Let what was sent finish; retries keep going for a while (or until interrupted).
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        drain,
        interrupted,
        new Promise((r) => {
          grace = setTimeout(r, 30_000);
        }),
      ]);
      clearTimeout(grace);
    }
    sender.stopping = true;
    if (o.signal?.aborted) {
      // Interrupted: no more retries; what is in flight has the stop's bound, then is cut off.
      stop = new StopDeadline(o.stopMs ?? 10_000);
      if (!(await stop.step('finish requests in flight', () => drain))) sender.cutOff();
    }
    await drain;
    finishedAt = performance.now();
    if (!o.signal?.aborted) await watch.drain(o.verify ? o.verifyTimeoutMs : 60_000, o.signal);
  } finally {
    clearInterval(progress);
    await watch.stop();
    // An interrupted run does not wait for connections to close politely.
    await sender.close(stop !== undefined);
  }
  // A run interrupted in its warm-up measured nothing.
  const seconds = Math.max(0.001, (finishedAt - Math.min(measuredFrom, finishedAt)) / 1000);
  const shardOutages = outages?.outages(sendingEndedAt) ?? null;
  const summary: LoadSummary = {
    targets: o.targets,
    polls,
    seconds: Number(seconds.toFixed(2)),
    sent,
    acknowledged: acked.size,
    retried: sender.retried,
    throughput: Math.round((acked.size - warmUpVotes) / seconds),
    warmUp: { seconds: (o.warmUpMs ?? 0) / 1000, acknowledged: warmUpVotes },
    statuses,
    latencyMs: percentiles(latency),
    finalizedMs: {
      ...percentiles(watch.histogram),
      count: watch.histogram.totalCount,
      unseen: watch.waiting,
    },
    verified: false,
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    finalizedAfterMs: null,
    sealed: [],
    outages: shardOutages,
    unavailableS: shardOutages && shards ? unavailableSeconds(shardOutages, shards) : null,
    problems: [],
    interrupted: Boolean(o.signal?.aborted),
    abandoned: sender.abandoned,
  };
  if (summary.interrupted) {
    if (sender.abandoned) summary.problems.push(`interrupted: ${sender.abandoned} votes abandoned`);
    if (o.verify) summary.problems.push('interrupted: nothing was verified');
  } else if (o.verify) {
    await verify(o, expectedTallies(polls, options, [...acked.values()]), summary);
    if (o.signal?.aborted) {
      summary.interrupted = true;
      summary.problems.push('interrupted: the verification was cut short');
    }
  }
  return summary;
}
