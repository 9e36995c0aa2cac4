// Several streams read as one, ordered by entry id: what replay and copy walk. Each stream is
// read in pages; with `follow`, once the streams are read to their ends it keeps polling them
// for new entries (every `pollMs`) until `signal` aborts. Entry ids come from each Redis
// master's clock, so the order across streams is the masters' time order, not a global one;
// within a stream it is the log's order. Aborting `signal` ends the walk at once, also while
// a read is on its way (ioredis cannot cancel one, and one queued while Redis is away may never
// settle): such a read is given up and reported to `onAbandoned`.
import type { RawEntry } from '../log/codec.ts';
import { compareIds } from '../log/poll-catalogue.ts';
import type { Client } from '../log/redis-client.ts';
import { PAGE, streamPages } from './shard-pages.ts';

export interface MergedEntry {
  /** Index of the stream in `keys`. */
  source: number;
  raw: RawEntry;
}

export interface MergeOptions {
  /** Exclusive lower bound (entry id). */
  after?: string;
  /** Inclusive upper bound (entry id). */
  to?: string;
  follow?: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called when `signal` ended the walk with a read still on its way (entries after `lastId`
   * may be missing from what was yielded). */
  onAbandoned?: (lastId: string) => void;
}

const ABANDONED = Symbol('abandoned');

/**
 * Wraps reads so that each resolves ABANDONED once `signal` aborts first (racing one promise of
 * the abort, not a listener per read; the race also takes care of a later failure).
 */
function untilAborted(signal: AbortSignal | undefined) {
  const aborted = signal
    ? new Promise<typeof ABANDONED>((resolve) => {
        if (signal.aborted) resolve(ABANDONED);
        else signal.addEventListener('abort', () => resolve(ABANDONED), { once: true });
      })
    : undefined;
  return <T>(read: Promise<T>): Promise<T | typeof ABANDONED> =>
    aborted ? Promise.race([read, aborted]) : read;
}

export async function* mergedEntries(
  client: Client,
  keys: string[],
  { after = '0-0', to = '+', follow = false, pollMs = 200, signal, onAbandoned }: MergeOptions = {},
): AsyncGenerator<MergedEntry> {
  let lastId = after;
  const unlessAborted = untilAborted(signal);
  const cursors = keys.map((key) => ({
    pages: streamPages(client, key, { after, to }),
    page: [] as RawEntry[],
    next: 0,
    done: false,
    last: after,
  }));
  /** Tops up a cursor's page; false when the walk was stopped with the read on its way. */
  const fill = async (c: (typeof cursors)[number]): Promise<boolean> => {
    if (c.next < c.page.length || c.done) return true;
    const next = await unlessAborted(c.pages.next());
    if (next === ABANDONED) return false;
    if (next.done) c.done = true;
    else {
      c.page = next.value;
      c.next = 0;
    }
    return true;
  };
  const abandon = () => onAbandoned?.(lastId);
  if (!(await Promise.all(cursors.map(fill))).every(Boolean)) return abandon();
  for (;;) {
    if (signal?.aborted) return;
    let best = -1;
    for (let i = 0; i < cursors.length; i++) {
      const c = cursors[i]!;
      if (c.next >= c.page.length) continue;
      const b = cursors[best];
      if (!b || compareIds(c.page[c.next]![0], b.page[b.next]![0]) < 0) best = i;
    }
    if (best < 0) break;
    const c = cursors[best]!;
    const raw = c.page[c.next++]!;
    c.last = raw[0];
    const filled = await fill(c);
    yield { source: best, raw };
    lastId = raw[0];
    if (!filled) return abandon();
  }
  if (!follow) return;
  // Tailing: each round reads what every stream gained since its last entry, merged.
  while (!signal?.aborted) {
    const pages = await unlessAborted(
      Promise.all(
        cursors.map(
          (c, i) =>
            client.xrange(keys[i]!, `(${c.last}`, '+', 'COUNT', PAGE) as Promise<RawEntry[]>,
        ),
      ),
    );
    if (pages === ABANDONED) return abandon();
    const round: MergedEntry[] = [];
    pages.forEach((page, source) => {
      for (const raw of page) round.push({ source, raw });
      if (page.length) cursors[source]!.last = page[page.length - 1]![0];
    });
    round.sort((a, b) => compareIds(a.raw[0], b.raw[0]));
    for (const entry of round) {
      yield entry;
      lastId = entry.raw[0];
    }
    if (!pages.some((p) => p.length === PAGE)) await sleep(pollMs, signal);
  }
}

/**
 * Paces entries to `speed` times the pace at which they were appended (by the time in their
 * entry ids): the first goes at once, each next one when its offset from the first, divided by
 * `speed`, has passed.
 */
export async function* paced<T extends { raw: RawEntry }>(
  entries: AsyncIterable<T>,
  speed: number,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  let first: number | undefined;
  const started = performance.now();
  for await (const e of entries) {
    const ms = Number(e.raw[0].split('-')[0]);
    first ??= ms;
    const wait = started + (ms - first) / speed - performance.now();
    if (wait > 1) await sleep(wait, signal);
    if (signal?.aborted) return;
    yield e;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
