// Paces the follow-reads of a node's shard readers. Every reader that is level with its shard
// waits for the same tick, so their reads leave in one turn of the event loop and ioredis's
// auto-pipelining sends them as one write per master: a node reading 16 shards costs a few
// writes per tick instead of a blocking read per shard per batch. (Each of those reads was a
// write syscall and a reply on loopback; under load they were a third of a node's CPU.)
//
// Ticks come every `busyMs` while reads find entries, and slow to `idleMs` once none has for
// `quietTicks` ticks, so an idle node polls gently and the first vote after a quiet spell
// waits at most `idleMs` to be folded.
//
// 10 ms, not 5: each tick costs a write per master, a reply per shard and their promises on
// every node, whatever it finds; at 10 ms three nodes took 5.7 % more single votes (median of
// six interleaved pairs), for 2–3 ms more from append to fold at the median and the same time
// to finalized (performance.md, 2026-11-30 fourth session).

export interface ReadTickerOptions {
  busyMs?: number;
  idleMs?: number;
  quietTicks?: number;
}

export class ReadTicker {
  readonly #busyMs: number;
  readonly #idleMs: number;
  readonly #quietTicks: number;
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #quiet = 0;
  #found = false;

  constructor({ busyMs = 10, idleMs = 25, quietTicks = 40 }: ReadTickerOptions = {}) {
    this.#busyMs = busyMs;
    this.#idleMs = idleMs;
    this.#quietTicks = quietTicks;
  }

  /** Resolves at the next tick, or at once when `signal` aborts. */
  next(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
      this.#schedule();
    });
  }

  /** A read found entries: keep the fast pace. */
  found(): void {
    this.#found = true;
    this.#quiet = 0;
  }

  /** The pace the next tick comes at (ms). */
  get intervalMs(): number {
    return this.#quiet >= this.#quietTicks ? this.#idleMs : this.#busyMs;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#tick(), this.intervalMs);
    // The node's server keeps the process up; a pending tick alone should not.
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#found) this.#quiet++;
    this.#found = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
