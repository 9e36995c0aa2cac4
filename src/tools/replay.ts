// Replay: the log — every shard and the poll catalogue — merged into one stream ordered by
// entry id (each stream read in pages), filtered, for audits and recounts, or followed live.
// A poll's export (`pollId`) keeps its own entries and every commit marker, and folds the other
// polls' chained entries into ElidedRuns, so that `tally --from-file` can follow each shard's
// chain from genesis and recount the poll with the node's fold.
import type { CatalogueEvent, ElidedRun, Entry, ShardEvent } from '../domain/events.ts';
import { isInstantRefusal, parseInstant } from '../domain/instant.ts';
import { PollExport } from '../domain/poll-export.ts';
import { decodeCatalogueEntry, decodeShardEntry } from '../log/codec.ts';
import { controlKeys, shardKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';
import { type MergedEntry, mergedEntries, paced } from './merged-log.ts';

/** The types of the entries the log holds, which replay reads: a shard's and the catalogue's. */
type LogEventType = (ShardEvent | CatalogueEvent)['type'];

/** Each type once: the typecheck holds this to exactly the members of LogEventType. */
const LOG_EVENT_TYPES: Record<LogEventType, true> = {
  CommitMarked: true,
  PollClosed: true,
  PollCreated: true,
  RollChanged: true,
  VoteCast: true,
};

/** What `--type` takes: every type of entry the log holds, sorted. */
export const REPLAYED_TYPES = (Object.keys(LOG_EVENT_TYPES) as LogEventType[]).sort();

/**
 * `--type`'s comma-separated list, checked: a type the log never holds would match nothing.
 * @throws RangeError naming the valid types.
 */
export function replayedTypes(value: string): LogEventType[] {
  return value.split(',').map((given) => {
    const type = given.trim();
    if (!Object.hasOwn(LOG_EVENT_TYPES, type))
      throw new RangeError(
        `--type: ${JSON.stringify(type)} is not a type of the log's entries: one of ${REPLAYED_TYPES.join(', ')}`,
      );
    return type as LogEventType;
  });
}

export interface ReplayFilter {
  pollId?: string;
  shards?: number[];
  types?: readonly LogEventType[];
  /** Entry ids (inclusive), e.g. from `toEntryId(isoTime)`. */
  from?: string;
  to?: string;
}

export interface ReplayOptions {
  /** Keep reading new entries once the log is read to its end, until `signal` aborts. */
  follow?: boolean;
  /** Replay at `speed` times the pace the entries were appended at. */
  speed?: number;
  signal?: AbortSignal;
  /** `signal` ended the replay with a read of the log still on its way: see MergeOptions. */
  onAbandoned?: (lastId: string) => void;
}

/** A shard entry, an elided run of a poll export (both with their shard), or a catalogue entry. */
export type ReplayedEntry =
  | (Entry<ShardEvent> & { shard: number })
  | (Entry<ElidedRun> & { shard: number })
  | Entry<CatalogueEvent>;

/**
 * Whether the log holds a poll of this id (its PollCreated is in the catalogue). A poll export
 * asks first: the export of a poll the log does not hold would still carry every shard's
 * markers and runs, a file that passes for the export of a poll without votes.
 */
export async function pollInLog(client: Client, prefix: string, pollId: string): Promise<boolean> {
  return (await client.hexists(controlKeys(prefix).pollIds, pollId)) === 1;
}

/** Every matching entry of the log, in entry-id order. */
export async function* replayLog(
  client: Client,
  prefix: string,
  shardCount: number,
  filter: ReplayFilter = {},
  options: ReplayOptions = {},
): AsyncGenerator<ReplayedEntry> {
  const shards = filter.shards ?? Array.from({ length: shardCount }, (_, s) => s);
  // The catalogue comes along unless the export is of chosen shards only.
  const keys = [
    ...shards.map((s) => shardKeys(prefix, s).log),
    ...(filter.shards ? [] : [controlKeys(prefix).polls]),
  ];
  // Runs stand in for other polls only in a whole poll export: one cut by type or time could
  // not be followed along the chain anyway.
  const poll =
    filter.pollId && !filter.types && !filter.from && !filter.to
      ? new PollExport(filter.pollId)
      : undefined;
  let entries: AsyncIterable<MergedEntry> = mergedEntries(client, keys, {
    ...(filter.from ? { after: before(filter.from) } : {}),
    ...(filter.to ? { to: filter.to } : {}),
    follow: Boolean(options.follow),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onAbandoned ? { onAbandoned: options.onAbandoned } : {}),
  });
  if (options.speed) entries = paced(entries, options.speed, options.signal);
  const keep = (e: { type: LogEventType; pollId?: string }) =>
    (!filter.types || filter.types.includes(e.type)) &&
    (!filter.pollId || e.type === 'CommitMarked' || e.pollId === filter.pollId);
  /** Per shard: entry id of the last entry in the open run (the run's own id when shown). */
  const runEnd = new Map<number, string>();
  for await (const { source, raw } of entries) {
    if (source === shards.length) {
      const event = decodeCatalogueEntry(raw);
      const pollId = event.type === 'PollCreated' ? event.poll.id : event.pollId;
      if (keep({ type: event.type, pollId })) yield event;
      continue;
    }
    const shard = shards[source]!;
    const entry = decodeShardEntry(raw);
    if (!poll) {
      if (keep(entry)) yield { ...entry, shard };
      continue;
    }
    for (const e of poll.accept(shard, entry)) {
      yield e.type === 'ElidedRun' ? { ...e, shard, id: runEnd.get(shard)! } : { ...e, shard };
    }
    if (entry.type !== 'CommitMarked' && entry.pollId !== filter.pollId) runEnd.set(shard, raw[0]);
  }
  // A run of other polls' entries up to a shard's head closes the export of that shard.
  for (const { shard, run } of poll?.finish() ?? [])
    yield { ...run, shard, id: runEnd.get(shard)! };
}

/** The largest part of a stream entry id (`<ms>-<seq>`, both unsigned 64-bit). */
const ID_PART_MAX = 2n ** 64n - 1n;

/**
 * An ISO time (the API's grammar: src/domain/instant.ts) or an entry id, as an entry id bound.
 * Entry id parts are read as BigInt: past 2^53 a Number would round them.
 * @throws RangeError for anything else, and for id parts past 2^64 - 1.
 */
export function toEntryId(value: string, end = false): string {
  const id = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (id) {
    const ms = BigInt(id[1]!);
    const seq = id[2] === undefined ? (end ? ID_PART_MAX : 0n) : BigInt(id[2]);
    if (ms > ID_PART_MAX || seq > ID_PART_MAX)
      throw new RangeError(`${value}: the parts of an entry id are at most ${ID_PART_MAX}`);
    return `${ms}-${seq}`;
  }
  const ms = parseInstant(value);
  if (isInstantRefusal(ms))
    throw new RangeError(`${value} is neither an entry id nor an ISO time: it ${ms.message}`);
  return `${ms}-${end ? ID_PART_MAX : 0n}`;
}

/** The id just before `id`, so an exclusive range starting after it includes `id`. */
function before(id: string): string {
  const [ms, seq] = id.split('-').map(BigInt) as [bigint, bigint];
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-${ID_PART_MAX}` : '0-0';
}
