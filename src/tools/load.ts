// The load generator: votes at a fixed rate (open model: each request is scheduled on the
// clock, and its latency is measured from when it was due, so a slow server cannot hide its
// queueing — no coordinated omission) or as fast as the connections allow; retried with the
// same voteId on 503s and network errors, never counted before a 200/201; then --verify
// checks every target's finalized tally against what was acknowledged.
import { setMaxListeners } from 'node:events';
import { build, type Histogram } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { shardOf } from '../domain/shard-of.ts';
import { StopDeadline } from '../stop-deadline.ts';
import { FinalizationWatch } from './finalization-watch.ts';
import { type ShardOutage, ShardOutages, unavailableSeconds } from './shard-outages.ts';

export interface LoadOptions {
  targets: string[];
  /** Votes per second, or 'max'. */
  rate: number | 'max';
  durationMs?: number;
  votes?: number;
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
  }) => void;
}

export interface LoadSummary {
  targets: string[];
  polls: string[];
  seconds: number;
  sent: number;
  acknowledged: number;
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

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function percentiles(h: Histogram): Percentiles {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}

interface Vote {
  pollId: string;
  voterId: string;
  voteId: string;
  choices: string[];
}

/** Pauses before a refused vote is sent again: the first, and the most it doubles to. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 10_000;

/** A small seeded PRNG (mulberry32): the same --seed gives the same votes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const rand = random(o.seed);
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const latency: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  const { polls, options } = await preparePolls(o);
  if (o.signal?.aborted) throw new Error('interrupted before any vote was sent');
  const shards = await shardCount(o.targets[0]!);
  // Every shard's committed seq comes with any poll's tally: one poll is enough to watch.
  const watch = new FinalizationWatch(o.targets[0]!, polls[0]!);
  watch.start();
  /** voteId → receipt seq and the vote, for every acknowledged vote. */
  const acked = new Map<string, { vote: Vote; seq: number; shard: number }>();
  const ackedList: Vote[] = [];
  let retried = 0;
  let abandoned = 0;
  let sent = 0;
  let inFlight = 0;
  let voterNext = 0;
  let stopping = false;

  const nextVote = (): Vote => {
    if (ackedList.length && rand() < o.duplicates)
      return ackedList[Math.floor(rand() * ackedList.length)]!;
    const pollId = polls[Math.floor(rand() * polls.length)]!;
    const choices = [options.get(pollId)![Math.floor(rand() * options.get(pollId)!.length)]!];
    if (ackedList.length && rand() < o.revotes) {
      const earlier = ackedList[Math.floor(rand() * ackedList.length)]!;
      return {
        pollId: earlier.pollId,
        voterId: earlier.voterId,
        voteId: crypto.randomUUID(),
        choices,
      };
    }
    const voterId = `voter-${o.seed}-${voterNext++ % o.voters}`;
    return { pollId, voterId, voteId: crypto.randomUUID(), choices };
  };

