// A bulletin-board verifier and plurality recount written from docs/bulletin-board.md alone, as
// an outsider would: it imports nothing of votestream (only node:crypto and the language's
// JSON), so that test/docs/board-spec.test.ts proves the page, not the code, is enough.
import { createHash } from 'node:crypto';

/** A line's object as parsed. */
type Line = Record<string, unknown>;

/** "Canonical JSON": no whitespace, keys sorted by UTF-16 code units, the escapes it lists. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`not a payload number: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort(byCodeUnits);
    return `{${keys.map((k) => `${quoted(k)}:${canonicalJson((value as Line)[k])}`).join(',')}}`;
  }
  throw new Error(`not a payload value: ${String(value)}`);
}

function byCodeUnits(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const SHORT: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
};

function quoted(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = c >= 0xdc00 && c <= 0xdfff;
    const next = text.charCodeAt(i + 1);
    const prev = text.charCodeAt(i - 1);
    const unpaired =
      (high && !(next >= 0xdc00 && next <= 0xdfff)) || (low && !(prev >= 0xd800 && prev <= 0xdbff));
    if (SHORT[c] !== undefined) out += SHORT[c];
    else if (c < 0x20 || unpaired) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += text[i];
  }
  return `${out}"`;
}

/** hex(SHA-1(UTF-8(prevHash + "|" + seq + "|" + payload))); prevHash "" before seq 1. */
export function chainHash(prevHash: string, seq: number, payload: string): string {
  return createHash('sha1')
    .update(Buffer.from(`${prevHash}|${seq}|${payload}`, 'utf8'))
    .digest('hex');
}

/** The payload: the line without seq, hash, id and shard, as canonical JSON. */
export function payloadOf(line: Line): string {
  const { seq: _seq, hash: _hash, id: _id, shard: _shard, ...payload } = line;
  return canonicalJson(payload);
}

/** FNV-1a 32-bit over the UTF-8 bytes of pollId + "\n" + voterId, modulo the shard count. */
export function shardOfVote(pollId: string, voterId: string, shards: number): number {
  let h = 2166136261;
  for (const byte of Buffer.from(`${pollId}\n${voterId}`, 'utf8')) {
    h = Math.imul(h ^ byte, 16777619) >>> 0;
  }
  return h % shards;
}

interface Vote {
  seq: number;
  pollId: string;
  voterId: string;
  choices: string[];
  /** The line's `weight`, 1 where it has none. */
  weight: number;
  void: boolean;
}

interface ShardView {
  last: number;
  head: string;
  committed: number;
  /** Chain hash at each seq, undefined inside a run. */
  hashes: Map<number, string | undefined>;
  /** pollId → seq of its first barrier. */
  barriers: Map<string, number>;
  votes: Vote[];
  broken?: string;
}

export interface Board {
  lines: number;
  /** Chained lines (VoteCast, PollClosed in a shard) whose hash was recomputed and matched. */
  hashed: number;
  runs: number;
  markers: number;
  markersUnchecked: number;
  shards: Map<number, ShardView>;
  /** pollId → its option ids in the poll's order, from PollCreated. */
  polls: Map<string, { options: string[] }>;
  /** pollId → its RollChanged lines summed over the shards: voters and weight on its roll. */
  rolls: Map<string, { voters: number; weight: number }>;
  problems: string[];
}

/** Checks a board (NDJSON text) as the page's "Verifying a board" says; `shardCount`: N. */
export function verifyBoard(text: string, shardCount?: number): Board {
  const board: Board = {
    lines: 0,
    hashed: 0,
    runs: 0,
    markers: 0,
    markersUnchecked: 0,
    shards: new Map(),
    polls: new Map(),
    rolls: new Map(),
    problems: [],
  };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, raw] of lines.entries()) {
    const line = JSON.parse(raw) as Line;
    if (!('type' in line)) continue; // the --json summary
    board.lines++;
    if (line.shard === undefined) {
      if (line.type === 'PollCreated') {
        const poll = line.poll as PollDefinition;
        board.polls.set(poll.id, { options: poll.options.map((o) => o.id) });
      }
      continue;
    }
    const shard = line.shard as number;
    let view = board.shards.get(shard);
    if (!view) {
      view = { last: 0, head: '', committed: 0, hashes: new Map(), barriers: new Map(), votes: [] };
      board.shards.set(shard, view);
    }
    if (view.broken) continue;
    const why = applyShardLine(board, view, line, shardCount);
    if (why) {
      view.broken = `shard ${shard}, line ${index + 1}: ${why}`;
      board.problems.push(view.broken);
    }
  }
  return board;
}

