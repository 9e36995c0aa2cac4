// One poll's interned choice sets in one shard (a ranked poll's distinct rankings), with how
// many finalized and pending ballots carry each. A ranked poll of a million ballots holds
// hundreds of thousands of them, so they live in typed arrays — the option indices back to
// back, and an open-addressing table of set ids keyed by a hash of those indices — rather than
// an array, a key string and a Map entry each: the fold then makes no garbage per new ranking
// and the collector has no objects to trace (docs/performance.md, 2026-11-30).

const MIN_CAPACITY = 16;
const EMPTY = -1;
/** Int32s per slot of the table: set id, hash, start in `data`, length. */
const SLOT = 4;

/** The interned sets of one poll. Set ids are dense: 0 … size − 1, in order of interning. */
export class ChoiceSets {
  /** Sets interned. */
  size = 0;
  /** Option indices of every set back to back: set s is `data[start[s]]` … `data[start[s + 1] - 1]`. */
  data = new Int32Array(MIN_CAPACITY * 4);
  start = new Int32Array(MIN_CAPACITY * 2);
  /**
   * Per set: ballots counted with it whose voter's latest vote is committed, each by its weight
   * (1 outside weighted polls). Float64: integer sums are exact up to 2^53 − 1, the bound on a
   * weighted poll's roll (src/domain/roll.ts, MAX_ROLL_WEIGHT), so no sum here can pass it.
   */
  finalized = new Float64Array(MIN_CAPACITY);
  /** Per set: ballots counted with it whose voter has no committed vote yet, by weight. */
  pending = new Float64Array(MIN_CAPACITY);
  /**
   * Open addressing with linear probing, four Int32s per slot: a set id (EMPTY where free), its
   * hash, and where its options start in `data` and how many there are, so a probe compares a
   * set without reading `start` (one cache miss fewer per ballot). At most half full; only the
   * first of equal sets is in it.
   */
  #table = new Int32Array(MIN_CAPACITY * 2 * SLOT).fill(EMPTY);
  #inTable = 0;

  /**
   * The id of the set holding `options[0]` … `options[length - 1]` (option indices, in the
   * vote's order: a ranking's order is its content), or -1 when none was interned. `hash`:
   * `hashOf(options, length)` when the caller has it.
   */
  find(options: ArrayLike<number>, length: number, hash = hashOf(options, length)): number {
    const at = this.#probe(options, length, hash);
    return this.#table[at]!;
  }

  /**
   * Appends a set and returns its new id. A set equal to one interned before gets an id too
   * (a snapshot restores ids as they were), but `find` keeps answering with the earlier one.
   */
  add(options: ArrayLike<number>, length: number, hash = hashOf(options, length)): number {
    const at = this.#probe(options, length, hash);
    const set = this.#append(options, length);
    if (this.#table[at] === EMPTY) this.#insert(at, set, hash);
    return set;
  }

  /** The set with these options, interned if new: one probe of the table. */
  intern(options: ArrayLike<number>, length: number, hash = hashOf(options, length)): number {
    const at = this.#probe(options, length, hash);
    const found = this.#table[at]!;
    if (found !== EMPTY) return found;
    const set = this.#append(options, length);
    this.#insert(at, set, hash);
    return set;
  }

  /** Set `set`'s option indices, copied. */
  optionsOf(set: number): number[] {
    return Array.from(this.data.subarray(this.start[set]!, this.start[set + 1]!));
  }

  /** The table index of the slot holding these options' set, or of the free slot they would take. */
  #probe(options: ArrayLike<number>, length: number, hash: number): number {
    const table = this.#table;
    const mask = table.length / SLOT - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      if (table[at] === EMPTY) return at;
      if (
        table[at + 1] === hash &&
        table[at + 3] === length &&
        this.#holds(table[at + 2]!, options, length)
      ) {
        return at;
      }
    }
  }

  #holds(from: number, options: ArrayLike<number>, length: number): boolean {
    const data = this.data;
    for (let i = 0; i < length; i++) if (data[from + i] !== options[i]) return false;
    return true;
  }

  /** Stores the options as set `size` and returns its id. */
  #append(options: ArrayLike<number>, length: number): number {
    const set = this.size;
    this.#reserve(set + 1, this.start[set]! + length);
    const from = this.start[set]!;
    for (let i = 0; i < length; i++) this.data[from + i] = options[i]!;
    this.start[set + 1] = from + length;
    this.size = set + 1;
    return set;
  }

  /** Puts `set` in the free slot at table index `at` (from #probe), growing the table if due. */
  #insert(at: number, set: number, hash: number): void {
    const from = this.start[set]!;
    const length = this.start[set + 1]! - from;
    if (2 * (this.#inTable + 1) > this.#table.length / SLOT) {
      this.#rehash();
      const table = this.#table;
      const mask = table.length / SLOT - 1;
      let slot = hash & mask;
      while (table[slot * SLOT] !== EMPTY) slot = (slot + 1) & mask;
      at = slot * SLOT;
    }
    const table = this.#table;
    table[at] = set;
    table[at + 1] = hash;
    table[at + 2] = from;
    table[at + 3] = length;
    this.#inTable++;
  }

  /** The table at twice the slots, every entry placed again. */
  #rehash(): void {
    const old = this.#table;
    const table = new Int32Array(old.length * 2).fill(EMPTY);
    const mask = table.length / SLOT - 1;
    for (let i = 0; i < old.length; i += SLOT) {
      if (old[i] === EMPTY) continue;
      let slot = old[i + 1]! & mask;
      while (table[slot * SLOT] !== EMPTY) slot = (slot + 1) & mask;
      table.set(old.subarray(i, i + SLOT), slot * SLOT);
    }
    this.#table = table;
  }

  /** Room for `sets` sets and `items` option indices. */
  #reserve(sets: number, items: number): void {
    if (items > this.data.length) this.data = resized(this.data, items);
    if (sets + 1 > this.start.length) this.start = resized(this.start, sets + 1);
    if (sets <= this.finalized.length) return;
    this.finalized = resized(this.finalized, sets);
    this.pending = resized(this.pending, sets);
  }
}

/** A copy of `array` with room for at least `size` items (capacity doubled, a power of 2). */
function resized<A extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(
  array: A,
  size: number,
): A {
  let capacity = array.length;
  while (capacity < size) capacity *= 2;
  const copy = new (array.constructor as new (length: number) => A)(capacity);
  copy.set(array);
  return copy;
}

/** A 32-bit hash of a list of option indices (FNV-1a over the indices, murmur3's fmix32). */
function hashOf(options: ArrayLike<number>, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ options[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  // Signed, as the Int32Array that keeps it returns it.
  return h ^ (h >>> 16);
}
