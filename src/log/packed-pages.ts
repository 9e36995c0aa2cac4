// How a fold reads what is already in a shard's log (a cold start, a refold, a rebuild): pages
// packed by streams/lua/read-page-1.lua, one string per entry, unpacked here into the same
// RawEntry that XRANGE gives. The node's thread then parses a fraction of what an XRANGE reply
// costs, which is most of what a cold fold spends per entry besides folding it.
import type { RawEntry } from './codec.ts';
import type { Client } from './redis-client.ts';

/** Entries per page: one script call holds its master while it packs them, so a page is kept
 * short enough not to delay votes on that master (docs/performance.md, 2026-11-27). */
export const PAGE_ENTRIES = 1000;

/** Shards folding what is already in the log at the same time, in a node's cold start and in
 * a rebuild: fewer pages held at once, less garbage-collector copying (docs/performance.md). */
export const CATCH_UP_AT_ONCE = 2;

/** One page of the stream `key` after `after` (exclusive), as RawEntry, in stream order. */
export async function readPackedPage(
  client: Client,
  key: string,
  after: string,
  count = PAGE_ENTRIES,
): Promise<RawEntry[]> {
  const packed = await client.readPage(key, after, count);
  const page = new Array<RawEntry>(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const line = packed[i]!;
    const entry = unpack(line);
    if (entry) page[i] = entry;
    else {
      // Malformed in a way the packing cannot carry: read it as it is, for the fold to report.
      const id = line.slice(0, line.indexOf(' '));
      const [raw] = (await client.xrange(key, id, id)) as RawEntry[];
      page[i] = raw ?? [id, []];
    }
  }
  return page;
}

/** The stream's entries after `after`, page by page, the next page read while this one folds. */
export function readPages(client: Client, key: string, after = '0-0'): AsyncGenerator<RawEntry[]> {
  return readAhead((from) => readPackedPage(client, key, from), PAGE_ENTRIES, after);
}

/**
 * Pages from `read(after)` (at most `pageSize` entries after an id) until a short one, each
 * next page requested as soon as the last arrives, so reading overlaps the caller's work.
 */
export async function* readAhead(
  read: (after: string) => Promise<RawEntry[]>,
  pageSize: number,
  after: string,
): AsyncGenerator<RawEntry[]> {
  let next = read(after);
  for (;;) {
    const entries = await next;
    if (entries.length === pageSize) {
      next = read(entries[entries.length - 1]![0]);
      // A caller that stops early must not leave this read's failure unhandled.
      next.catch(() => undefined);
    }
    if (entries.length) yield entries;
    if (entries.length < pageSize) return;
  }
}

const NAMES = ['type', 'seq', 'hash', 'data'] as const;

/**
 * "<id> <t> <s> <h> <d>\n<fields>" → [id, [name, value, …]]; undefined for "<id> !" or for
 * anything that does not add up (the caller then reads the entry with XRANGE).
 */
export function unpack(line: string): RawEntry | undefined {
  const newline = line.indexOf('\n');
  if (newline < 0) return undefined;
  const header = line.slice(0, newline).split(' ');
  if (header.length !== 5) return undefined;
  const lengths: number[] = [];
  let total = 0;
  for (let f = 1; f < 5; f++) {
    const n = header[f] === '-' ? -1 : Number(header[f]);
    if (!Number.isInteger(n) || n < -1) return undefined;
    lengths.push(n);
    if (n > 0) total += n;
  }
  // Lengths are bytes. Where every character is one byte (ids, hashes and most payloads),
  // they are string offsets too; otherwise the fields are cut from the UTF-8 bytes.
  const body = line.slice(newline + 1);
  const bytes = body.length === total ? total : Buffer.byteLength(body);
  if (bytes !== total) return undefined;
  const utf8 = body.length === total ? undefined : Buffer.from(body);
  const fields: string[] = [];
  let offset = 0;
  for (let f = 0; f < 4; f++) {
    const n = lengths[f]!;
    if (n < 0) continue;
    fields.push(
      NAMES[f]!,
      utf8 ? utf8.toString('utf8', offset, offset + n) : body.slice(offset, offset + n),
    );
    offset += n;
  }
  return [header[0]!, fields];
}