  // undici's Pool, not fetch: the generator must cost the machine far less than the service.
  const pools = new Map(
    o.targets.map((t) => [t, new Pool(t, { connections: o.connections, pipelining: 1 })]),
  );
  /** Cuts off the requests in flight when an interrupted run's time is up. */
  const cutOff = new AbortController();
  // Every request in flight listens to it (up to --connections of them).
  setMaxListeners(0, cutOff.signal);
  let outages: ShardOutages | undefined;
  // A slot per request on its way. A vote waiting to be retried gives its slot back, so the
  // votes of a shard that refuses for a long time (a master lost) do not hold up the others'.
  let slotFreed: () => void = () => {};
  let slotFree = new Promise<void>((r) => {
    slotFreed = r;
  });
  const release = () => {
    inFlight--;
    slotFreed();
    slotFree = new Promise<void>((r) => {
      slotFreed = r;
    });
  };
  const send = async (votes: Vote[], dueAt: number, firstTarget: string): Promise<void> => {
    let target = firstTarget;
    let pending = votes;
    let pause = RETRY_FIRST_MS;
    if (outages && shards) {
      const at = performance.now();
      for (const v of votes) outages.sent(shardOf(v.pollId, v.voterId, shards), at);
    }
    while (pending.length) {
      const retry: Vote[] = [];
      try {
        const batch = o.batch > 1;
        const res = await pools.get(target)!.request({
          path: batch ? '/votes/batch' : '/votes',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch ? { votes: pending } : pending[0]),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
          signal: cutOff.signal,
        });
        const body = (await res.body.json()) as Record<string, unknown>;
        const results = batch
          ? (body.results as { status: number; receipt?: { seq: number; shard: number } }[])
          : [
              {
                status: res.statusCode,
                receipt: body.receipt as { seq: number; shard: number } | undefined,
              },
            ];
        results.forEach((r, i) => {
          const vote = pending[i]!;
          count(String(r.status));
          if ((r.status === 200 || r.status === 201) && r.receipt) {
            outages?.acknowledged(r.receipt.shard, performance.now());
            if (!acked.has(vote.voteId)) {
              ackedList.push(vote);
              watch.track(r.receipt.shard, r.receipt.seq, dueAt);
            }
            acked.set(vote.voteId, { vote, seq: r.receipt.seq, shard: r.receipt.shard });
            latency.recordValue(Math.max(1, Math.round(performance.now() - dueAt)));
          } else if (r.status === 503 || r.status === 429) {
            if (r.status === 503 && shards)
              outages?.refused(shardOf(vote.pollId, vote.voterId, shards));
            retry.push(vote);
          }
        });
      } catch {
        if (cutOff.signal.aborted) {
          abandoned += pending.length;
          return;
        }
        count('network-error');
        retry.push(...pending);
      }
      if (!retry.length) return;
      if (stopping) {
        abandoned += retry.length;
        return;
      }
      retried += retry.length;
      pending = retry;
      // Another node may serve while this one is down: retries go round the targets, after a
      // pause that doubles (200 ms … 10 s, ±25 % so that votes refused together do not come
      // back together): a long outage of a shard costs a bounded rate of retries, and the
      // shard's fresh votes still find out at once when it is back.
      target = o.targets[(o.targets.indexOf(target) + 1) % o.targets.length]!;
      release();
      // An interrupted run does not sit out a retry's pause (up to 10 s).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((r) => {
          timer = setTimeout(r, pause * (0.75 + Math.random() / 2));
        }),
        interrupted,
      ]);
      clearTimeout(timer);
      pause = Math.min(2 * pause, RETRY_MAX_MS);
      inFlight++;
      if (stopping || o.signal?.aborted) {
        abandoned += pending.length;
        return;
      }
    }
  };

  const started = performance.now();
  if (shards) outages = new ShardOutages(shards, started);
  const deadline = o.durationMs ? started + o.durationMs : Number.POSITIVE_INFINITY;
  const total = o.votes ?? Number.POSITIVE_INFINITY;
  const requests = new Set<Promise<void>>();
  const progress = setInterval(
    () =>
      o.onProgress?.({
        sent,
        acknowledged: acked.size,
        inFlight,
        elapsedMs: performance.now() - started,
      }),
    1000,
  );
  let index = 0;
  let finishedAt = 0;
  const interrupted = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  let stop: StopDeadline | undefined;
  let sendingEndedAt = 0;
  try {
    while (sent < total && performance.now() < deadline && !o.signal?.aborted) {
      const dueAt =
        o.rate === 'max' ? performance.now() : started + (index * 1000 * o.batch) / o.rate;
      const wait = dueAt - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, Math.min(wait, 50)));
      if (performance.now() < dueAt - 1) continue;
      // Connections bound the requests in flight; a due request waits for one, and its
      // latency still counts from when it was due.
      while (inFlight >= o.connections && !o.signal?.aborted)
        await Promise.race([slotFree, interrupted]);
      if (o.signal?.aborted) break;
      const votes = Array.from({ length: Math.min(o.batch, total - sent) }, nextVote);
      sent += votes.length;
      inFlight++;
      const target = o.targets[index++ % o.targets.length]!;
      const request = send(votes, dueAt, target).finally(() => {
        release();
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
    stopping = true;
    if (o.signal?.aborted) {
      // Interrupted: no more retries; what is in flight has the stop's bound, then is cut off.
      stop = new StopDeadline(o.stopMs ?? 10_000);
      if (!(await stop.step('finish requests in flight', () => drain))) cutOff.abort();
    }
    await drain;
    finishedAt = performance.now();
    if (!o.signal?.aborted) await watch.drain(o.verify ? o.verifyTimeoutMs : 60_000, o.signal);
  } finally {
    clearInterval(progress);
    await watch.stop();
    // An interrupted run does not wait for connections to close politely.
    await Promise.all([...pools.values()].map((p) => (stop ? p.destroy() : p.close())));
  }
  const seconds = (finishedAt - started) / 1000;
  const shardOutages = outages?.outages(sendingEndedAt) ?? null;
  const summary: LoadSummary = {
    targets: o.targets,
    polls,
    seconds: Number(seconds.toFixed(2)),
    sent,
    acknowledged: acked.size,
    retried,
    throughput: Math.round(acked.size / seconds),
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
    outages: shardOutages,
    unavailableS: shardOutages && shards ? unavailableSeconds(shardOutages, shards) : null,
    problems: [],
    interrupted: Boolean(o.signal?.aborted),
    abandoned,
  };
  if (summary.interrupted) {
    if (abandoned) summary.problems.push(`interrupted: ${abandoned} votes abandoned`);
    if (o.verify) summary.problems.push('interrupted: nothing was verified');
  } else if (o.verify) {
    await verify(o, polls, options, [...acked.values()], summary);
    if (o.signal?.aborted) {
      summary.interrupted = true;
      summary.problems.push('interrupted: the verification was cut short');
    }
  }
  return summary;
}

