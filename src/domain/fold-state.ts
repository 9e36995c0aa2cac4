// The in-memory projection of one shard, laid out to hold ~1M voters per node: per voter only
// typed-array columns indexed by a "slot" (one per poll and voter with a counted vote), option
// ids interned per poll, choices interned as per-poll choice sets, and the chain hashes kept
// as bytes only for the uncommitted tail. Only fold.ts (evolveShard) and projection-snapshot.ts
// (restoreShard) write it; everything else reads it through the exported functions.
import { GENESIS_HASH } from './chain.ts';
import { ChoiceSets } from './choice-sets.ts';

/** What anyone may read of a shard's projection. Build one with `createShardState`. */
export interface ShardState {
  readonly shard: number;
  /** Seq of the last chained entry (VoteCast, PollClosed, RollChanged) applied; 0 before the first. */
  readonly appliedSeq: number;
  /** Chain hash at `appliedSeq` (GENESIS_HASH before the first entry). */
  readonly headHash: string;
  /** Highest seq covered by an applied CommitMarked; 0 before the first. */
  readonly committedSeq: number;
  /** Chain hash at `committedSeq`. */
  readonly committedHash: string;
}

/** `seqSlot` codes for chained entries that are not counted votes. */
export const VOID_VOTE = -1;
export const BARRIER = -2;
/** A RollChanged: voters added to the roll, no vote. */
export const ROLL = -3;

/** One poll as seen in one shard. Internal to the fold modules. */
export interface PollFold {
  readonly id: string;
  readonly index: number;
  /** Seq of this poll's PollClosed in this shard; 0 while open. */
  barrierSeq: number;
  /** Interned option ids, in order of first appearance in this shard. */
  readonly options: string[];
  readonly optionIndex: Map<string, number>;
  /** Interned choice sets (distinct option indices), with ballots counted per set. */
  readonly sets: ChoiceSets;
  /** voterId → slot. */
  readonly voters: Map<string, number>;
  /** The last per-option counts made from `sets` (optionCounts), by which choices. */
  counted: { every?: OptionCounts; first?: OptionCounts };
  ballotsFinalized: number;
  ballotsPending: number;
  /** Voters counted in finalized whose later vote is not committed yet. */
  revotesPending: number;
  /**
   * The ballots' weights summed (a weighted poll; elsewhere each ballot weighs 1, and these
   * equal `ballotsFinalized`, `ballotsPending`). The sets' counts, and so the per-option counts
   * made from them (optionCounts), are by weight.
   */
  weightFinalized: number;
  weightPending: number;
  /** The roll's share in this shard, from its RollChanged entries: voters and their weight. */
  rollCount: number;
  rollWeight: number;
  /**
   * Change marks: the process-wide change number of the last change to this poll's finalized
   * counts (`finalizedChange`) and to any of its counts (`change`); 0 before the first. Equal
   * marks mean equal counts, so a count of the poll can be cached by them.
   */
  finalizedChange: number;
  change: number;
}

/** Numbers every change to any poll's counts in this process, so a change mark is never reused
 * (not even by a projection rebuilt from zero after a chain break). */
let changes = 0;

const MIN_CAPACITY = 64;
const HASH_BYTES = 20;

