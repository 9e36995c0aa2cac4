// Per shard, when its votes could not be acknowledged, as a client saw it (the load generator
// and the chaos runs' unavailability column). A stretch of time is an outage of a shard when
// a vote of that shard had been sent, no vote of that shard was acknowledged since — on any
// node — and the service refused a vote of that shard meanwhile (a 503: it said it could not
// take it now). So a vote hanging on a paused node while the others acknowledge the same shard
// is no outage, nor is a stretch in which the generator itself sent nothing else of the shard
// (all its connections busy elsewhere) but nothing was refused. Only stretches of at least
// `minMs` count, so ordinary latency (a few ms to a few hundred) is not an outage.
//
// Fed in time order from one thread: each vote's first attempt (`sent`), every 503
// (`refused`), and every 200/201 with a receipt (`acknowledged`).

export interface ShardOutage {
  shard: number;
  /** Seconds from the start of the load. */
  fromS: number;
  toS: number;
}

export class ShardOutages {
  readonly #minMs: number;
  readonly #start: number;
  /** Per shard: the first send since its last acknowledgement (performance.now()), if any. */
  readonly #waitingSince: (number | undefined)[];
  /** Per shard: whether a vote of it was refused since it began to wait. */
  readonly #refused: boolean[];
  readonly #outages: { shard: number; from: number; to: number }[] = [];

  /** `start`: when the load began (performance.now()); outages are reported from there. */
  constructor(shards: number, start: number, minMs = 1000) {
    this.#waitingSince = new Array(shards).fill(undefined);
    this.#refused = new Array(shards).fill(false);
    this.#start = start;
    this.#minMs = minMs;
  }

  /** A vote of `shard` was sent for the first time (retries are not new sends). */
  sent(shard: number, at: number): void {
    if (this.#waitingSince[shard] === undefined) this.#waitingSince[shard] = at;
  }

  /** A vote of `shard` was refused (503): the stretch it waits in is the shard's doing. */
  refused(shard: number): void {
    if (this.#waitingSince[shard] !== undefined) this.#refused[shard] = true;
  }

  /** A vote of `shard` was acknowledged at `at`: whatever waited for the shard is over. */
  acknowledged(shard: number, at: number): void {
    const since = this.#waitingSince[shard];
    if (since !== undefined && this.#refused[shard] && at - since >= this.#minMs)
      this.#outages.push({ shard, from: since, to: at });
    this.#waitingSince[shard] = undefined;
    this.#refused[shard] = false;
  }

  /**
   * The outages within [start, end] (`end`: when the load stopped sending), an outage still
   * open at `end` included up to `end`; in time order.
   */
  outages(end: number): ShardOutage[] {
    const open = this.#waitingSince.flatMap((since, shard) =>
      since !== undefined && this.#refused[shard] && end - since >= this.#minMs
        ? [{ shard, from: since, to: end }]
        : [],
    );
    const seconds = (t: number) => Math.round((t - this.#start) / 100) / 10;
    return [...this.#outages, ...open]
      .filter((o) => o.from < end)
      .map((o) => ({ shard: o.shard, fromS: seconds(o.from), toS: seconds(Math.min(o.to, end)) }))
      .sort((a, b) => a.fromS - b.fromS || a.shard - b.shard);
  }
}

/** Seconds of outage per shard (index = shard), rounded to tenths. */
export function unavailableSeconds(outages: readonly ShardOutage[], shards: number): number[] {
  const total = new Array<number>(shards).fill(0);
  for (const o of outages) total[o.shard] = (total[o.shard] ?? 0) + (o.toS - o.fromS);
  return total.map((s) => Math.round(s * 10) / 10);
}