/** The deployment's shard count, from GET /cluster; undefined if the target does not say. */
async function shardCount(target: string): Promise<number | undefined> {
  try {
    const view = (await (await fetch(`${target}/cluster`)).json()) as { shards?: unknown[] };
    return Array.isArray(view.shards) && view.shards.length > 0 ? view.shards.length : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the polls (or reads the given one) and returns their option ids. */
async function preparePolls(o: LoadOptions) {
  const target = o.targets[0]!;
  const options = new Map<string, string[]>();
  if (o.poll) {
    const res = await fetch(`${target}/polls/${encodeURIComponent(o.poll)}`, {
      signal: o.signal ?? null,
    });
    if (!res.ok) throw new Error(`poll ${o.poll}: ${res.status} ${await res.text()}`);
    const { poll } = (await res.json()) as { poll: { id: string; options: { id: string }[] } };
    options.set(
      poll.id,
      poll.options.map((x) => x.id),
    );
    return { polls: [poll.id], options };
  }
  if (!o.adminToken)
    throw new Error(
      'creating polls needs an admin token (--admin-token or VS_ADMIN_TOKEN), or name one with --poll',
    );
  const polls: string[] = [];
  for (let i = 0; i < o.polls; i++) {
    // Fresh polls per run (the votes themselves repeat per --seed).
    const id = `load-${o.seed}-${Date.now().toString(36)}-${i}`;
    const res = await fetch(`${target}/polls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.adminToken}` },
      body: JSON.stringify({
        id,
        title: `Load ${id}`,
        options: ['a', 'b', 'c', 'd'],
        revote: 'replace',
      }),
      signal: o.signal ?? null,
    });
    if (!res.ok) throw new Error(`poll create: ${res.status} ${await res.text()}`);
    polls.push(id);
    options.set(id, ['a', 'b', 'c', 'd']);
  }
  return { polls, options };
}

/**
 * Expected tally: each voter counts once, by the acknowledged vote with the highest seq (all
 * of a voter's votes in a poll share a shard, so seqs order them). Then waits until every
 * target shows exactly that as finalized with nothing pending, or the timeout passes.
 */
async function verify(
  o: LoadOptions,
  polls: string[],
  options: Map<string, string[]>,
  acked: { vote: Vote; seq: number }[],
  summary: LoadSummary,
): Promise<void> {
  const latest = new Map<string, { vote: Vote; seq: number }>();
  for (const a of acked) {
    const key = `${a.vote.pollId}\n${a.vote.voterId}`;
    const known = latest.get(key);
    if (!known || a.seq > known.seq) latest.set(key, a);
  }
  const expected = new Map<string, Record<string, number>>();
  for (const pollId of polls)
    expected.set(pollId, Object.fromEntries(options.get(pollId)!.map((x) => [x, 0])));
  for (const { vote } of latest.values()) {
    const tally = expected.get(vote.pollId)!;
    for (const c of vote.choices) tally[c] = (tally[c] ?? 0) + 1;
  }
  const started = performance.now();
  const deadline = started + o.verifyTimeoutMs;
  let last:
    | { lost: number; duplicated: number; mismatched: number; problems: string[] }
    | undefined;
  for (;;) {
    last = { lost: 0, duplicated: 0, mismatched: 0, problems: [] };
    for (const target of o.targets) {
      for (const pollId of polls) {
        try {
          const t = (await (
            await fetch(`${target}/polls/${pollId}/tally`, { signal: o.signal ?? null })
          ).json()) as {
            finalized: Record<string, number>;
            ballots: { finalized: number; pending: number };
          };
          const want = expected.get(pollId)!;
          const wantBallots = [...latest.values()].filter((l) => l.vote.pollId === pollId).length;
          last.lost += Math.max(0, wantBallots - t.ballots.finalized);
          last.duplicated += Math.max(0, t.ballots.finalized - wantBallots);
          for (const [option, n] of Object.entries(want)) {
            if ((t.finalized[option] ?? 0) !== n) {
              last.mismatched++;
              last.problems.push(
                `${target} ${pollId} ${option}: finalized ${t.finalized[option] ?? 0}, expected ${n}`,
              );
            }
          }
        } catch (error) {
          last.mismatched++;
          last.problems.push(`${target}: ${(error as Error).message}`);
        }
      }
    }
    if (
      (last.lost === 0 && last.duplicated === 0 && last.mismatched === 0) ||
      performance.now() > deadline ||
      o.signal?.aborted
    )
      break;
    await new Promise((r) => setTimeout(r, 250));
  }
  Object.assign(summary, last, {
    verified: true,
    finalizedAfterMs:
      last.lost + last.duplicated + last.mismatched === 0
        ? Math.round(performance.now() - started)
        : null,
  });
}