interface PollDefinition {
  id: string;
  options: { id: string }[];
}

/** Applies one shard line to its shard's view; returns why the shard breaks there, if it does. */
function applyShardLine(
  board: Board,
  view: ShardView,
  line: Line,
  shardCount: number | undefined,
): string | undefined {
  const seq = line.seq as number;
  const hash = line.hash as string;
  switch (line.type) {
    case 'VoteCast':
    case 'PollClosed':
    case 'RollChanged': {
      if (seq !== view.last + 1) return `${seq > view.last + 1 ? 'gap' : 'repeat'} at seq ${seq}`;
      if (hash !== chainHash(view.head, seq, payloadOf(line))) return `hash at seq ${seq}`;
      board.hashed++;
      view.last = seq;
      view.head = hash;
      view.hashes.set(seq, hash);
      const pollId = line.pollId as string;
      if (line.type === 'RollChanged') {
        const roll = board.rolls.get(pollId) ?? { voters: 0, weight: 0 };
        roll.voters += line.count as number;
        roll.weight += line.weight as number;
        board.rolls.set(pollId, roll);
        return undefined;
      }
      if (line.type === 'PollClosed') {
        if (!view.barriers.has(pollId)) view.barriers.set(pollId, seq);
        return undefined;
      }
      const voterId = line.voterId as string;
      if (shardCount !== undefined && shardOfVote(pollId, voterId, shardCount) !== line.shard)
        return `vote at seq ${seq} is not in its voter's shard`;
      const choices = line.choices as string[];
      const weight = (line.weight as number | undefined) ?? 1;
      view.votes.push({ seq, pollId, voterId, choices, weight, void: view.barriers.has(pollId) });
      return undefined;
    }
    case 'ElidedRun': {
      const from = line.fromSeq as number;
      if (from !== view.last + 1) return `run from ${from} after seq ${view.last}`;
      if (!(seq >= from) || !/^[0-9a-f]{40}$/.test(hash)) return `bad run at ${from}`;
      board.runs++;
      for (let s = from; s < seq; s++) view.hashes.set(s, undefined);
      view.hashes.set(seq, hash);
      view.last = seq;
      view.head = hash;
      return undefined;
    }
    case 'CommitMarked': {
      board.markers++;
      if (seq > view.last) return `marker ahead of the chain at seq ${seq}`;
      const known = view.hashes.get(seq);
      if (known === undefined) board.markersUnchecked++;
      else if (known !== hash) return `marker hash at seq ${seq}`;
      view.committed = Math.max(view.committed, seq);
      return undefined;
    }
    default:
      return `unknown shard line ${String(line.type)}`;
  }
}

export interface Count {
  finalized: Record<string, number>;
  pending: Record<string, number>;
  ballots: { finalized: number; pending: number };
  revotesPending: number;
  /** Plurality/approval: every option with the highest finalized count (none if all 0). */
  winners: string[];
}

/** Recounts `pollId` as the page's "Recounting" says (plurality and approval). */
export function recount(board: Board, pollId: string): Count {
  const options = board.polls.get(pollId)?.options ?? [];
  const count: Count = {
    finalized: Object.fromEntries(options.map((o) => [o, 0])),
    pending: Object.fromEntries(options.map((o) => [o, 0])),
    ballots: { finalized: 0, pending: 0 },
    revotesPending: 0,
    winners: [],
  };
  for (const view of board.shards.values()) {
    const latest = new Map<string, Vote>();
    const committed = new Map<string, Vote>();
    for (const vote of view.votes) {
      if (vote.pollId !== pollId || vote.void) continue;
      latest.set(vote.voterId, vote);
      if (vote.seq <= view.committed) committed.set(vote.voterId, vote);
    }
    for (const [voter, vote] of latest) {
      const final = committed.get(voter);
      const [scope, ballot] = final
        ? (['finalized', final] as const)
        : (['pending', vote] as const);
      for (const choice of ballot.choices)
        count[scope][choice] = (count[scope][choice] ?? 0) + ballot.weight;
      count.ballots[scope]++;
      if (final && final !== vote) count.revotesPending++;
    }
  }
  const top = Math.max(0, ...Object.values(count.finalized));
  if (top > 0)
    count.winners = Object.keys(count.finalized).filter((o) => count.finalized[o] === top);
  return count;
}
