// Snapshots of a shard's projection: JSON text, versioned by `format`. A restored state has the
// same digest as the one serialized and folds on identically (the counts are recomputed from
// the voters on restore rather than trusted).
import { GENESIS_HASH } from './chain.ts';
import {
  asFold,
  countVoter,
  grown,
  newSlot,
  optionOf,
  pollOf,
  ROLL,
  ShardFold,
  type ShardState,
} from './fold-state.ts';
import { pushTail, recordedHash } from './fold-tail.ts';

/** The snapshot could not be read: unknown format or inconsistent content. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

interface SnapshotV1 {
  format: 1;
  shard: number;
  appliedSeq: number;
  headHash: string;
  committedSeq: number;
  committedHash: string;
  /** Choice sets are lists of indices into `options`. */
  polls: {
    id: string;
    barrierSeq: number;
    options: string[];
    sets: number[][];
    /** The roll's share in this shard: voters, weight. Absent: none (snapshots before rolls). */
    roll?: [count: number, weight: number];
  }[];
  /** Voter slots, column-wise: index = slot. */
  slots: {
    poll: number[];
    voter: string[];
    latestSeq: number[];
    latestSet: number[];
    committedSeq: number[];
    committedSet: number[];
    /** Each voter's ballot weight. Absent: every ballot weighs 1 (snapshots before weights). */
    weight?: number[];
  };
  /** Per seq 1…appliedSeq: the voter slot of the vote there, -1 void vote, -2 barrier, -3 roll. */
  seqs: number[];
  /** Per seq committedSeq+1…appliedSeq: chain hash and choice set (-1 if none). */
  tail: { hashes: string[]; sets: number[] };
}

