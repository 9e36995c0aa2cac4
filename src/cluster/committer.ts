// Where votes are committed (the leader's side): per shard, the highest seq that a quorum of
// members has applied with the same chain hash as the leader's own fold (the rule:
// src/domain/commit-point.ts), marked with the leader's term. Markers are coalesced: one per
// shard per pass, however many votes it covers.
import { commitPoint, type Divergence, markerAt } from '../domain/commit-point.ts';
import { type Marker, type MarkOutcome, markCommits } from '../log/commit-marker.ts';
import type { Projections } from '../log/projections.ts';
import type { LogTarget } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';
import type { ClusterView } from './cluster-view.ts';
import type { LeaderLease } from './leader-lease.ts';

export interface CommitterOptions {
  target: LogTarget;
  projections: Projections;
  view: ClusterView;
  lease: LeaderLease;
  nodeId: string;
  now(): number;
  log: Logger;
  /** A marker was refused because a newer term fenced the shard: this node must step down. */
  onFenced(fence: number): void;
}

export class Committer {
  readonly #options: CommitterOptions;
  readonly #inFlight = new Set<number>();
  /** Highest seq marked per shard in this term (the fold may not have read it back yet). */
  readonly #marked = new Map<number, number>();
  /** Members whose reported hash disagrees with this node's fold, by "node:shard". */
  readonly divergent = new Map<string, Divergence>();
  markers = 0;

  constructor(options: CommitterOptions) {
    this.#options = options;
  }

  /** Forget what was marked: a new term starts from the log's committed seqs. */
  reset(): void {
    this.#marked.clear();
  }

  /** One pass over every shard: mark what a quorum has applied and is not yet committed. */
  pass(): void {
    const { projections, lease, nodeId } = this.#options;
    if (!lease.valid) return;
    const markers: (Marker & { shard: number })[] = [];
    const at = Math.round(this.#options.now());
    for (const reader of projections.readers) {
      const { shard } = reader;
      if (this.#inFlight.has(shard)) continue;
      const marker = markerAt(reader.state, this.commitPoint(shard), this.#marked.get(shard));
      if (marker) markers.push({ shard, term: lease.term, ...marker, by: nodeId, at });
    }
    if (markers.length === 0) return;
    // The shards of one master go together (see markCommits); each settles on its own.
    const outcomes = markCommits(this.#options.target, markers);
    markers.forEach((marker, i) => {
      this.#inFlight.add(marker.shard);
      void outcomes[i]!.then((outcome) => {
        this.#inFlight.delete(marker.shard);
        this.#settle(marker, outcome);
      });
    });
  }

  /**
   * The quorum's commit point for a shard, by this node's fold; 0 if there is none. Records
   * what the reports say about divergence (logged once per member and shard, shown in /cluster).
   */
  commitPoint(shard: number): number {
    const { projections, view, nodeId } = this.#options;
    const point = commitPoint({
      fold: projections.readers[shard]!.state,
      self: nodeId,
      members: view.members,
      reportOf: (member) => view.applied.get(member)?.shards.get(shard),
    });
    for (const member of point.agreed) this.divergent.delete(`${member}:${shard}`);
    for (const divergence of point.diverged) this.#divergence(divergence);
    return point.seq;
  }

  #settle({ shard, seq, term }: Marker & { shard: number }, outcome: MarkOutcome): void {
    const { log } = this.#options;
    if (outcome instanceof Error) {
      log.warn({ shard, err: outcome.message }, 'commit marker failed; retrying');
    } else if (outcome.status === 'marked') {
      this.#marked.set(shard, seq);
      this.markers++;
    } else if (outcome.status === 'fenced') {
      log.warn(
        { event: 'fenced', shard, term, fence: outcome.fence },
        'a newer term fenced this leader',
      );
      this.#options.onFenced(outcome.fence);
    } else if (outcome.status !== 'unchanged' && outcome.status !== 'not-durable') {
      log.error({ event: 'commit_refused', shard, seq, ...outcome }, 'commit marker refused');
    }
  }

  #divergence(d: Divergence): void {
    const key = `${d.nodeId}:${d.shard}`;
    if (!this.divergent.has(key)) {
      this.#options.log.error(
        { event: 'divergence', ...d },
        `node ${d.nodeId} diverges from this fold in shard ${d.shard} at seq ${d.seq}`,
      );
    }
    this.divergent.set(key, d);
  }
}
