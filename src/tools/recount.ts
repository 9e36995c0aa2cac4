// Recounting a poll offline from an export (`votestream replay [--poll P] > file`): the same
// fold the nodes run, over the file's entries, each shard followed along its chain from
// genesis. Anyone with the file can recount; a changed, missing or reordered entry of the
// poll breaks the chain at its seq and is reported, never counted.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ElidedRun, Poll, ShardEvent } from '../domain/events.ts';
import { evolveShard } from '../domain/fold.ts';
import { pollFinal } from '../domain/fold-progress.ts';
import { asFold, createShardState, type ShardState } from '../domain/fold-state.ts';
import { recordedHashIs } from '../domain/fold-tail.ts';
import { type PollResult, pollResult } from '../domain/poll-results.ts';
import { type PollTally, tallyPoll } from '../domain/tally.ts';
import { eventOf, validateEvent } from '../log/schemas.ts';

export interface Recount {
  /** Lines read that held entries. */
  entries: number;
  /**
   * Each poll's tally and, when the file holds its definition, its `result`: the object
   * GET /polls/:pollId/results gives for the same ballots (finalized ones only). Only polls the
   * file holds: a `pollId` it does not hold is a problem (notInFile), not an empty tally.
   */
  polls: (PollTally & {
    title?: string;
    /** The catalogue's PollClosed is in the file. */
    closed: boolean;
    /**
     * The file proves the count can no longer change: the poll's close barrier is committed in
     * every shard from 0 to the highest in the file (pollFinal, the nodes' rule for `final`).
     */
    final: boolean;
    result?: PollResult;
  })[];
  shards: {
    shard: number;
    appliedSeq: number;
    committedSeq: number;
    headHash: string;
    /** Set when the shard's chain broke in the file: the fold stopped there. */
    broken?: string;
  }[];
  markers: number;
  /** Markers at a seq inside an ElidedRun: they count, but their hash cannot be checked here. */
  markersUnchecked: number;
  problems: string[];
}

/** A recount with what it folded: every shard's projection and each poll's definition. */
export interface RecountRun {
  summary: Recount;
  /** By shard number, 0 to the highest shard in the file (a shard absent from it: empty). */
  states: ShardState[];
  definitions: Map<string, Poll>;
}

/** The problem a recount reports when it has no poll to count: `pollId` absent, or no poll at all. */
export function notInFile(pollId?: string): string {
  return pollId === undefined
    ? 'the file holds no poll: no PollCreated line and no entry of a poll'
    : `poll ${pollId} is not in the file`;
}

/**
 * Recounts `pollId` (or every poll in the file) from the NDJSON export at `path` ('-': stdin).
 * @throws the read's error (ENOENT, EISDIR…) when the file cannot be read.
 */
export async function recountFile(
  path: string,
  pollId?: string,
  onProgress?: (lines: number) => void,
): Promise<Recount> {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  return (await recountLines(lines, pollId, onProgress)).summary;
}

/**
 * Recounts `pollId` (or every poll) from NDJSON lines of an export (`votestream replay`), each
 * shard followed along its chain from genesis; a break is reported and stops that shard.
 */
