// The uncommitted tail of a shard's chain: for every seq above the commit point, its chain hash
// (20 bytes, so a long uncommitted run costs 24 B per entry, not a 40-char string) and the
// choice set of the vote there. It lets a commit marker's hash be checked against the hash this
// node computed at that seq, and redeliveries be told apart from conflicting repeats.
import { grown, type ShardFold } from './fold-state.ts';

const HASH_BYTES = 20;
const MIN_TAIL = 1024;
/** `tailSets` code of a seq inside an ElidedRun: its hash is not known. */
export const ELIDED = -3;
const UNKNOWN_HASH = '0'.repeat(2 * HASH_BYTES);

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Appends the entry at `seq` (= appliedSeq after applying it) to the tail. */
export function pushTail(fold: ShardFold, seq: number, hash: string, set: number): void {
  let index = seq - fold.tailBase;
  if (index >= fold.tailSets.length) {
    compactTail(fold, Math.max(MIN_TAIL, 2 * (seq - fold.committedSeq)));
    index = seq - fold.tailBase;
  }
  fold.tailSets[index] = set;
  const bytes = fold.tailHashes;
  const offset = index * HASH_BYTES;
  // Only hashes this node computed itself get here: always 40 hex digits.
  for (let i = 0; i < HASH_BYTES; i++) {
    bytes[offset + i] = (nibble(hash.charCodeAt(2 * i)) << 4) | nibble(hash.charCodeAt(2 * i + 1));
  }
}

/** Moves the live tail (committedSeq+1 …) to index 0, in arrays of at least `capacity`. */
export function compactTail(fold: ShardFold, capacity: number): void {
  const start = fold.committedSeq + 1 - fold.tailBase;
  const live = Math.max(0, fold.appliedSeq - fold.committedSeq);
  if (capacity === fold.tailSets.length) {
    fold.tailSets.copyWithin(0, start, start + live);
    fold.tailHashes.copyWithin(0, start * HASH_BYTES, (start + live) * HASH_BYTES);
  } else {
    const sets = grown(new Int32Array(0), capacity);
    const hashes = new Uint8Array(sets.length * HASH_BYTES);
    sets.set(fold.tailSets.subarray(start, start + live));
    hashes.set(fold.tailHashes.subarray(start * HASH_BYTES, (start + live) * HASH_BYTES));
    fold.tailSets = sets;
    fold.tailHashes = hashes;
  }
  fold.tailBase = fold.committedSeq + 1;
}

/** After a commit: give memory back when the tail shrank far below its arrays. */
export function trimTail(fold: ShardFold): void {
  const live = fold.appliedSeq - fold.committedSeq;
  if (fold.tailSets.length > MIN_TAIL && live * 8 < fold.tailSets.length) {
    compactTail(fold, Math.max(MIN_TAIL, 2 * live));
  }
}

/** The choice set recorded for the uncommitted entry at `seq`. */
export function tailSetAt(fold: ShardFold, seq: number): number {
  return fold.tailSets[seq - fold.tailBase]!;
}

/** Appends a seq whose hash is unknown (inside an ElidedRun of an export). */
export function pushElided(fold: ShardFold, seq: number): void {
  pushTail(fold, seq, UNKNOWN_HASH, ELIDED);
}

/** Whether `hash` is the chain hash this state recorded at `seq`; undefined if it kept none. */
export function recordedHashIs(fold: ShardFold, seq: number, hash: string): boolean | undefined {
  if (seq === fold.appliedSeq) return hash === fold.headHash;
  if (seq === fold.committedSeq && seq > 0) return hash === fold.committedHash;
  if (seq <= fold.committedSeq || seq > fold.appliedSeq) return undefined;
  if (fold.tailSets[seq - fold.tailBase] === ELIDED) return undefined;
  if (hash.length !== 2 * HASH_BYTES) return false;
  const bytes = fold.tailHashes;
  const offset = (seq - fold.tailBase) * HASH_BYTES;
  for (let i = 0; i < HASH_BYTES; i++) {
    const high = nibble(hash.charCodeAt(2 * i));
    const low = nibble(hash.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0 || bytes[offset + i] !== ((high << 4) | low)) return false;
  }
  return true;
}

/** The recorded chain hash at `seq` (committedSeq ≤ seq ≤ appliedSeq), as lowercase hex. */
export function recordedHash(fold: ShardFold, seq: number): string {
  if (seq === fold.appliedSeq) return fold.headHash;
  if (seq === fold.committedSeq) return fold.committedHash;
  const offset = (seq - fold.tailBase) * HASH_BYTES;
  return Buffer.from(fold.tailHashes.subarray(offset, offset + HASH_BYTES)).toString('hex');
}