/** The mutable shard projection. Internal: callers hold it as a `ShardState`. */
export class ShardFold implements ShardState {
  appliedSeq = 0;
  headHash = GENESIS_HASH;
  committedSeq = 0;
  committedHash = GENESIS_HASH;
  readonly polls: PollFold[] = [];
  readonly pollIndex = new Map<string, number>();
  /** [seq] → slot of the vote at seq, VOID_VOTE or BARRIER (index 0 unused). */
  seqSlot = new Int32Array(MIN_CAPACITY);
  // Slot columns: one row per (poll, voter) with a counted vote.
  slotCount = 0;
  slotPoll = new Int32Array(MIN_CAPACITY);
  slotLatestSeq = new Int32Array(MIN_CAPACITY);
  slotLatestSet = new Int32Array(MIN_CAPACITY);
  /** 0 = the voter has no committed vote yet. */
  slotCommittedSeq = new Int32Array(MIN_CAPACITY);
  slotCommittedSet = new Int32Array(MIN_CAPACITY);
  /**
   * The weight of the voter's ballots (1 outside weighted polls): a weighted VoteCast's
   * `weight`. The roll never changes a voter's weight, so one column serves the latest and the
   * committed vote.
   */
  slotWeight = new Float64Array(MIN_CAPACITY);
  // The uncommitted tail, seqs committedSeq+1 … appliedSeq, stored from index seq - tailBase.
  tailBase = 1;
  tailHashes = new Uint8Array(MIN_CAPACITY * HASH_BYTES);
  /** Choice set of the vote at that seq; -1 for void votes and barriers. */
  tailSets = new Int32Array(MIN_CAPACITY);

  constructor(readonly shard: number) {}
}

/** A fresh, empty projection of shard `shard`. */
export function createShardState(shard: number): ShardState {
  return new ShardFold(shard);
}

/** The mutable view of a state made by createShardState / restoreShard. */
export function asFold(state: ShardState): ShardFold {
  if (!(state instanceof ShardFold)) {
    throw new TypeError('not a shard state made by createShardState or restoreShard');
  }
  return state;
}

/** `array` if it already holds `size` items, else a copy of it at least twice as long. */
export function grown<A extends Int32Array | Uint8Array | Float64Array>(array: A, size: number): A {
  if (size <= array.length) return array;
  let capacity = Math.max(array.length, MIN_CAPACITY);
  while (capacity < size) capacity *= 2;
  const copy = new (array.constructor as new (length: number) => A)(capacity);
  copy.set(array);
  return copy;
}

export function pollOf(fold: ShardFold, pollId: string): PollFold {
  const index = fold.pollIndex.get(pollId);
  if (index !== undefined) return fold.polls[index]!;
  const poll: PollFold = {
    id: pollId,
    index: fold.polls.length,
    barrierSeq: 0,
    options: [],
    optionIndex: new Map(),
    sets: new ChoiceSets(),
    voters: new Map(),
    counted: {},
    ballotsFinalized: 0,
    ballotsPending: 0,
    revotesPending: 0,
    weightFinalized: 0,
    weightPending: 0,
    rollCount: 0,
    rollWeight: 0,
    finalizedChange: 0,
    change: 0,
  };
  fold.polls.push(poll);
  fold.pollIndex.set(pollId, poll.index);
  return poll;
}

export function optionOf(poll: PollFold, optionId: string): number {
  let index = poll.optionIndex.get(optionId);
  if (index === undefined) {
    index = poll.options.length;
    poll.options.push(optionId);
    poll.optionIndex.set(optionId, index);
  }
  return index;
}

/** Room for the option indices of one vote (a VoteCast names at most 64). */
let scratch = new Int32Array(64);

/**
 * The id of the choice set `choices` (option ids in the order the vote gives them: sorted for
 * plurality, most preferred first for a ranking; a repeat ignored, as the codec refuses it
 * anyway), interning it if new.
 */
export function choiceSetOf(poll: PollFold, choices: readonly string[]): number {
  if (choices.length > scratch.length) scratch = new Int32Array(choices.length);
  let length = 0;
  for (let i = 0; i < choices.length; i++) {
    const option = optionOf(poll, choices[i]!);
    let repeated = false;
    for (let j = 0; j < length; j++) repeated ||= scratch[j] === option;
    if (!repeated) scratch[length++] = option;
  }
  return poll.sets.intern(scratch, length);
}

/**
 * The option ids of a choice set, in the vote's order: sorted for a plurality ballot (the
 * append sorts them), most preferred first for a ranking.
 */
export function choicesOf(poll: PollFold, set: number): string[] {
  const { data, start } = poll.sets;
  const choices: string[] = [];
  for (let i = start[set]!; i < start[set + 1]!; i++) choices.push(poll.options[data[i]!]!);
  return choices;
}

