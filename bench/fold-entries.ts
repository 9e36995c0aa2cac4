// npm run bench:fold-entries — the fold alone, without Redis: --ballots generated log entries
// (the stream fields a shard holds: VoteCast with seq, hash and data; a CommitMarked every
// --marker-every votes of a shard), decoded and folded with decodeShardEntry + evolveShard, the
// loop of `votestream rebuild` and of a node's catch-up, shard by shard. Two logs of the same
// voters: a plurality poll (each voter's first preference) and a ranked one (the ranking from
// bench/ranked-ballots.ts), folded --rounds times each, interleaved in one process (the order
// alternating), after one unmeasured fold of each. What this leaves out of a cold fold: the
// page reads and their unpacking (bench/fold-ranked.ts measures the whole).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chainHash, GENESIS_HASH, voteCastPayload } from '../src/domain/chain.ts';
import { evolveShard } from '../src/domain/fold.ts';
import { createShardState, type ShardState } from '../src/domain/fold-state.ts';
import { shardOf } from '../src/domain/shard-of.ts';
import { tallyPoll } from '../src/domain/tally.ts';
import { newVoteIdFor } from '../src/log/append-vote.ts';
import { dataField, decodeShardEntry, encodeEvent, type RawEntry } from '../src/log/codec.ts';
import { machine, median } from './harness.ts';
import { rankedBallots } from './ranked-ballots.ts';
import { type EntryFoldResult, entryFoldTable } from './report-markdown.ts';

const { values } = parseArgs({
  options: {
    ballots: { type: 'string', default: '1000000' },
    options: { type: 'string', default: '35' },
    seed: { type: 'string', default: '42' },
    shards: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' },
    // A node's committer marks each shard every few ms: at fill rates, a marker per tens to
    // hundreds of votes.
    'marker-every': { type: 'string', default: '100' },
    // Fold only this kind (for a profile): plurality or ranked.
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const totalBallots = Number(values.ballots);
const shards = Number(values.shards);
const rounds = Number(values.rounds);
const markerEvery = Number(values['marker-every']);
const gc = (globalThis as { gc?: () => void }).gc;
type Kind = 'plurality' | 'ranked';

/** The shards' logs of one poll: every voter's ballot, chained, with commit markers. */
function makeLogs(kind: Kind): RawEntry[][] {
  const logs = Array.from({ length: shards }, () => [] as RawEntry[]);
  const heads = Array.from({ length: shards }, () => ({ seq: 0, hash: GENESIS_HASH }));
  const at = 1_790_000_000_000;
  let voter = 0;
  const mark = (shard: number) => {
    const { seq, hash } = heads[shard]!;
    const data = encodeEvent({ type: 'CommitMarked', v: 1, term: 1, seq, hash, by: 'n1', at });
    logs[shard]!.push([`${at}-${logs[shard]!.length}`, ['type', 'CommitMarked', 'data', data]]);
  };
  for (const ranking of rankedBallots(totalBallots, Number(values.options), Number(values.seed))) {
    const voterId = `voter-${voter++}`;
    const shard = shardOf('bench', voterId, shards);
    const head = heads[shard]!;
    const choices = kind === 'ranked' ? ranking : [ranking[0]!];
    const voteId = newVoteIdFor('bench', voterId, shards);
    const data = voteCastPayload({ voteId, pollId: 'bench', voterId, choices, at });
    head.seq++;
    head.hash = chainHash(head.hash, head.seq, data);
    const fields = ['type', 'VoteCast', 'seq', String(head.seq), 'hash', head.hash, 'data', data];
    logs[shard]!.push([`${at}-${logs[shard]!.length}`, fields]);
    if (head.seq % markerEvery === 0) mark(shard);
  }
  for (let s = 0; s < shards; s++) if (heads[s]!.seq % markerEvery !== 0) mark(s);
  return logs;
}

/**
 * Collected garbage, typed arrays included: a collection frees an ArrayBuffer's memory a little
 * later, off the thread, so without the pause the last fold's buffers were still counted in
 * arrayBuffers when the next fold started (plurality showed 17 B per ballot after a ranked one).
 */
async function settled(): Promise<void> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc?.();
}

/** Folds every shard's log from zero; returns the states, seconds and heap the states hold. */
async function foldLogs(logs: RawEntry[][]) {
  await settled();
  // Typed arrays (the fold's columns and choice sets) are outside heapUsed, in arrayBuffers.
  const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = held();
  const started = performance.now();
  const states: ShardState[] = [];
  for (let shard = 0; shard < logs.length; shard++) {
    const state = createShardState(shard);
    for (const raw of logs[shard]!) {
      const outcome = evolveShard(state, decodeShardEntry(raw), dataField(raw[1]));
      if (outcome.kind !== 'applied') throw new Error(`shard ${shard}: ${JSON.stringify(outcome)}`);
    }
    states.push(state);
  }
  const seconds = (performance.now() - started) / 1000;
  await settled();
  const bytes = held() - before;
  return { states, seconds, bytes };
}

const loadBefore = loadavg();
const kinds: Kind[] = values.only ? [values.only as Kind] : ['plurality', 'ranked'];
const logs = new Map(kinds.map((kind) => [kind, makeLogs(kind)]));
const entries = (kind: Kind) => logs.get(kind)!.reduce((n, log) => n + log.length, 0);
const runs: EntryFoldResult['runs'] = [];
for (let round = -1; round < rounds; round++) {
  const order = round % 2 === 0 ? kinds : [...kinds].reverse();
  for (const kind of order) {
    const { states, seconds, bytes } = await foldLogs(logs.get(kind)!);
    const ballots = tallyPoll('bench', states).ballots.finalized;
    if (ballots !== totalBallots) throw new Error(`${kind}: ${ballots} ballots finalized`);
    // Round -1 warms the code up for both kinds alike; it is not reported.
    if (round < 0) continue;
    runs.push({
      kind,
      entries: entries(kind),
      seconds,
      entriesPerSecond: Math.round(entries(kind) / seconds),
      heapBytesPerBallot: gc ? Math.round(bytes / ballots) : Number.NaN,
    });
  }
}
const result: EntryFoldResult = {
  ballots: totalBallots,
  markerEvery,
  rounds,
  runs,
  loadBefore,
  loadAfter: loadavg(),
};
console.log(
  `\n${machine()}; ${totalBallots.toLocaleString('en')} ballots; load average before ` +
    `${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, after ` +
    `${result.loadAfter.map((x) => x.toFixed(2)).join(' / ')}\n`,
);
if (kinds.length === 2) console.log(entryFoldTable(result));
else console.log(`${kinds[0]}: median ${median(runs.map((r) => r.entriesPerSecond))} entries/s`);
if (values.json) console.log(JSON.stringify(result));
