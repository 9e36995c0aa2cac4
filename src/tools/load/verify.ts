// --verify: what every target must show once the load has ended, and the wait until it does.
import { VotestreamClient } from '../../client/index.ts';
import type { LoadSummary } from './summary.ts';
import type { Vote } from './votes.ts';

/** An acknowledged vote and the seq of its receipt. */
export interface AcknowledgedVote {
  vote: Vote;
  seq: number;
}

/** The finalized tally and ballot count each poll must show. */
export interface ExpectedTally {
  tally: Record<string, number>;
  ballots: number;
}

/**
 * Each voter counts once, by the acknowledged vote with the highest seq (all of a voter's
 * votes in a poll share a shard, so seqs order them): option counts and ballots per poll.
 */
export function expectedTallies(
  polls: string[],
  options: Map<string, string[]>,
  acked: AcknowledgedVote[],
): Map<string, ExpectedTally> {
  const latest = new Map<string, AcknowledgedVote>();
  for (const a of acked) {
    const key = `${a.vote.pollId}\n${a.vote.voterId}`;
    const known = latest.get(key);
    if (!known || a.seq > known.seq) latest.set(key, a);
  }
  const expected = new Map<string, ExpectedTally>();
  for (const pollId of polls)
    expected.set(pollId, {
      tally: Object.fromEntries(options.get(pollId)!.map((x) => [x, 0])),
      ballots: 0,
    });
  for (const { vote } of latest.values()) {
    const want = expected.get(vote.pollId)!;
    want.ballots++;
    for (const c of vote.choices) want.tally[c] = (want.tally[c] ?? 0) + 1;
  }
  return expected;
}

type Findings = Pick<LoadSummary, 'lost' | 'duplicated' | 'mismatched' | 'problems' | 'sealed'>;

/**
 * Waits until every target shows exactly the expected tallies as finalized, or `timeoutMs`
 * passes, or `signal` aborts; writes the last findings and the wait into `summary`. A sealed
 * poll (`results: "afterClose"`, not yet final) shows no option counts: only its ballots are
 * compared, and the poll is listed in `sealed`.
 */
export async function verify(
  o: { targets: string[]; verifyTimeoutMs: number; signal?: AbortSignal },
  expected: Map<string, ExpectedTally>,
  summary: LoadSummary,
): Promise<void> {
  const started = performance.now();
  const deadline = started + o.verifyTimeoutMs;
  let last: Findings;
  // Its own client, closed before the run prints: idle keep-alive sockets would hold the
  // process open for seconds after the summary.
  const client = new VotestreamClient({ nodes: o.targets });
  try {
    last = await verifyUntilDone(client, o, expected, deadline);
  } finally {
    await client.close();
  }
  Object.assign(summary, last, {
    verified: true,
    finalizedAfterMs:
      last.lost + last.duplicated + last.mismatched === 0
        ? Math.round(performance.now() - started)
        : null,
  });
}

/** Reads every target's tallies every 250 ms until they match, `deadline` passes or `signal` aborts. */
async function verifyUntilDone(
  client: VotestreamClient,
  o: { targets: string[]; signal?: AbortSignal },
  expected: Map<string, ExpectedTally>,
  deadline: number,
): Promise<Findings> {
  let last: Findings;
  for (;;) {
    last = { lost: 0, duplicated: 0, mismatched: 0, problems: [], sealed: [] };
    for (const target of o.targets) {
      for (const [pollId, want] of expected) {
        try {
          // One attempt per target and round: the loop itself asks again 250 ms later.
          const t = await client.tally(pollId, {
            node: target,
            retry: false,
            ...(o.signal ? { signal: o.signal } : {}),
          });
          last.lost += Math.max(0, want.ballots - t.ballots.finalized);
          last.duplicated += Math.max(0, t.ballots.finalized - want.ballots);
          if ('sealed' in t) {
            if (!last.sealed.includes(pollId)) last.sealed.push(pollId);
            continue;
          }
          for (const [option, n] of Object.entries(want.tally)) {
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
      return last;
    await new Promise((r) => setTimeout(r, 250));
  }
}
