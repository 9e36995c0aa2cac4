// Reading a shard's whole log in XRANGE pages (never the whole stream at once), the next page
// requested while the caller works on this one. Shared by replay, verify and rebuild.
import type { RawEntry } from '../log/codec.ts';
import { shardKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';

export const PAGE = 5000;

/** Yields the shard's entries in stream order, page by page, from after `after` to `to`. */
export async function* shardPages(
  client: Client,
  prefix: string,
  shard: number,
  { after = '0-0', to = '+' }: { after?: string; to?: string } = {},
): AsyncGenerator<RawEntry[]> {
  const key = shardKeys(prefix, shard).log;
  const page = (from: string) =>
    client.xrange(key, `(${from}`, to, 'COUNT', PAGE) as Promise<RawEntry[]>;
  let next = page(after);
  for (;;) {
    const entries = await next;
    if (entries.length === PAGE) next = page(entries[entries.length - 1]![0]);
    if (entries.length) yield entries;
    if (entries.length < PAGE) return;
  }
}
