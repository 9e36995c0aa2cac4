// Per shard, when its votes could not be acknowledged, as a client saw it (the load generator
// and the chaos runs' unavailability column). A moment belongs to an outage of a shard when
// a vote of that shard had been sent and no vote of that shard was acknowledged since — on
// any node: a vote hanging on a paused node while the others acknowledge the same shard is
// not the shard's outage. Only stretches of at least `minMs` count, so ordinary latency
// (a few ms to a few hundred) is not an outage.
//
// Fed in time order from one thread: each vote's first attempt (`sent`), and every 200/201
// with a receipt (`acknowledged`).

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
  readonly #outages: { shard: number; from: number; to: number }[] = [];

  /** `start`: when the load began (performance.now()); outages are reported from there. */
  constructor(shards: number, start: number, minMs = 1000) {
    this.#waitingSince = new Array(shards).fill(undefined);
    this.#start = start;
    this.#minMs = minMs;
  }

  /** A vote of `shard` was sent for the first time (retries are not new sends). */
  sent(shard: number, at: number): void {
    if (this.#waitingSince[shard] === undefined) this.#waitingSince[shard] = at;
  }

  /** A vote of `shard` was acknowledged at `at`: whatever waited for the shard is over. */
  acknowledged(shard: number, at: number): void {
    const since = this.#waitingSince[shard];
    if (since !== undefined && at - since >= this.#minMs)
      this.#outages.push({ shard, from: since, to: at });
    this.#waitingSince[shard] = undefined;
  }

  /**
   * The outages within [start, end] (`end`: when the load stopped sending), an outage still
   * open at `end` included up to `end`; in time order.
   */
  outages(end: number): ShardOutage[] {
    const open = this.#waitingSince.flatMap((since, shard) =>
      since !== undefined && end - since >= this.#minMs ? [{ shard, from: since, to: end }] : [],
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
