// A node's view of the poll catalogue (vs:{ctl}:polls), kept current by a blocking reader on
// its own connection and refreshed on demand when a request names an unknown poll.
import type { Poll } from '../domain/events.ts';
import { VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { decodeCatalogueEntry, type RawEntry } from './codec.ts';
import { controlKeys } from './keys.ts';
import { type Client, isReady } from './redis-client.ts';

export interface CatalogueEntry {
  poll: Poll;
  closed: boolean;
  closedAt?: number;
}

export class PollCatalogue {
  readonly #client: Client;
  readonly #key: string;
  readonly #log: Logger | undefined;
  readonly #polls = new Map<string, CatalogueEntry>();
  #lastId = '0-0';
  #refreshing: Promise<void> | undefined;
  #reader: Client | undefined;
  #stopped = false;

  constructor(client: Client, prefix: string, log?: Logger) {
    this.#client = client;
    this.#key = controlKeys(prefix).polls;
    this.#log = log;
  }

  /** The poll, reading the catalogue once more if this node has not seen it yet. */
  async get(pollId: string): Promise<CatalogueEntry | undefined> {
    const known = this.#polls.get(pollId);
    if (known) return known;
    await this.refresh();
    return this.#polls.get(pollId);
  }

  /** The poll as this node knows it, without I/O. */
  peek(pollId: string): CatalogueEntry | undefined {
    return this.#polls.get(pollId);
  }

  list(): CatalogueEntry[] {
    return [...this.#polls.values()];
  }

  /**
   * Reads new catalogue entries (paged); concurrent callers share one read.
   * @throws VoteStreamError STORAGE_UNAVAILABLE at once while Redis is not connected: a read
   * queued in the client would wait out the outage (a request naming an unknown poll hung).
   */
  refresh(): Promise<void> {
    if (!isReady(this.#client))
      return Promise.reject(
        new VoteStreamError('STORAGE_UNAVAILABLE', 'the node is not connected to Redis'),
      );
    this.#refreshing ??= this.#readFrom(this.#client).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Follows the catalogue with blocking reads on `reader`, a dedicated connection. */
  follow(reader: Client): void {
    this.#reader = reader;
    void (async () => {
      while (!this.#stopped) {
        try {
          const reply = (await reader.xread(
            'COUNT',
            100,
            'BLOCK',
            1000,
            'STREAMS',
            this.#key,
            this.#lastId,
          )) as [string, RawEntry[]][] | null;
          if (this.#stopped) return;
          for (const entry of reply?.[0]?.[1] ?? []) this.#apply(entry);
        } catch (error) {
          if (this.#stopped) return;
          this.#log?.warn({ err: (error as Error).message }, 'catalogue reader failed; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  stop(): void {
    this.#stopped = true;
    this.#reader?.disconnect();
  }

  async #readFrom(client: Client): Promise<void> {
    for (;;) {
      const page = (await client.xrange(
        this.#key,
        `(${this.#lastId}`,
        '+',
        'COUNT',
        1000,
      )) as RawEntry[];
      for (const entry of page) this.#apply(entry);
      if (page.length < 1000) return;
    }
  }

  #apply(raw: RawEntry): void {
    if (compareIds(raw[0], this.#lastId) <= 0) return;
    this.#lastId = raw[0];
    try {
      const event = decodeCatalogueEntry(raw);
      if (event.type === 'PollCreated') {
        if (!this.#polls.has(event.poll.id))
          this.#polls.set(event.poll.id, { poll: event.poll, closed: false });
      } else {
        const entry = this.#polls.get(event.pollId);
        if (entry) {
          entry.closed = true;
          entry.closedAt = event.at;
        }
      }
    } catch (error) {
      this.#log?.error(
        { entryId: raw[0], err: (error as Error).message },
        'invalid catalogue entry skipped',
      );
    }
  }
}

/** Orders stream ids ("ms-seq") numerically. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
