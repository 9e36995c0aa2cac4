// The fold of one shard's log: evolveShard applies one entry, in stream order, to the shard's
// projection. Pure in the sense that matters here (no I/O, no clock, no randomness: the same
// entries give the same state on every node), but for throughput it updates the state in place:
// the state belongs to the fold, and evolveShard is its only writer.
import { chainHash, chainPayload } from './chain.ts';
import type {
  CommitMarked,
  ElidedRun,
  PollClosed,
  RollChanged,
  ShardEvent,
  VoteCast,
} from './events.ts';
import {
  asFold,
  BARRIER,
  choiceSetOf,
  countVoter,
  grown,
  markRollChanged,
  newSlot,
  pollOf,
  ROLL,
  type ShardFold,
  type ShardState,
  VOID_VOTE,
} from './fold-state.ts';
import {
  pushElided,
  pushTail,
  recordedHash,
  recordedHashIs,
  tailSetAt,
  trimTail,
} from './fold-tail.ts';

/** The entry changed the state. */
export interface Applied {
  readonly kind: 'applied';
}

/**
 * The entry was already reflected in the state; acknowledge it and go on. `duplicate`: a
 * redelivered chained entry whose hash is the one this state recorded at its seq (the head, or
 * any uncommitted seq). `stale-commit`: a CommitMarked at or below the committed seq.
 */
export interface Skipped {
  readonly kind: 'skipped';
  readonly reason: 'duplicate' | 'stale-commit';
}

/**
 * A chained entry that does not follow the head: `gap` (seq beyond head + 1), `repeat` (seq at
 * or below the head with a hash other than the one recorded there, or below the commit point
 * where no hash is kept), `hash` (next seq, but its hash is not chainHash(head, seq, payload)).
 * Not applied. The reader logs it and refolds the shard.
 */
export interface ChainBreak {
  readonly kind: 'break';
  readonly reason: 'gap' | 'repeat' | 'hash';
  readonly expectedSeq: number;
  readonly gotSeq: number;
}

/**
 * A CommitMarked that cannot be applied: `hash` (its hash is not the chain hash this state
 * computed at its seq: divergence), `ahead` (its seq is beyond the applied seq: in stream order a
 * marker follows the entries it covers, so this node is missing entries). Not applied, not
 * remembered. The reader logs it and refolds the shard.
 */
export interface CommitRejected {
  readonly kind: 'commit-rejected';
  readonly reason: 'hash' | 'ahead';
  readonly seq: number;
  readonly appliedSeq: number;
  /** The hash this state recorded at `seq` (absent when reason is `ahead`). */
  readonly expectedHash?: string;
  readonly gotHash: string;
}

export type FoldOutcome = Applied | Skipped | ChainBreak | CommitRejected;

const APPLIED: Applied = Object.freeze({ kind: 'applied' });
const DUPLICATE: Skipped = Object.freeze({ kind: 'skipped', reason: 'duplicate' });
const STALE_COMMIT: Skipped = Object.freeze({ kind: 'skipped', reason: 'stale-commit' });

/** Seqs live in Int32Array columns. */
const MAX_SEQ = 0x7fffffff;

/**
 * Applies one shard entry (in stream order) to `state`, IN PLACE, and says what happened. Only
 * an `applied` outcome changes the state; any other outcome leaves it exactly as it was.
 * `payload`: the entry's chain payload as stored in the stream (its `data` field, from which
 * `entry` was parsed); when given, the link is checked over those bytes instead of
 * re-serializing `entry` with chainPayload (the costliest step of the fold).
 * @throws TypeError for a PollClosed without seq/hash (a catalogue event, not a shard entry).
 */
export function evolveShard(
  state: ShardState,
  entry: ShardEvent | ElidedRun,
  payload?: string,
): FoldOutcome {
  const fold = asFold(state);
  if (entry.type === 'CommitMarked') return applyCommit(fold, entry);
  if (entry.type === 'ElidedRun') return applyElided(fold, entry);
  const { seq, hash } = entry;
  if (seq === undefined || hash === undefined) {
    throw new TypeError('a PollClosed in a shard carries seq and hash');
  }
  const expectedSeq = fold.appliedSeq + 1;
  if (seq !== expectedSeq) {
    if (seq > expectedSeq) return { kind: 'break', reason: 'gap', expectedSeq, gotSeq: seq };
    if (recordedHashIs(fold, seq, hash) === true) return DUPLICATE;
    return { kind: 'break', reason: 'repeat', expectedSeq, gotSeq: seq };
  }
  if (hash !== chainHash(fold.headHash, seq, payload ?? chainPayload(entry))) {
    return { kind: 'break', reason: 'hash', expectedSeq, gotSeq: seq };
  }
  if (seq > MAX_SEQ) throw new RangeError(`seq ${seq} is beyond the fold's ${MAX_SEQ}`);
  fold.seqSlot = grown(fold.seqSlot, seq + 1);
  if (entry.type === 'VoteCast') applyVote(fold, entry, seq, hash);
  else if (entry.type === 'RollChanged') applyRoll(fold, entry, seq, hash);
  else applyBarrier(fold, entry, seq, hash);
  fold.appliedSeq = seq;
  fold.headHash = hash;
  return APPLIED;
}

