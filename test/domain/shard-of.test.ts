import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fnv1a32, shardOf } from '../../src/domain/shard-of.ts';

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
