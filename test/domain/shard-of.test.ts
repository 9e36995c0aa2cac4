import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  claimShardOf,
  claimShardTail,
  fnv1a32,
  mix32,
  shardOf,
} from '../../src/domain/shard-of.ts';

const fnv = suite('FNV-1a 32');

fnv('matches the published test vectors', () => {
  assert.is(fnv1a32(''), 0x811c9dc5);
  assert.is(fnv1a32('a'), 0xe40c292c);
  assert.is(fnv1a32('foobar'), 0xbf9cf968);
});

fnv('hashes the UTF-8 bytes of the text', () => {
  // 'é' is 0xc3 0xa9 in UTF-8: two bytes, not one UTF-16 unit.
  let expected = 0x811c9dc5;
  for (const byte of [0xc3, 0xa9]) expected = Math.imul(expected ^ byte, 0x01000193) >>> 0;
  assert.is(fnv1a32('é'), expected);
});

fnv('equals FNV-1a over the UTF-8 bytes for any string (ASCII fast path included)', () => {
  const reference = (text: string) => {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text))
      hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash;
  };
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      assert.is(fnv1a32(text), reference(text));
      assert.is(fnv1a32(`voter-${text}`), reference(`voter-${text}`));
    }),
    { numRuns: 2000 },
  );
});

fnv('continues a hash: fnv1a32(b, fnv1a32(a)) is fnv1a32(a + b)', () => {
  assert.is(fnv1a32('bar', fnv1a32('foo')), fnv1a32('foobar'));
  assert.is(fnv1a32('é', fnv1a32('caf')), fnv1a32('café'));
});

fnv.run();

const shard = suite('shard of a vote');

shard('is stable and in range', () => {
  for (const shards of [1, 3, 16]) {
    const s = shardOf('poll-1', 'voter-42', shards);
    assert.ok(Number.isInteger(s) && s >= 0 && s < shards);
    assert.is(shardOf('poll-1', 'voter-42', shards), s);
  }
  assert.is(shardOf('p', 'v', 16), fnv1a32('p\nv') % 16);
});

shard('spreads voters roughly uniformly over 16 shards', () => {
  const shards = 16;
  const voters = 32_000;
  const counts = new Array<number>(shards).fill(0);
  for (let i = 0; i < voters; i++) counts[shardOf('poll-1', `voter-${i}`, shards)]! += 1;
  const expected = voters / shards;
  // chi-square with 15 degrees of freedom: 37.7 is the 0.1% tail.
  const chi2 = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 37.7, `chi-square ${chi2.toFixed(1)} for ${counts.join(',')}`);
  for (const n of counts) assert.ok(Math.abs(n - expected) < expected * 0.1, `${n}`);
});

shard.run();

const claim = suite('claim shard of a voteId');

claim('depends on the voteId alone: fmix32(FNV-1a(voteId)) mod shards', () => {
  assert.is(claimShardOf('vote-1', 16), mix32(fnv1a32('vote-1')) % 16);
  assert.is(claimShardOf('vote-1', 16), claimShardOf('vote-1', 16));
});

claim('fmix32 matches MurmurHash3 reference values', () => {
  assert.is(mix32(0), 0);
  assert.is(mix32(1), 0x514e28b7);
  assert.is(mix32(0xffffffff), 0x81f16f39);
});

claim("is independent of the vote's shard, even for voteIds made from voter ids", () => {
  // With FNV-1a alone, modulo 16 both hashes depend only on the low 4 bits of each byte, so for
  // voters "x-<i>" and voteIds "v-x-<i>" the claim shard was a fixed function of the shard.
  for (const pollId of ['poll-c2fd8763', 'poll-1', 'p']) {
    const pairs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const voterId = `x-${i}`;
      pairs.add(`${shardOf(pollId, voterId, 16)}:${claimShardOf(`v-${voterId}`, 16)}`);
    }
    // 256 (shard, claim shard) pairs are possible; a fixed function would give only 16.
    assert.ok(pairs.size > 200, `${pollId}: ${pairs.size} pairs`);
  }
});

claim('a tail of two hex digits puts a head in the shard asked for', () => {
  for (const shards of [1, 3, 16, 64, 1024]) {
    let found = 0;
    for (let i = 0; i < 400; i++) {
      const head = `0192f0c2-8d3a-7b1c-9e4f-1234567${i.toString(16).padStart(3, '0')}`;
      const target = (i * 7) % shards;
      const tail = claimShardTail(head, target, shards);
      if (tail === undefined) continue;
      found++;
      assert.match(tail, /^[0-9a-f]{2}$/);
      assert.is(claimShardOf(head + tail, shards), target);
    }
    // 256 endings miss a given shard with probability (1 - 1/shards)^256: about 7e-8 for 16
    // shards, 2 % for 64, 78 % for 1024 (the caller then draws another head).
    const expected = 400 * (1 - (1 - 1 / shards) ** 256);
    assert.ok(Math.abs(found - expected) < 40, `${shards} shards: ${found} of 400, ~${expected}`);
    if (shards <= 16) assert.is(found, 400);
  }
});

claim('no tail when no two-digit ending reaches the shard', () => {
  // 2^20 shards: 256 endings cannot cover them; the caller then draws another head.
  const shards = 2 ** 20;
  const head = 'x';
  const reachable = new Set(
    Array.from({ length: 256 }, (_, i) =>
      claimShardOf(head + i.toString(16).padStart(2, '0'), shards),
    ),
  );
  const missing = Array.from({ length: shards }, (_, s) => s).find((s) => !reachable.has(s))!;
  assert.is(claimShardTail(head, missing, shards), undefined);
});

claim.run();