function applyVote(fold: ShardFold, vote: VoteCast, seq: number, hash: string): void {
  const poll = pollOf(fold, vote.pollId);
  if (poll.barrierSeq > 0) {
    fold.seqSlot[seq] = VOID_VOTE;
    pushTail(fold, seq, hash, -1);
    return;
  }
  const set = choiceSetOf(poll, vote.choices);
  let slot = poll.voters.get(vote.voterId);
  if (slot === undefined) {
    slot = newSlot(fold, poll);
    poll.voters.set(vote.voterId, slot);
  } else {
    countVoter(fold, poll, slot, -1);
  }
  // A later vote by the same voter supersedes the earlier (revote: replace).
  fold.slotLatestSeq[slot] = seq;
  fold.slotLatestSet[slot] = set;
  fold.slotWeight[slot] = vote.weight ?? 1;
  countVoter(fold, poll, slot, 1);
  fold.seqSlot[seq] = slot;
  pushTail(fold, seq, hash, set);
}

/**
 * Other polls' entries in an export: they advance the chain to (`seq`, `hash`) and count for
 * nothing here. A marker at one of their inner seqs cannot have its hash checked (undefined in
 * recordedHashIs); at `seq` it can.
 */
function applyElided(fold: ShardFold, run: ElidedRun): FoldOutcome {
  const { fromSeq, seq, hash } = run;
  const expectedSeq = fold.appliedSeq + 1;
  if (fromSeq !== expectedSeq) {
    return {
      kind: 'break',
      reason: fromSeq > expectedSeq ? 'gap' : 'repeat',
      expectedSeq,
      gotSeq: fromSeq,
    };
  }
  if (!(seq >= fromSeq && seq <= MAX_SEQ) || !/^[0-9a-f]{40}$/.test(hash)) {
    return { kind: 'break', reason: 'hash', expectedSeq, gotSeq: fromSeq };
  }
  fold.seqSlot = grown(fold.seqSlot, seq + 1);
  for (let elided = fromSeq; elided < seq; elided++) {
    fold.seqSlot[elided] = VOID_VOTE;
    pushElided(fold, elided);
    // pushTail may compact the tail, keeping committedSeq+1 … appliedSeq: it must count the
    // seqs of this run already pushed.
    fold.appliedSeq = elided;
  }
  fold.seqSlot[seq] = VOID_VOTE;
  pushTail(fold, seq, hash, -1);
  fold.appliedSeq = seq;
  fold.headHash = hash;
  return APPLIED;
}

/**
 * Voters added to the poll's roll in this shard: counted into the roll's size and weight,
 * whether the poll is closed or not (the add script refuses after the barrier; a crafted log
 * that has one anyway is counted as it says, and the chain shows where).
 */
function applyRoll(fold: ShardFold, roll: RollChanged, seq: number, hash: string): void {
  const poll = pollOf(fold, roll.pollId);
  poll.rollCount += roll.count;
  poll.rollWeight += roll.weight;
  markRollChanged(poll);
  fold.seqSlot[seq] = ROLL;
  pushTail(fold, seq, hash, -1);
}

function applyBarrier(fold: ShardFold, closed: PollClosed, seq: number, hash: string): void {
  const poll = pollOf(fold, closed.pollId);
  if (poll.barrierSeq === 0) poll.barrierSeq = seq;
  fold.seqSlot[seq] = BARRIER;
  pushTail(fold, seq, hash, -1);
}

function applyCommit(fold: ShardFold, marker: CommitMarked): FoldOutcome {
  const { seq, hash } = marker;
  const { appliedSeq, committedSeq } = fold;
  if (seq > appliedSeq) {
    return { kind: 'commit-rejected', reason: 'ahead', seq, appliedSeq, gotHash: hash };
  }
  if (recordedHashIs(fold, seq, hash) === false) {
    const expectedHash = recordedHash(fold, seq);
    return {
      kind: 'commit-rejected',
      reason: 'hash',
      seq,
      appliedSeq,
      expectedHash,
      gotHash: hash,
    };
  }
  if (seq <= committedSeq) return STALE_COMMIT;
  for (let covered = committedSeq + 1; covered <= seq; covered++) {
    const slot = fold.seqSlot[covered]!;
    if (slot < 0) continue;
    const poll = fold.polls[fold.slotPoll[slot]!]!;
    countVoter(fold, poll, slot, -1);
    fold.slotCommittedSeq[slot] = covered;
    fold.slotCommittedSet[slot] = tailSetAt(fold, covered);
    countVoter(fold, poll, slot, 1);
  }
  fold.committedSeq = seq;
  fold.committedHash = hash;
  trimTail(fold);
  return APPLIED;
}
