// One graceful stop under one time budget (VS_STOP_TIMEOUT_MS). Each step of the stop runs
// until it finishes or its share of the budget is spent; a step that is not done by then is
// abandoned — recorded with why, for the caller to log — and the stop goes on with the next
// one. Whatever a step waits on (Redis, a client, the disk), it cannot hold the stop past the
// budget; the process exits right after, so an abandoned step's promise is simply left behind.

/** Work a stop gave up: the step and why. */
export interface AbandonedStep {
  step: string;
  reason: string;
}

export interface StepOptions {
  /** The most this step may take (ms); never more than what is left of the budget. */
  capMs?: number;
  /** Said after "not finished within N ms" when the step runs out of time (what is left open). */
  detail?: () => string;
}

/** Part of the bound kept back from the steps: the last log lines and the exit itself. */
const RESERVE_MS = 500;
const RESERVE_SHARE = 0.05;

export class StopDeadline {
  readonly abandoned: AbandonedStep[] = [];
  readonly #endsAt: number;
  readonly #now: () => number;
  readonly #running = new Set<string>();

  /**
   * @param boundMs the stop's whole bound; the steps get it less a small reserve (5 %, at most
   * 500 ms) for logging what happened and exiting.
   */
  constructor(boundMs: number, now: () => number = () => performance.now()) {
    this.#now = now;
    this.#endsAt = now() + boundMs - Math.min(RESERVE_MS, boundMs * RESERVE_SHARE);
  }

  /** Milliseconds the steps still have (never negative). */
  get remainingMs(): number {
    return Math.max(0, this.#endsAt - this.#now());
  }

  /** The steps running now: what a watchdog names if the process must end regardless. */
  get running(): string[] {
    return [...this.#running];
  }

  /** True while nothing was given up. */
  get clean(): boolean {
    return this.abandoned.length === 0;
  }

  /** Records work given up without trying it (say, a Redis write while Redis is away). */
  abandon(step: string, reason: string): void {
    this.abandoned.push({ step, reason });
  }

  /**
   * Runs `work` for at most `capMs` (default: the rest of the budget). Resolves true when it
   * finished; false when it failed or ran out of time, which is then recorded as abandoned.
   * Never rejects.
   */
  async step(
    name: string,
    work: () => Promise<unknown>,
    options: StepOptions = {},
  ): Promise<boolean> {
    const allowedMs = Math.round(
      Math.min(options.capMs ?? Number.POSITIVE_INFINITY, this.remainingMs),
    );
    let timer: NodeJS.Timeout | undefined;
    this.#running.add(name);
    try {
      const finished = await Promise.race([
        Promise.resolve()
          .then(work)
          .then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), allowedMs);
        }),
      ]);
      if (!finished) {
        const detail = options.detail?.();
        this.abandon(name, `not finished within ${allowedMs} ms${detail ? `: ${detail}` : ''}`);
      }
      return finished;
    } catch (error) {
      this.abandon(name, `failed: ${(error as Error).message}`);
      return false;
    } finally {
      clearTimeout(timer);
      this.#running.delete(name);
    }
  }
}
