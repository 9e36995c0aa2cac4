// Which shard a vote lands in. All votes of one voter in one poll share a shard, so
// one-vote-per-voter is a single-slot question and their order is the stream's order.

const utf8 = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
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
