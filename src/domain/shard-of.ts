// Which shard a vote lands in. All votes of one voter in one poll share a shard, so
// one-vote-per-voter is a single-slot question and their order is the stream's order.

const utf8 = new TextEncoder();

/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of `text`. `from` continues a hash: FNV-1a has no
 * finalization, so fnv1a32(b, fnv1a32(a)) === fnv1a32(a + b).
 */
export function fnv1a32(text: string, from = 0x811c9dc5): number {
  let hash = from;
  // ASCII (ids, UUIDs, poll ids: nearly every call) is its own UTF-8: no encoding needed.
  let i = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) break;
    hash = Math.imul(hash ^ code, 0x01000193) >>> 0;
  }
  if (i === text.length) return hash;
  for (const byte of utf8.encode(text.slice(i))) {
    hash ^= byte;
    // 32-bit multiply by the FNV prime 16777619 without leaving integer precision.
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard of a voter's votes in a poll: FNV-1a(pollId + "\n" + voterId) mod shards. */
export function shardOf(pollId: string, voterId: string, shards: number): number {
  return fnv1a32(`${pollId}\n${voterId}`) % shards;
}

/**
 * MurmurHash3's 32-bit finalizer (fmix32, Appleby 2011): a bijection whose every output bit
 * depends on every input bit. FNV-1a alone mixes its low bits poorly: modulo 2^k its hash
 * depends only on the low k bits of each byte, so two hashes of strings with a common suffix
 * ("<poll>\n<voter>" and a voteId made from the voter's id) are tied by a fixed bijection.
 */
export function mix32(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The claim shard of a voteId: fmix32(FNV-1a(voteId)) mod shards. Its `claims` hash holds the
 * voteId's claim, whichever shard the vote lands in; it depends on the voteId alone, so every
 * vote under one voteId meets the same claim. Mixed (unlike `shardOf`, whose formula is part of
 * the log's contract) so that it is independent of the vote's own shard.
 */
export function claimShardOf(voteId: string, shards: number): number {
  return mix32(fnv1a32(voteId)) % shards;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** The char codes of HEX's two digits, flat: their UTF-8 bytes. */
const HEX_CODES = Uint8Array.from(HEX.flatMap((tail) => [tail.charCodeAt(0), tail.charCodeAt(1)]));

/**
 * The first two hex digits (from "00" to "ff") that end `head` so that the whole string's
 * claim shard is `shard`, or undefined if none does (with 16 shards, about 1 head in 15
 * million). Used to draw server-generated voteIds whose claim lives in their vote's own shard:
 * it replaces the last random byte of a UUIDv7 instead of drawing about `shards` UUIDs.
 */
export function claimShardTail(head: string, shard: number, shards: number): string | undefined {
  const base = fnv1a32(head);
  for (let t = 0; t < 256; t++) {
    // fnv1a32(HEX[t], base), unrolled over the tail's two bytes.
    let hash = Math.imul(base ^ HEX_CODES[2 * t]!, 0x01000193) >>> 0;
    hash = Math.imul(hash ^ HEX_CODES[2 * t + 1]!, 0x01000193) >>> 0;
    if (mix32(hash) % shards === shard) return HEX[t];
  }
  return undefined;
}