export async function recountLines(
  lines: AsyncIterable<string> | Iterable<string>,
  pollId?: string,
  onProgress?: (lines: number) => void,
): Promise<RecountRun> {
  const states = new Map<number, ShardState>();
  const broken = new Map<number, string>();
  const polls = new Map<string, { poll?: Poll; closed: boolean }>();
  const result: Recount = {
    entries: 0,
    polls: [],
    shards: [],
    markers: 0,
    markersUnchecked: 0,
    problems: [],
  };
  let n = 0;
  for await (const line of lines) {
    n++;
    if (onProgress && n % 10_000 === 0) onProgress(n);
    if (!line.trim()) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      result.problems.push(`line ${n}: not JSON`);
      continue;
    }
    // `replay --json` ends with its summary object: not an entry.
    if (!('type' in value) && 'entries' in value) continue;
    result.entries++;
    const { id: _id, shard, ...event } = value;
    try {
      if (shard === undefined) {
        catalogue(polls, catalogueEvent(event));
        continue;
      }
      if (!Number.isSafeInteger(shard) || (shard as number) < 0) throw new Error('bad shard');
      const s = shard as number;
      if (broken.has(s)) continue;
      const entry = shardEntry(event);
      const state = states.get(s) ?? createShardState(s);
      states.set(s, state);
      if (entry.type === 'CommitMarked') {
        result.markers++;
        if (
          entry.seq > state.committedSeq &&
          entry.seq <= state.appliedSeq &&
          recordedHashIs(asFold(state), entry.seq, entry.hash) === undefined
        )
          result.markersUnchecked++;
      } else if (entry.type !== 'ElidedRun' && !polls.has(entry.pollId)) {
        polls.set(entry.pollId, { closed: false });
      }
      const outcome = evolveShard(state, entry);
      if (outcome.kind === 'break' || outcome.kind === 'commit-rejected') {
        const why = `shard ${s}, line ${n}: ${JSON.stringify(outcome)}`;
        broken.set(s, why);
        result.problems.push(why);
      }
    } catch (error) {
      result.problems.push(`line ${n}: ${(error as Error).message}`);
    }
  }
  const ids = pollId ? [pollId] : [...polls.keys()].sort();
  const shards = [...states.values()].sort((a, b) => a.shard - b.shard);
  // Every shard up to the highest in the file, as a node holds every shard: a shard the file
  // does not mention counts nothing.
  const everyShard = Array.from(
    { length: shards.length ? shards.at(-1)!.shard + 1 : 0 },
    (_, s) => states.get(s) ?? createShardState(s),
  );
  for (const id of ids) {
    const known = polls.get(id);
    if (!known) continue;
    // Without its definition the poll's rules (method, weights) are unknown: its entries are
    // tallied as they stand, but it has no result, and the file is not a whole export.
    if (!known.poll)
      result.problems.push(`poll ${id} has entries but no PollCreated in the file: no result`);
    result.polls.push({
      ...tallyPoll(id, shards, known.poll),
      ...(known.poll ? { title: known.poll.title } : {}),
      closed: known.closed,
      final: pollFinal(id, everyShard),
      ...(known.poll ? { result: pollResult(known.poll, everyShard, 'finalized') } : {}),
    });
  }
  if (!result.polls.length) result.problems.push(notInFile(pollId));
  result.shards = shards.map((s) => ({
    shard: s.shard,
    appliedSeq: s.appliedSeq,
    committedSeq: s.committedSeq,
    headHash: s.headHash,
    ...(broken.has(s.shard) ? { broken: broken.get(s.shard)! } : {}),
  }));
  const definitions = new Map<string, Poll>();
  for (const [id, known] of polls) if (known.poll) definitions.set(id, known.poll);
  return { summary: result, states: everyShard, definitions };
}

type CatalogueLine = { type: 'PollCreated'; poll: Poll } | { type: 'PollClosed'; pollId: string };

/** A line without a shard, validated as an entry of the catalogue read from Redis. */
function catalogueEvent(line: { type?: unknown }): CatalogueLine {
  validateEvent(line);
  if (line.type === 'PollCreated' || line.type === 'PollClosed') return line;
  throw new Error(`a ${line.type} is not an event of the catalogue`);
}

function catalogue(polls: Map<string, { poll?: Poll; closed: boolean }>, event: CatalogueLine) {
  if (event.type === 'PollCreated') {
    const known = polls.get(event.poll.id);
    polls.set(event.poll.id, { poll: event.poll, closed: known?.closed ?? false });
  } else {
    const known = polls.get(event.pollId);
    polls.set(event.pollId, { ...known, closed: true });
  }
}

/** A shard line as the fold takes it: validated like an entry read from Redis. */
function shardEntry(event: Record<string, unknown>): ShardEvent | ElidedRun {
  if (event.type === 'ElidedRun') {
    const { fromSeq, seq, hash } = event;
    if (
      !isSafeInteger(fromSeq) ||
      !isSafeInteger(seq) ||
      typeof hash !== 'string' ||
      Object.keys(event).length !== 4
    )
      throw new Error('malformed ElidedRun');
    return { type: 'ElidedRun', fromSeq, seq, hash };
  }
  if (event.type === 'CommitMarked') return eventOf('CommitMarked', event);
  const { seq, hash, ...data }: { seq?: unknown; hash?: unknown; type?: unknown } = event;
  validateEvent(data);
  if (data.type !== 'VoteCast' && data.type !== 'PollClosed' && data.type !== 'RollChanged')
    throw new Error(`a ${data.type} is not an event of a shard`);
  if (!isSafeInteger(seq) || seq < 1 || typeof hash !== 'string')
    throw new Error(`a chained ${data.type} needs a seq and a hash`);
  return { ...data, seq, hash };
}

function isSafeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value);
}
