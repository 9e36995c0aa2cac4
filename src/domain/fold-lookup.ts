// Questions a node answers from a shard's projection: the status of the vote at a seq, a
// voter's vote. The projection keeps no voteId index: the HTTP layer finds a vote's shard and
// seq in Redis (the ids hash) and asks by seq.
import { asFold, BARRIER, choicesOf, ROLL, type ShardState, VOID_VOTE } from './fold-state.ts';

/**
 * - pending: not yet covered by a commit marker (also an uncommitted vote that a later,
 *   uncommitted vote of the same voter already replaces: its fate is decided when committed);
 * - finalized: committed, and its voter's latest committed vote (counted in `finalized`);
 * - superseded: committed, but a later vote by the same voter is committed too;
 * - void: after its poll's barrier in the shard; never counts.
 */
export type VoteStatus = 'pending' | 'finalized' | 'superseded' | 'void';

/**
 * The status of the vote at `seq` in this shard; undefined when no vote was applied there (seq
 * not an integer in 1…appliedSeq, or the seq of a PollClosed barrier or a RollChanged).
 */
export function voteStatusAt(
  state: ShardState,
  seq: number,
): { seq: number; status: VoteStatus } | undefined {
  const fold = asFold(state);
  if (!Number.isInteger(seq) || seq < 1 || seq > fold.appliedSeq) return undefined;
  const slot = fold.seqSlot[seq]!;
  if (slot === BARRIER || slot === ROLL) return undefined;
  if (slot === VOID_VOTE) return { seq, status: 'void' };
  if (seq > fold.committedSeq) return { seq, status: 'pending' };
  return { seq, status: fold.slotCommittedSeq[slot] === seq ? 'finalized' : 'superseded' };
}

export interface VoterVote {
  pollId: string;
  voterId: string;
  /** The voter's latest counted (non-void) vote in this shard. */
  seq: number;
  /** Its choices, in the vote's order (sorted for plurality, a ranking most preferred first). */
  choices: string[];
  status: 'pending' | 'finalized';
  /** The committed vote counted in `finalized` now (the latest one once it is committed). */
  finalized: { seq: number; choices: string[] } | null;
}

/** The vote counted for (`pollId`, `voterId`) in this shard; undefined if the voter has none. */
export function voterVote(
  state: ShardState,
  pollId: string,
  voterId: string,
): VoterVote | undefined {
  const fold = asFold(state);
  const pollIndex = fold.pollIndex.get(pollId);
  if (pollIndex === undefined) return undefined;
  const poll = fold.polls[pollIndex]!;
  const slot = poll.voters.get(voterId);
  if (slot === undefined) return undefined;
  const seq = fold.slotLatestSeq[slot]!;
  const committedSeq = fold.slotCommittedSeq[slot]!;
  return {
    pollId,
    voterId,
    seq,
    choices: choicesOf(poll, fold.slotLatestSet[slot]!),
    status: seq > fold.committedSeq ? 'pending' : 'finalized',
    finalized:
      committedSeq === 0
        ? null
        : { seq: committedSeq, choices: choicesOf(poll, fold.slotCommittedSet[slot]!) },
  };
}

/** Whether `pollId`'s PollClosed barrier has been applied in this shard. */
export function isClosedInShard(state: ShardState, pollId: string): boolean {
  const fold = asFold(state);
  const pollIndex = fold.pollIndex.get(pollId);
  return pollIndex !== undefined && fold.polls[pollIndex]!.barrierSeq > 0;
}
