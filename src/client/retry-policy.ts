// When the client tries a request again, where, and after how long: pure decisions, tested
// without a server (test/client/retry-policy.test.ts). The client asks and acts.

/** How long and how often the client keeps trying one call. */
export interface RetryPolicy {
  /** Attempts at most, the first included (1: never retry). */
  maxAttempts: number;
  /** Milliseconds from the first attempt after which no attempt starts. */
  deadlineMs: number;
  /**
   * Most milliseconds a Retry-After is honoured for: a longer one is waited this long (the
   * server's hint is a floor we respect up to here, not a promise to sit out a minute).
   */
  maxRetryAfterMs: number;
  /** Pause before a retry without Retry-After: the first, doubling up to the last (ms). */
  backoffMs: { first: number; max: number };
}

/** The client's default: about 30 s of retries, Retry-After honoured up to 10 s. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  deadlineMs: 30_000,
  maxRetryAfterMs: 10_000,
  backoffMs: { first: 100, max: 5_000 },
};

/** What one attempt ran into. */
export type AttemptOutcome =
  /** An answer from a node: its status and Retry-After (seconds, when it sent one). */
  | { kind: 'answer'; status: number; retryAfterS?: number }
  /**
   * No answer. `sent: false` when the request never reached a node (connection refused, no
   * such host, connect timeout): nothing can have been written, any request may go again.
   */
  | { kind: 'network'; sent: boolean };

/** What the client does next. */
export type NextStep =
  | { retry: false }
  /** Wait `delayMs`, then try `nodeIndex` (an index into the node list). */
  | { retry: true; delayMs: number; nodeIndex: number };

/**
 * Whether to try again after `outcome` of attempt number `attempt` (1-based) at node
 * `nodeIndex` of `nodes` nodes, `elapsedMs` after the first attempt.
 *
 * - 503 and 429 wrote nothing the retry could duplicate (a 503 on a vote names the voteId to
 *   retry with, which the caller keeps): retried after Retry-After (capped) or the backoff, at
 *   the next node — another node may be ready when this one is not, and for a shard outage
 *   every node is alike.
 * - A request that never reached a node is retried at the next node at once while the round
 *   of nodes is not over (failover), then after the backoff.
 * - A request that may have reached a node is retried only when `repeatable` (the same
 *   request again cannot do anything twice: a read, or a vote under a fixed voteId).
 * - Any other answer is final: a 4xx is the caller's to see, and a 500 is a bug that
 *   repeating will not fix.
 * No retry starts past `policy.deadlineMs` or `policy.maxAttempts`.
 */
export function nextStep(
  outcome: AttemptOutcome,
  o: { attempt: number; elapsedMs: number; nodeIndex: number; nodes: number; repeatable: boolean },
  policy: RetryPolicy,
): NextStep {
  if (o.attempt >= policy.maxAttempts) return { retry: false };
  const next = (o.nodeIndex + 1) % o.nodes;
  const backoff = Math.min(policy.backoffMs.first * 2 ** (o.attempt - 1), policy.backoffMs.max);
  let delayMs: number;
  if (outcome.kind === 'answer') {
    if (outcome.status !== 503 && outcome.status !== 429) return { retry: false };
    delayMs =
      outcome.retryAfterS === undefined
        ? backoff
        : Math.min(outcome.retryAfterS * 1000, policy.maxRetryAfterMs);
  } else {
    if (outcome.sent && !o.repeatable) return { retry: false };
    // The first round goes through the list at once: a dead node costs no pause.
    delayMs = o.attempt < o.nodes ? 0 : backoff;
  }
  if (o.elapsedMs + delayMs > policy.deadlineMs) return { retry: false };
  return { retry: true, delayMs, nodeIndex: next };
}

/**
 * Seconds of a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3), measured
 * from `now` (ms). Undefined when absent or unreadable; never negative.
 */
export function retryAfterSeconds(
  header: string | undefined,
  now = Date.now(),
): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}
