// What the committer and the poll status need from a shard's projection: the chain hash at a
// seq (to check a member's report against this node's own fold) and whether a poll's close
// barrier is committed.
import { asFold, type ShardState } from './fold-state.ts';
import { recordedHash } from './fold-tail.ts';

/** The chain hash at `seq` if this state still knows it (committed seq … applied seq). */
export function hashAt(state: ShardState, seq: number): string | undefined {
  if (seq === state.appliedSeq) return state.headHash;
  if (seq === state.committedSeq) return state.committedHash;
  if (seq > state.committedSeq && seq < state.appliedSeq) return recordedHash(asFold(state), seq);
  return undefined;
}

/** The poll's barrier in this shard, if folded: its seq, and whether a marker covers it. */
export function barrierOf(
  state: ShardState,
  pollId: string,
): { seq: number; committed: boolean } | undefined {
  const fold = asFold(state);
  const index = fold.pollIndex.get(pollId);
  const seq = index === undefined ? 0 : (fold.polls[index]?.barrierSeq ?? 0);
  return seq > 0 ? { seq, committed: seq <= fold.committedSeq } : undefined;
}

/**
 * Whether `pollId` is final in this fold: its close barrier is folded and committed in every
 * shard. Its finalized counts can then no longer change. A barrier exists only after a close,
 * so this needs no catalogue; one shard without its barrier (not yet closed there, or not yet
 * folded here) keeps the poll from being final.
 */
export function pollFinal(pollId: string, shards: readonly ShardState[]): boolean {
  return shards.length > 0 && shards.every((state) => barrierOf(state, pollId)?.committed === true);
}
