// Sending votes and retrying them: a slot per request on its way (bounded by --connections),
// POST /votes or /votes/batch through the client (src/client/) on undici pools, and retries of
// 503s, 429s and network errors with the same voteId, round the targets, after a pause that
// doubles. The client makes one attempt per call here: the retries are the run's to schedule
// (a vote waiting to be retried gives its slot back; an interrupted run stops retrying), and
// every answer is counted in the run's statuses.
import { setMaxListeners } from 'node:events';
import { Agent } from 'undici';
import { type BatchOutcome, VotestreamClient, VotestreamError } from '../../client/index.ts';
import type { Vote } from './votes.ts';

/** Where an acknowledged vote was recorded. */
export interface Receipt {
  seq: number;
  shard: number;
}

/** What the sender reports as answers come in. */
export interface SendEvents {
  /** Every answer's status (or `network-error`), once per vote it settles or retries. */
  status(key: string): void;
  /** A 200/201 with its receipt; `dueAt` is when the vote was due (performance.now()). */
  acknowledged(vote: Vote, receipt: Receipt, dueAt: number): void;
  /** A 503 or 429: the vote will be sent again unless the run is stopping. */
  refused(vote: Vote, status: number): void;
}

/** Pauses before a refused vote is sent again: the first, and the most it doubles to. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 10_000;
/** The longest the warm-up before a run may take. */
const WARM_UP_MAX_MS = 2000;

/** Sends votes to the targets and retries them until settled, stopped or cut off. */
export class VoteSender {
  /** Requests on their way (a vote waiting to be retried does not hold one). */
  inFlight = 0;
  /** Votes sent again. */
  retried = 0;
  /** Votes given up without an answer that settles them. */
  abandoned = 0;
  /** Set when the run ends: votes refused from then on are abandoned, not retried. */
  stopping = false;
  readonly #targets: string[];
  readonly #batch: boolean;
  readonly #events: SendEvents;
  readonly #interrupted: Promise<void>;
  readonly #signal: AbortSignal | undefined;
  // undici pools (an Agent: one Pool per target), not fetch: the generator must cost the
  // machine far less than the service.
  readonly #agent: Agent;
  readonly #client: VotestreamClient;
  /** Cuts off the requests in flight when an interrupted run's time is up. */
  readonly #cutOff = new AbortController();
  #slotFreed: () => void = () => {};
  #slotFree: Promise<void>;

