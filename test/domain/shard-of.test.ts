import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { claimShardOf, claimShardTail, fnv1a32, shardOf } from '../../src/domain/shard-of.ts';

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

claim('depends on the voteId alone', () => {
  assert.is(claimShardOf('vote-1', 16), fnv1a32('vote-1') % 16);
  assert.is(claimShardOf('vote-1', 16), claimShardOf('vote-1', 16));
});

claim('a tail of two hex digits puts any head in any shard', () => {
  for (const shards of [1, 3, 16, 64]) {
    for (let i = 0; i < 200; i++) {
      const head = `0192f0c2-8d3a-7b1c-9e4f-1234567${i.toString(16).padStart(3, '0')}`;
      const target = i % shards;
      const tail = claimShardTail(head, target, shards);
      assert.ok(tail !== undefined && /^[0-9a-f]{2}$/.test(tail), `${head} → ${tail}`);
      assert.is(claimShardOf(head + tail, shards), target);
    }
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
