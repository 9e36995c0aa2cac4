// The shard digest's bytes are a format (2): nodes of different versions compare digests
// (/digests, `rebuild --compare`) and a snapshot is trusted only if its saved digest matches
// the restored state. The values below were computed by digestShard as it was before it built
// its voter and vote lines by hand (commit a659cfa); a change to any byte of the canonical
// serialization changes them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { ChainBuilder } from './chain-builder.ts';

function foldAll(entries: ShardEvent[]): ShardState {
  const state = createShardState(3);
  for (const entry of entries) {
    const outcome = evolveShard(state, entry);
    assert.ok(outcome.kind === 'applied', JSON.stringify(outcome));
  }
  return state;
}

/** Voter ids whose JSON needs escapes, and whose code-unit order differs from code points. */
const ODD_VOTERS = [
  'z',
  'é',
  '"quoted"',
  'back\\slash',
  'tab\there',
  '😀',
  '\uffff',
  'Ω',
  'line\nbreak',
  'A',
];

/** Two polls, approval ballots, revotes, a close, void votes, an uncommitted tail. */
function mixedLog(): ShardEvent[] {
  const log = new ChainBuilder();
  const entries: ShardEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    const poll = i % 4 === 0 ? 'q' : 'p';
    if (i === 2500) entries.push(log.close('q'));
    const voter = i % 13 === 0 ? ODD_VOTERS[i % ODD_VOTERS.length]! : `voter-${(i * 7919) % 900}`;
    const choices = [['a'], ['a', 'c'], ['b'], [], ['c', 'b', 'a']][i % 5]!;
    entries.push(log.vote(poll, voter, choices));
    if (i === 800 || i === 1900 || i === 2700) entries.push(log.mark(log.seq - 30));
  }
  return entries;
}

/** A weighted poll with a roll. */
function weightedLog(log = new ChainBuilder()): ShardEvent[] {
  const entries: ShardEvent[] = [
    log.roll('w', [
      { voterId: 'alice', weight: 1_000_000_000_000 },
      { voterId: 'bob', weight: 3 },
      { voterId: 'carol', weight: 1 },
    ]),
  ];
  entries.push(log.weighted('w', 'alice', ['x'], 1_000_000_000_000));
  entries.push(log.weighted('w', 'bob', ['y'], 3));
  entries.push(log.mark());
  entries.push(log.weighted('w', 'carol', ['x'], 1));
  entries.push(log.weighted('w', 'bob', ['x'], 3));
  return entries;
}

const digest = suite('shard digest (format 2)');

digest('the digest of an empty shard', () => {
  assert.is(digestShard(createShardState(3)), EMPTY);
});

digest('two polls, approval ballots, revotes, a close, odd voter ids, an uncommitted tail', () => {
  assert.is(digestShard(foldAll(mixedLog())), MIXED);
});

digest('a weighted poll with a roll', () => {
  assert.is(digestShard(foldAll(weightedLog())), WEIGHTED);
});

digest('a revote folded after it changes it', () => {
  const log = new ChainBuilder();
  const state = foldAll(weightedLog(log));
  const before = digestShard(state);
  assert.is(evolveShard(state, log.weighted('w', 'carol', ['y'], 1)).kind, 'applied');
  assert.is.not(digestShard(state), before);
});

const EMPTY = 'a885636940882e94122260994e9447e2d7917e1c';
const MIXED = '48458e3ee55e0e6804151f2a405967965a53500d';
const WEIGHTED = 'ac96aa784e24799c45cf2e56dc0d1c72af0d0aa5';

digest.run();
