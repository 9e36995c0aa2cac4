// Where the leader may commit a shard, from the members' Applied reports: the highest seq that
// a quorum of members has applied with the same chain hash as the leader's own fold there. A
// report with another hash is a divergence: it does not count, and the leader reports it.
import { hashAt } from './fold-progress.ts';
import type { ShardState } from './fold-state.ts';
import { quorumMembers, quorumSeq, quorumSize } from './membership.ts';

/** A member's latest Applied report for one shard: its applied seq and its chain hash there. */
export interface ShardReport {
  seq: number;
  hash: string;
}

/** A member whose report disagrees with the leader's fold at the report's seq. */
export interface Divergence {
  nodeId: string;
  shard: number;
  seq: number;
  /** The member's chain hash at `seq`. */
  theirs: string;
  /** The leader's. */
  mine: string;
}

export interface CommitReports {
  /** The leader's fold of the shard: its own report, and the hashes others are checked by. */
  fold: ShardState;
  /** The leader's node id. */
  self: string;
  /** The configured member set (empty: the leader alone). */
  members: readonly string[];
  /** A member's latest report for this shard; undefined if it never reported one. */
  reportOf(nodeId: string): ShardReport | undefined;
}

export interface CommitPoint {
  /** The highest seq a quorum of members applied with the leader's hashes; 0 if none. */
  seq: number;
  /**
   * Members whose report above the committed seq has the leader's hash there: a divergence
   * recorded for one of them in this shard is over.
   */
  agreed: string[];
  /** Members whose report has another hash than the leader's fold at its seq, in member order. */
  diverged: Divergence[];
}

/**
 * The commit point of one shard and what the reports say about divergence. A report from a
 * member ahead of the leader's fold cannot be checked yet: it does not count and says nothing
 * (the leader catches up soon).
 */
export function commitPoint({ fold, self, members, reportOf }: CommitReports): CommitPoint {
  const set = quorumMembers(members, self);
  const confirmed: number[] = [];
  const agreed: string[] = [];
  const diverged: Divergence[] = [];
  for (const member of set) {
    const report =
      member === self ? { seq: fold.appliedSeq, hash: fold.headHash } : reportOf(member);
    if (!report || report.seq > fold.appliedSeq) continue;
    // What is committed is settled (the fold keeps no hashes below it): it counts as it is.
    if (report.seq <= fold.committedSeq) {
      confirmed.push(report.seq);
      continue;
    }
    // Known at every seq from the committed seq to the applied seq (undefined is a guard).
    const mine = hashAt(fold, report.seq);
    if (mine === report.hash) {
      confirmed.push(report.seq);
      agreed.push(member);
    } else if (mine !== undefined) {
      diverged.push({
        nodeId: member,
        shard: fold.shard,
        seq: report.seq,
        theirs: report.hash,
        mine,
      });
    }
  }
  return { seq: quorumSeq(confirmed, quorumSize(set.length)), agreed, diverged };
}

/**
 * The marker the leader writes for a shard whose commit point is `point`: at `point`, with the
 * fold's hash there, if it is past both the committed seq and `markedSeq` (what this term
 * marked already, which the fold may not have read back yet). Undefined: nothing to mark.
 */
export function markerAt(
  fold: ShardState,
  point: number,
  markedSeq = 0,
): { seq: number; hash: string } | undefined {
  if (point <= Math.max(fold.committedSeq, markedSeq)) return undefined;
  const hash = hashAt(fold, point);
  return hash ? { seq: point, hash } : undefined;
}