  /**
   * @param interrupted resolves when the run is interrupted (a retry's pause ends at once)
   * @param signal the run's signal: once aborted, votes refused are abandoned
   */
  constructor(
    o: { targets: string[]; connections: number; batch: number },
    events: SendEvents,
    interrupted: Promise<void>,
    signal?: AbortSignal,
  ) {
    this.#targets = o.targets;
    this.#batch = o.batch > 1;
    this.#events = events;
    this.#interrupted = interrupted;
    this.#signal = signal;
    this.#agent = new Agent({ connections: o.connections, pipelining: 1 });
    this.#client = new VotestreamClient({
      nodes: o.targets,
      dispatcher: this.#agent,
      timeoutMs: 10_000,
      retry: { maxAttempts: 1 },
    });
    // Every request in flight listens to it (up to --connections of them).
    setMaxListeners(0, this.#cutOff.signal);
    this.#slotFree = new Promise<void>((r) => {
      this.#slotFreed = r;
    });
  }

  /** Resolves when a request slot is given back. */
  slotFreed(): Promise<void> {
    return this.#slotFree;
  }

  /**
   * Sends `votes` in one request to `target` (taking a slot) and retries what is refused;
   * resolves when every vote is settled or abandoned. Never rejects.
   */
  async dispatch(votes: Vote[], dueAt: number, target: string): Promise<void> {
    this.inFlight++;
    try {
      await this.#send(votes, dueAt, target);
    } finally {
      this.#release();
    }
  }

  /**
   * Opens the connections and runs the request path before the clock starts: `rounds` rounds
   * of GET /health on `perTarget` connections of every target, nothing written, for at most
   * WARM_UP_MAX_MS (a node that does not answer must not hold the run up). A fresh process's
   * first requests (new connections, code not yet optimized) were slow enough to put the
   * first second of every run behind its schedule.
   */
  async warmUp(rounds: number, perTarget: number): Promise<void> {
    const signal = AbortSignal.any([
      AbortSignal.timeout(WARM_UP_MAX_MS),
      ...(this.#signal ? [this.#signal] : []),
    ]);
    // Every warm-up request listens to it.
    setMaxListeners(0, signal);
    for (let round = 0; round < rounds && !signal.aborted; round++) {
      await Promise.all(
        this.#targets.flatMap((node) =>
          Array.from({ length: perTarget }, () =>
            this.#client.health({ node, retry: false, signal }).catch(() => undefined),
          ),
        ),
      );
    }
  }

  /** Aborts every request in flight (an interrupted run whose time is up). */
  cutOff(): void {
    this.#cutOff.abort();
  }

  /** Closes the pools; `destroy` drops connections instead of closing them politely. */
  async close(destroy: boolean): Promise<void> {
    await (destroy ? this.#agent.destroy() : this.#agent.close());
  }

  #release(): void {
    this.inFlight--;
    this.#slotFreed();
    this.#slotFree = new Promise<void>((r) => {
      this.#slotFreed = r;
    });
  }

  async #send(votes: Vote[], dueAt: number, firstTarget: string): Promise<void> {
    let target = firstTarget;
    let pending = votes;
    let pause = RETRY_FIRST_MS;
    while (pending.length) {
      const retry = await this.#request(pending, dueAt, target);
      if (retry === 'cut off') {
        this.abandoned += pending.length;
        return;
      }
      if (!retry.length) return;
      if (this.stopping) {
        this.abandoned += retry.length;
        return;
      }
      this.retried += retry.length;
      pending = retry;
      // Another node may serve while this one is down: retries go round the targets, after a
      // pause that doubles (200 ms … 10 s, ±25 % so that votes refused together do not come
      // back together): a long outage of a shard costs a bounded rate of retries, and the
      // shard's fresh votes still find out at once when it is back.
      target = this.#targets[(this.#targets.indexOf(target) + 1) % this.#targets.length]!;
      // A vote waiting to be retried gives its slot back, so the votes of a shard that
      // refuses for a long time (a master lost) do not hold up the others'.
      this.#release();
      // An interrupted run does not sit out a retry's pause (up to 10 s).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((r) => {
          timer = setTimeout(r, pause * (0.75 + Math.random() / 2));
        }),
        this.#interrupted,
      ]);
      clearTimeout(timer);
      pause = Math.min(2 * pause, RETRY_MAX_MS);
      this.inFlight++;
      if (this.stopping || this.#signal?.aborted) {
        this.abandoned += pending.length;
        return;
      }
    }
  }

  /** One request: the votes to send again, or 'cut off' when the run cut it off. */
  async #request(pending: Vote[], dueAt: number, target: string): Promise<Vote[] | 'cut off'> {
    const retry: Vote[] = [];
    const call = { node: target, retry: false as const, signal: this.#cutOff.signal };
    let outcomes: BatchOutcome[];
    try {
      outcomes = this.#batch
        ? await this.#client.castBatch(pending, call)
        : [await this.#client.cast(pending[0]!, call).catch(refusal)];
    } catch (error) {
      if (this.#cutOff.signal.aborted) return 'cut off';
      // The client settles every refusal and network failure as an outcome; whatever else
      // went wrong, the votes are unsettled and go again, as after a network error.
      const unsettled = new VotestreamError({
        status: 0,
        code: 'NETWORK_ERROR',
        message: String(error),
        node: target,
      });
      outcomes = pending.map(() => ({ status: 0, error: unsettled }));
    }
    outcomes.forEach((r, i) => {
      const vote = pending[i]!;
      // Status 0: no answer (NETWORK_ERROR); the vote goes again under its voteId.
      this.#events.status(r.status === 0 ? 'network-error' : String(r.status));
      if ('receipt' in r) {
        this.#events.acknowledged(vote, r.receipt, dueAt);
      } else if (r.status === 503 || r.status === 429) {
        this.#events.refused(vote, r.status);
        retry.push(vote);
      } else if (r.status === 0) {
        retry.push(vote);
      }
    });
    return retry;
  }
}

/** A refusal or network failure as a batch outcome; anything else (an abort) goes on. */
function refusal(error: unknown): BatchOutcome {
  if (error instanceof VotestreamError) return { status: error.status, error };
  throw error;
}
