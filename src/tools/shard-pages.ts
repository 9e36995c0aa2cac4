// Reading a stream in XRANGE pages (never the whole stream at once), the next page requested
// while the caller works on this one (readAhead). Shared by replay, verify and copy.
import type { RawEntry } from '../log/codec.ts';
import { shardKeys } from '../log/keys.ts';
import { readAhead } from '../log/packed-pages.ts';
import type { Client } from '../log/redis-client.ts';

export const PAGE = 5000;

/** Yields the stream's entries in order, page by page, from after `after` to `to`. */
export function streamPages(
  client: Client,
  key: string,
  { after = '0-0', to = '+' }: { after?: string; to?: string } = {},
): AsyncGenerator<RawEntry[]> {
  return readAhead(
    (from) => client.xrange(key, `(${from}`, to, 'COUNT', PAGE) as Promise<RawEntry[]>,
    PAGE,
    after,
  );
}

/** A shard's whole log (or the part from after `after` to `to`), page by page. */
export function shardPages(
  client: Client,
  prefix: string,
  shard: number,
  range: { after?: string; to?: string } = {},
): AsyncGenerator<RawEntry[]> {
  return streamPages(client, shardKeys(prefix, shard).log, range);
}
