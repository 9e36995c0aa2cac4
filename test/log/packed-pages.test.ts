import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RawEntry } from '../../src/log/codec.ts';
import { PAGE_ENTRIES, readPackedPage, readPages, unpack } from '../../src/log/packed-pages.ts';
import { type Client, connectAddress } from '../../src/log/redis-client.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const pages = suite('fold pages: packed by read-page-1.lua, unpacked to exactly what XRANGE gives');
let client: Client;
const key = `fold-pages-test:{p${process.pid}}:log`;

pages.before(async () => {
  client = await connectAddress((await sharedCluster()).seeds);
});
pages.after(async () => {
  await client.del(key);
  client.disconnect();
});

/** Every entry of `key` through readPages, and through XRANGE. */
async function both(): Promise<[RawEntry[], RawEntry[]]> {
  const folded: RawEntry[] = [];
  for await (const page of readPages(client, key)) folded.push(...page);
  return [folded, (await client.xrange(key, '-', '+')) as RawEntry[]];
}

pages('entries of every shape come back as XRANGE reads them (fields the fold reads)', async () => {
  const entries: string[][] = [
    ['type', 'VoteCast', 'seq', '1', 'hash', 'a'.repeat(40), 'data', '{"voterId":"ascii"}'],
    // Multi-byte characters: the packing counts bytes, the reader cuts characters.
    ['type', 'VoteCast', 'seq', '2', 'hash', 'b'.repeat(40), 'data', '{"voterId":"Zoë 投票 🗳"}'],
    // A newline and spaces inside the data: the header ends at the first newline only.
    ['type', 'VoteCast', 'seq', '3', 'hash', 'c'.repeat(40), 'data', 'not json\nwith spaces '],
    // A marker (no seq or hash), an empty data field, and a field the fold does not read.
    ['type', 'CommitMarked', 'data', '{"seq":3}'],
    ['type', 'VoteCast', 'seq', '4', 'hash', 'd'.repeat(40), 'data', ''],
    ['note', 'ignored', 'type', 'X', 'data', '{}'],
  ];
  for (const fields of entries) await client.xadd(key, '*', ...fields);
  const [folded, raw] = await both();
  assert.is(folded.length, entries.length);
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i]!;
    const expected = fields.flatMap((f, j) =>
      j % 2 === 0 && ['type', 'seq', 'hash', 'data'].includes(f) ? [f, fields[j + 1]!] : [],
    );
    assert.is(folded[i]![0], id);
    assert.equal(folded[i]![1], expected, `entry ${i}`);
  }
});

pages('an entry with a repeated field is read raw (the fold then refuses it)', async () => {
  await client.del(key);
  await client.xadd(key, '*', 'type', 'VoteCast', 'data', '{"a":1}', 'data', '{"a":2}');
  const [folded, raw] = await both();
  assert.equal(folded, raw);
  assert.equal(folded[0]![1], ['type', 'VoteCast', 'data', '{"a":1}', 'data', '{"a":2}']);
});

pages('a log longer than a page is read whole, in order, from after any entry', async () => {
  await client.del(key);
  const n = PAGE_ENTRIES * 2 + 7;
  for (let from = 0; from < n; from += 500) {
    const batch = client.pipeline();
    for (let i = from; i < Math.min(n, from + 500); i++)
      batch.xadd(key, '*', 'type', 'VoteCast', 'seq', String(i + 1), 'data', `{"i":${i}}`);
    await batch.exec();
  }
  const [folded, raw] = await both();
  assert.is(folded.length, n);
  assert.equal(
    folded.map(([id]) => id),
    raw.map(([id]) => id),
  );
  const after = raw[PAGE_ENTRIES + 2]![0];
  const rest = await readPackedPage(client, key, after, 5);
  assert.equal(rest, raw.slice(PAGE_ENTRIES + 3, PAGE_ENTRIES + 8));
});

pages('unpack refuses what does not add up', () => {
  assert.is(unpack('1-0 !'), undefined);
  assert.is(unpack('1-0 4 - - 2'), undefined, 'no newline');
  assert.is(unpack('1-0 4 - -\nTypeab'), undefined, 'four fields in the header');
  assert.is(unpack('1-0 4 - - 3\nTypeab'), undefined, 'lengths do not add up');
  assert.is(unpack('1-0 x - - 2\nTypeab'), undefined, 'not a length');
  assert.equal(unpack('1-0 4 - - 2\nTypeab'), ['1-0', ['type', 'Type', 'data', 'ab']]);
  // Lengths are bytes: é is two.
  assert.equal(unpack('1-0 1 - - 2\nxé'), ['1-0', ['type', 'x', 'data', 'é']]);
  assert.is(unpack('1-0 1 - - 3\nxé'), undefined, 'lengths do not add up to the bytes');
});

pages.run();
