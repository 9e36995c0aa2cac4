// The cluster clock: the time of the Redis master holding {ctl}. A node learns its offset
// from its own heartbeats (Cristian's method): the XADD id is the server's time in ms, taken
// somewhere between sending (t0) and receiving the reply (t1) on the local clock.

export interface ClockSample {
  /** serverMs − (t0 + t1) / 2 */
  offsetMs: number;
  /** (t1 − t0) / 2: the server's time lies within ± this of the estimate. */
  uncertaintyMs: number;
  /** Local time of the sample. */
  at: number;
}

export function clockSample(t0: number, serverMs: number, t1: number): ClockSample {
  return { offsetMs: serverMs - (t0 + t1) / 2, uncertaintyMs: (t1 - t0) / 2 + 0.5, at: t1 };
}

/** The best (least uncertain) of the recent samples; round trips inflated by load lose. */
export function bestSample(samples: readonly ClockSample[]): ClockSample | undefined {
  let best: ClockSample | undefined;
  for (const s of samples) if (!best || s.uncertaintyMs < best.uncertaintyMs) best = s;
  return best;
}
