// One poll's share of the log, for audit: its own entries and every commit marker, with the
// other polls' chained entries between them folded into ElidedRuns, so that the export stays
// small and the recount (`votestream tally --from-file`) still follows each shard's chain
// from genesis to the head.
import type { ElidedRun, ShardEvent } from './events.ts';

/** Feeds a shard's entries in stream order; returns what the export shows for each. */
export class PollExport {
  readonly #pollId: string;
  /** Per shard: the run of other polls' entries not yet shown. */
  readonly #open = new Map<number, ElidedRun>();

  constructor(pollId: string) {
    this.#pollId = pollId;
  }

  /** What to export for `entry` of `shard`: nothing, or the pending run and then the entry. */
  accept<E extends ShardEvent>(shard: number, entry: E): (E | ElidedRun)[] {
    if (entry.type !== 'CommitMarked' && entry.pollId !== this.#pollId) {
      const { seq, hash } = entry;
      if (seq === undefined || hash === undefined) return [];
      const run = this.#open.get(shard);
      if (run && run.seq + 1 === seq) {
        run.seq = seq;
        run.hash = hash;
      } else {
        const out: (E | ElidedRun)[] = run ? [run] : [];
        this.#open.set(shard, { type: 'ElidedRun', fromSeq: seq, seq, hash });
        return out;
      }
      return [];
    }
    const run = this.#open.get(shard);
    if (!run) return [entry];
    this.#open.delete(shard);
    return [run, entry];
  }

  /** The runs still open at the end of the log (the shards' heads), by shard. */
  finish(): { shard: number; run: ElidedRun }[] {
    const out = [...this.#open].map(([shard, run]) => ({ shard, run }));
    this.#open.clear();
    return out;
  }
}