/** Marks a change to the poll's roll: both change marks move, as the roll is in every count shown. */
export function markRollChanged(poll: PollFold): void {
  poll.change = ++changes;
  poll.finalizedChange = poll.change;
}

/**
 * Adds (sign +1) or removes (sign -1) the slot's voter's ballot to its poll's counts: its
 * weight (1 outside weighted polls) to the count of its choice set (finalized or pending), and
 * one ballot. Per-option counts are made from the sets' counts when read (optionCounts), so a
 * ballot costs the same whatever its length. Sums of integers below 2^53 stay exact in doubles.
 */
export function countVoter(fold: ShardFold, poll: PollFold, slot: number, sign: 1 | -1): void {
  const committedSeq = fold.slotCommittedSeq[slot]!;
  const weight = sign * fold.slotWeight[slot]!;
  poll.change = ++changes;
  if (committedSeq > 0) {
    poll.finalizedChange = poll.change;
    poll.sets.finalized[fold.slotCommittedSet[slot]!]! += weight;
    poll.ballotsFinalized += sign;
    poll.weightFinalized += weight;
    if (fold.slotLatestSeq[slot]! > committedSeq) poll.revotesPending += sign;
  } else {
    poll.sets.pending[fold.slotLatestSet[slot]!]! += weight;
    poll.ballotsPending += sign;
    poll.weightPending += weight;
  }
}

/** Per option index of a poll in one shard: ballots finalized and pending that count for it. */
export interface OptionCounts {
  /** The poll's `change` mark and option count these were made at. */
  readonly change: number;
  readonly options: number;
  /** Ballots (by weight) of voters whose latest committed vote counts for the option. */
  readonly finalized: readonly number[];
  /** Voters without a committed vote, by their latest vote. */
  readonly pending: readonly number[];
}

/**
 * The poll's per-option counts in this shard, made from its choice sets' counts: `every` — each
 * choice of a ballot counts (plurality; approval), `first` — only its first choice (a ranked
 * poll's first preferences; the fold does not know a poll's method, so it keeps neither and
 * either can be asked for). Kept until the poll's counts or options change, so repeated reads
 * of an unchanged poll cost nothing; otherwise O(sets × choices) for `every`, O(sets) for `first`.
 */
export function optionCounts(poll: PollFold, which: 'every' | 'first'): OptionCounts {
  const last = poll.counted[which];
  if (last?.change === poll.change && last.options === poll.options.length) return last;
  const finalized = new Array<number>(poll.options.length).fill(0);
  const pending = new Array<number>(poll.options.length).fill(0);
  const { data, start, size } = poll.sets;
  for (let set = 0; set < size; set++) {
    const f = poll.sets.finalized[set]!;
    const p = poll.sets.pending[set]!;
    if (f === 0 && p === 0) continue;
    const end = which === 'first' ? Math.min(start[set]! + 1, start[set + 1]!) : start[set + 1]!;
    for (let i = start[set]!; i < end; i++) {
      finalized[data[i]!]! += f;
      pending[data[i]!]! += p;
    }
  }
  const counts = { change: poll.change, options: poll.options.length, finalized, pending };
  poll.counted[which] = counts;
  return counts;
}

export function newSlot(fold: ShardFold, poll: PollFold): number {
  const slot = fold.slotCount++;
  const size = slot + 1;
  fold.slotPoll = grown(fold.slotPoll, size);
  fold.slotLatestSeq = grown(fold.slotLatestSeq, size);
  fold.slotLatestSet = grown(fold.slotLatestSet, size);
  fold.slotCommittedSeq = grown(fold.slotCommittedSeq, size);
  fold.slotCommittedSet = grown(fold.slotCommittedSet, size);
  fold.slotWeight = grown(fold.slotWeight, size);
  fold.slotPoll[slot] = poll.index;
  fold.slotWeight[slot] = 1;
  return slot;
}
