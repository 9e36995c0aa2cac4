// Replay: the shards' logs merged into one stream ordered by entry id (each shard read in
// pages), filtered, as NDJSON for audits and recounts, or as a readable table.
import type { Entry, ShardEvent } from '../domain/events.ts';
import { decodeShardEntry, type RawEntry } from '../log/codec.ts';
import { compareIds } from '../log/poll-catalogue.ts';
import type { Client } from '../log/redis-client.ts';
import { shardPages } from './shard-pages.ts';

export interface ReplayFilter {
  pollId?: string;
  shards?: number[];
  types?: string[];
  /** Entry ids (inclusive), e.g. from `toEntryId(isoTime)`. */
  from?: string;
  to?: string;
}

export type ReplayedEntry = Entry<ShardEvent> & { shard: number };

/** Every matching entry of every shard, in entry-id order. */
export async function* replayLog(
  client: Client,
  prefix: string,
  shardCount: number,
  filter: ReplayFilter = {},
): AsyncGenerator<ReplayedEntry> {
  const shards = filter.shards ?? Array.from({ length: shardCount }, (_, s) => s);
  const after = filter.from ? before(filter.from) : '0-0';
  const cursors = shards.map((shard) => ({
    shard,
    pages: shardPages(client, prefix, shard, { after, to: filter.to ?? '+' }),
    page: [] as RawEntry[],
    at: 0,
    done: false,
  }));
  const fill = async (c: (typeof cursors)[number]) => {
    if (c.at < c.page.length || c.done) return;
    const next = await c.pages.next();
    if (next.done) c.done = true;
    else {
      c.page = next.value;
      c.at = 0;
    }
  };
  await Promise.all(cursors.map(fill));
  for (;;) {
    let best: (typeof cursors)[number] | undefined;
    for (const c of cursors) {
      if (c.at >= c.page.length) continue;
      if (!best || compareIds(c.page[c.at]![0], best.page[best.at]![0]) < 0) best = c;
    }
    if (!best) return;
    const raw = best.page[best.at++]!;
    await fill(best);
    const entry = { ...decodeShardEntry(raw), shard: best.shard } as ReplayedEntry;
    if (filter.types && !filter.types.includes(entry.type)) continue;
    if (filter.pollId && entry.type !== 'CommitMarked' && entry.pollId !== filter.pollId) continue;
    yield entry;
  }
}

/** An ISO time or an entry id, as an entry id bound. */
export function toEntryId(value: string, end = false): string {
  if (/^\d+(-\d+)?$/.test(value))
    return value.includes('-') ? value : `${value}-${end ? '18446744073709551615' : '0'}`;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${value} is neither an entry id nor an ISO time`);
  return `${ms}-${end ? '18446744073709551615' : '0'}`;
}

/** The id just before `id`, so an exclusive range starting after it includes `id`. */
function before(id: string): string {
  const [ms = '0', seq = '0'] = id.split('-');
  if (seq !== '0') return `${ms}-${BigInt(seq) - 1n}`;
  return Number(ms) > 0 ? `${Number(ms) - 1}-18446744073709551615` : '0-0';
}
