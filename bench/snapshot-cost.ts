// npm run bench:snapshot -- [--voters 16000] [--rounds 5]: what one shard's periodic snapshot
// costs the node's thread, by part: the canonical digest (digestShard) and the serialization
// (serializeShard), on a shard of plurality voters folded from a generated chain.
import { parseArgs } from 'node:util';
import { chainHash, GENESIS_HASH, voteCastPayload } from '../src/domain/chain.ts';
import { digestShard } from '../src/domain/digest.ts';
import { evolveShard } from '../src/domain/fold.ts';
import { createShardState } from '../src/domain/fold-state.ts';
import { serializeShard } from '../src/domain/projection-snapshot.ts';
import { newVoteIdFor } from '../src/log/append-vote.ts';
import { dataField, decodeShardEntry, encodeEvent, type RawEntry } from '../src/log/codec.ts';
import { machine, median } from './harness.ts';

const { values } = parseArgs({
  options: {
    voters: { type: 'string', default: '16000' },
    rounds: { type: 'string', default: '5' },
  },
});
const voters = Number(values.voters);
const rounds = Number(values.rounds);
const options = ['a', 'b', 'c', 'd'];

const state = createShardState(0);
let head = { seq: 0, hash: GENESIS_HASH };
const at = 1_790_000_000_000;
const fold = (raw: RawEntry) => {
  const outcome = evolveShard(state, decodeShardEntry(raw), dataField(raw[1]));
  if (outcome.kind !== 'applied') throw new Error(JSON.stringify(outcome));
};
for (let i = 0; i < voters; i++) {
  const voterId = `voter-${i}`;
  const data = voteCastPayload({
    voteId: newVoteIdFor('bench', voterId, 1),
    pollId: 'bench',
    voterId,
    choices: [options[i % options.length]!],
    at,
  });
  head = { seq: head.seq + 1, hash: chainHash(head.hash, head.seq + 1, data) };
  fold([
    `${at}-${i}`,
    ['type', 'VoteCast', 'seq', String(head.seq), 'hash', head.hash, 'data', data],
  ]);
  if (head.seq % 100 === 0 || i === voters - 1) {
    const marker = encodeEvent({
      type: 'CommitMarked',
      v: 1,
      term: 1,
      seq: head.seq,
      hash: head.hash,
      by: 'n1',
      at,
    });
    fold([`${at}-${i}m`, ['type', 'CommitMarked', 'data', marker]]);
  }
}

const time = (f: () => unknown) => {
  const started = performance.now();
  f();
  return performance.now() - started;
};
const digestMs: number[] = [];
const serializeMs: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const d = time(() => digestShard(state));
  const s = time(() => serializeShard(state));
  if (r === 0) continue; // warm-up
  digestMs.push(d);
  serializeMs.push(s);
}
const fmt = (ms: number) =>
  `${ms.toFixed(1)} ms (${((ms * 1000) / voters).toFixed(2)} µs per voter)`;
console.log(
  `${machine()}; one shard of ${voters.toLocaleString('en')} voters, median of ${rounds}`,
);
console.log(`digestShard ${fmt(median(digestMs))} · serializeShard ${fmt(median(serializeMs))}`);
