// Who is alive, by how long ago each node was last heard from, and what a quorum is.
// Ages come from the observer's own monotonic clock, so no two nodes' clocks are compared.

export type Liveness = 'alive' | 'suspect' | 'dead';

/** alive → suspect after two missed heartbeats → dead after the failure timeout. */
export function liveness(ageMs: number, heartbeatMs: number, failureTimeoutMs: number): Liveness {
  if (ageMs >= failureTimeoutMs) return 'dead';
  if (ageMs >= 2 * heartbeatMs) return 'suspect';
  return 'alive';
}

/**
 * The member set that counts toward quorum: the configured one, or, when none is configured,
 * this node alone (a single node commits by itself).
 */
export function quorumMembers(members: readonly string[], self: string): readonly string[] {
  return members.length ? members : [self];
}

/** A majority of the member set. */
export function quorumSize(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * The highest seq that at least `quorum` of the given applied seqs reach: the quorum-th
 * largest. 0 when fewer than `quorum` members report.
 */
export function quorumSeq(applied: number[], quorum: number): number {
  if (quorum <= 0 || applied.length < quorum) return 0;
  return [...applied].sort((a, b) => b - a)[quorum - 1]!;
}
