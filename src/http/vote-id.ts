// Server-chosen voteIds: UUIDv7 (RFC 9562), so ids sort by the millisecond they were made.
// Written out here rather than taken from `uuid` because a batch makes a thousand at once:
// this draws random bytes from one pooled randomFillSync and writes the 36 characters into
// a buffer (one flat string), about four times cheaper than uuid's v7.
import { randomFillSync } from 'node:crypto';

const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes of a UUID starts in its text form. */
const OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** Random bytes, 10 per id; refilled when used up. */
const pool = Buffer.alloc(10 * 1024);
let next = pool.length;

function put(index: number, byte: number): void {
  const at = OFFSETS[index]!;
  text[at] = DIGITS[byte >>> 4]!;
  text[at + 1] = DIGITS[byte & 0x0f]!;
}

/** A new UUIDv7: 48 bits of Unix milliseconds, version 7, variant 10, 74 random bits. */
export function newVoteId(now: number = Date.now()): string {
  if (next + 10 > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const r = next;
  next += 10;
  const high = Math.floor(now / 0x1_0000_0000); // the top 16 of the 48 bits
  const low = now >>> 0;
  put(0, high >>> 8);
  put(1, high & 0xff);
  put(2, low >>> 24);
  put(3, (low >>> 16) & 0xff);
  put(4, (low >>> 8) & 0xff);
  put(5, low & 0xff);
  put(6, 0x70 | (pool[r]! & 0x0f));
  put(7, pool[r + 1]!);
  put(8, 0x80 | (pool[r + 2]! & 0x3f));
  for (let i = 3; i < 10; i++) put(6 + i, pool[r + i]!);
  return text.toString('latin1', 0, 36);
}