/** The projection as snapshot text (format 1), to be read back with restoreShard. */
export function serializeShard(state: ShardState): string {
  const fold = asFold(state);
  const voter: string[] = new Array(fold.slotCount);
  for (const poll of fold.polls) for (const [voterId, slot] of poll.voters) voter[slot] = voterId;
  const column = (values: Int32Array) => Array.from(values.subarray(0, fold.slotCount));
  const hashes: string[] = [];
  const sets: number[] = [];
  for (let seq = fold.committedSeq + 1; seq <= fold.appliedSeq; seq++) {
    hashes.push(recordedHash(fold, seq));
    sets.push(fold.tailSets[seq - fold.tailBase]!);
  }
  const weights = Array.from(fold.slotWeight.subarray(0, fold.slotCount));
  const snapshot: SnapshotV1 = {
    format: 1,
    shard: fold.shard,
    appliedSeq: fold.appliedSeq,
    headHash: fold.headHash,
    committedSeq: fold.committedSeq,
    committedHash: fold.committedHash,
    polls: fold.polls.map((poll) => ({
      id: poll.id,
      barrierSeq: poll.barrierSeq,
      options: poll.options,
      sets: Array.from({ length: poll.sets.size }, (_, set) => poll.sets.optionsOf(set)),
      ...(poll.rollCount > 0
        ? { roll: [poll.rollCount, poll.rollWeight] as [number, number] }
        : {}),
    })),
    slots: {
      poll: column(fold.slotPoll),
      voter,
      latestSeq: column(fold.slotLatestSeq),
      latestSet: column(fold.slotLatestSet),
      committedSeq: column(fold.slotCommittedSeq),
      committedSet: column(fold.slotCommittedSet),
      ...(weights.some((w) => w !== 1) ? { weight: weights } : {}),
    },
    seqs: Array.from(fold.seqSlot.subarray(1, fold.appliedSeq + 1)),
    tail: { hashes, sets },
  };
  return JSON.stringify(snapshot);
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new SnapshotError(`invalid shard snapshot: ${what}`);
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
const isSafeCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * A projection rebuilt from serializeShard text; fold on from `appliedSeq + 1`.
 * @throws SnapshotError on an unknown format or inconsistent content.
 */
export function restoreShard(text: string): ShardState {
  const data = JSON.parse(text) as SnapshotV1;
  check(data !== null && typeof data === 'object', 'not an object');
  check(data.format === 1, `unknown format ${JSON.stringify(data.format)}`);
  const { appliedSeq, committedSeq, slots, tail } = data;
  const arrays = [data.polls, data.seqs, tail?.hashes, tail?.sets];
  check(arrays.every(Array.isArray), 'missing arrays');
  check(slots !== null && typeof slots === 'object' && Array.isArray(slots.poll), 'slots');
  check(isCount(data.shard) && isCount(appliedSeq) && isCount(committedSeq), 'positions');
  check(committedSeq <= appliedSeq, 'committedSeq beyond appliedSeq');
  check(typeof data.headHash === 'string' && typeof data.committedHash === 'string', 'hashes');
  check(appliedSeq > 0 || data.headHash === GENESIS_HASH, 'head hash of an empty chain');
  check(data.seqs.length === appliedSeq, 'seq column');
  const tailLength = appliedSeq - committedSeq;
  check(tail.hashes.length === tailLength && tail.sets.length === tailLength, 'tail length');
  const slotCount = slots.poll.length;
  for (const name of ['voter', 'latestSeq', 'latestSet', 'committedSeq', 'committedSet'] as const) {
    check(Array.isArray(slots[name]) && slots[name].length === slotCount, `slot column ${name}`);
  }
  const { weight } = slots;
  check(
    weight === undefined || (Array.isArray(weight) && weight.length === slotCount),
    'slot column weight',
  );

  const fold = new ShardFold(data.shard);
  for (const saved of data.polls) {
    check(!fold.pollIndex.has(saved.id), `poll ${saved.id} twice`);
    const poll = pollOf(fold, saved.id);
    check(isCount(saved.barrierSeq) && saved.barrierSeq <= appliedSeq, 'barrier seq');
    poll.barrierSeq = saved.barrierSeq;
    if (saved.roll !== undefined) {
      check(Array.isArray(saved.roll) && saved.roll.length === 2, `roll of poll ${saved.id}`);
      const [count, weight] = saved.roll;
      check(isSafeCount(count) && isSafeCount(weight), `roll of poll ${saved.id}`);
      poll.rollCount = count;
      poll.rollWeight = weight;
    }
    for (const option of saved.options) {
      check(!poll.optionIndex.has(option), `option ${option} twice`);
      optionOf(poll, option);
    }
    for (const options of saved.sets) {
      const valid = options.every((option) => isCount(option) && option < poll.options.length);
      check(valid, `a choice set of poll ${saved.id}`);
      // In the vote's order, as the fold interned it: a ranking's order is its content.
      poll.sets.add(options, options.length);
    }
  }

  for (let row = 0; row < slotCount; row++) {
    const poll = fold.polls[slots.poll[row]!];
    check(poll !== undefined, 'slot poll');
    const voterId = slots.voter[row]!;
    const latestSeq = slots.latestSeq[row]!;
    const latestSet = slots.latestSet[row]!;
    const votedSeq = slots.committedSeq[row]!;
    const votedSet = votedSeq === 0 ? 0 : slots.committedSet[row]!;
    check(typeof voterId === 'string' && !poll.voters.has(voterId), 'slot voter');
    check(isCount(latestSeq) && latestSeq > 0 && latestSeq <= appliedSeq, 'slot latest seq');
    check(isCount(votedSeq) && votedSeq <= Math.min(latestSeq, committedSeq), 'slot committed');
    check(
      [latestSet, votedSet].every((set) => isCount(set) && set < poll.sets.size),
      'set',
    );
    const slot = newSlot(fold, poll);
    poll.voters.set(voterId, slot);
    fold.slotLatestSeq[slot] = latestSeq;
    fold.slotLatestSet[slot] = latestSet;
    fold.slotCommittedSeq[slot] = votedSeq;
    fold.slotCommittedSet[slot] = votedSet;
    const ballotWeight = weight?.[row] ?? 1;
    check(isSafeCount(ballotWeight) && ballotWeight > 0, 'slot weight');
    fold.slotWeight[slot] = ballotWeight;
    countVoter(fold, poll, slot, 1);
  }

  fold.seqSlot = grown(fold.seqSlot, appliedSeq + 1);
  for (let seq = 1; seq <= appliedSeq; seq++) {
    const slot = data.seqs[seq - 1]!;
    check(Number.isInteger(slot) && slot >= ROLL && slot < slotCount, 'seq slot');
    fold.seqSlot[seq] = slot;
  }

  fold.committedSeq = committedSeq;
  fold.committedHash = data.committedHash;
  fold.appliedSeq = committedSeq;
  fold.tailBase = committedSeq + 1;
  for (let i = 0; i < tailLength; i++) {
    const hash = tail.hashes[i]!;
    const set = tail.sets[i]!;
    const seq = fold.appliedSeq + 1;
    const slot = fold.seqSlot[seq]!;
    const sets = slot < 0 ? 0 : fold.polls[fold.slotPoll[slot]!]!.sets.size;
    const validSet = slot < 0 ? set === -1 : isCount(set) && set < sets;
    check(/^[0-9a-f]{40}$/.test(hash) && validSet, `tail entry at seq ${seq}`);
    pushTail(fold, seq, hash, set);
    fold.appliedSeq += 1;
  }
  check(tailLength === 0 || tail.hashes[tailLength - 1] === data.headHash, 'tail head hash');
  fold.headHash = data.headHash;
  return fold;
}
