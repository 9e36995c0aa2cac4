// Weighted polls, pure: the fold counts each ballot by the weight its VoteCast carries, the
// roll's size and weight by its RollChanged entries, and every method counts by weight —
// against expectations computed by hand.
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { Entry, Poll, RollChanged, ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import {
  type PluralityResult,
  pollResult,
  type RollFigures,
} from '../../src/domain/poll-results.ts';
import { restoreShard, serializeShard } from '../../src/domain/projection-snapshot.ts';
import { rollCommitment } from '../../src/domain/roll.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { validateEvent } from '../../src/log/schemas.ts';
import { ChainBuilder } from './chain-builder.ts';

const T12 = 1_000_000_000_000;
const SEED = '0f'.repeat(16);

function weightedPoll(id: string, extra: Partial<Poll> = {}): Poll {
  return {
    id,
    title: id,
    options: ['a', 'b', 'c', 'd'].map((o) => ({ id: o })),
    maxChoices: 1,
    revote: 'replace',
    createdAt: 0,
    roll: true,
    weighted: true,
    ...extra,
  };
}

/** A shard state with `entries` folded in order; each must be valid and applied. */
function folded(shard: number, entries: readonly (ShardEvent & { id?: string })[]): ShardState {
  const state = createShardState(shard);
  for (const entry of entries) {
    const { seq: _s, hash: _h, id: _i, ...data } = entry as Entry<ShardEvent>;
    if (entry.type !== 'CommitMarked') validateEvent(data);
    assert.is(evolveShard(state, entry).kind, 'applied', JSON.stringify(entry));
  }
  return state;
}

const fold = suite('the fold counts each ballot by its weight');

fold('plurality over two shards: weights summed, a revote moves its weight when committed', () => {
  const poll = weightedPoll('w');
  const s0 = new ChainBuilder();
  const s1 = new ChainBuilder();
  const zero: ShardEvent[] = [
    s0.roll('w', [
      { voterId: 'ann', weight: 3 },
      { voterId: 'cy', weight: 1 },
    ]),
    s0.weighted('w', 'ann', ['a'], 3),
    s0.weighted('w', 'cy', ['a'], 1),
  ];
  zero.push(s0.mark());
  zero.push(s0.weighted('w', 'cy', ['b'], 1));
  const one: ShardEvent[] = [
    s1.roll('w', [
      { voterId: 'bo', weight: 5 },
      { voterId: 'di', weight: 2 },
    ]),
    s1.weighted('w', 'bo', ['b'], 5),
  ];
  one.push(s1.mark());
  const shards = [folded(0, zero), folded(1, one)];
  const tally = tallyPoll('w', shards, poll);
  assert.equal(tally.finalized, { a: 4, b: 5, c: 0, d: 0 });
  assert.equal(tally.ballots, { finalized: 3, pending: 0 });
  assert.equal(tally.weight, { finalized: 9, pending: 0 });
  assert.is(tally.revotesPending, 1);
  assert.equal(tally.roll, { voters: 4, weight: 11 });
  const before = pollResult(poll, shards, 'finalized') as PluralityResult & RollFigures;
  assert.equal(before.rounds[0].tally, { a: '4', b: '5', c: '0', d: '0' });
  assert.equal(before.winners, ['b']);
  assert.equal(
    [before.ballots, before.weighted, before.voters, before.roll],
    ['9', true, '3', { voters: '4', weight: '11' }],
  );
  // The revote is committed: cy's weight 1 moves from a to b.
  assert.is(evolveShard(shards[0]!, s0.mark()).kind, 'applied');
  const after = pollResult(poll, shards, 'finalized') as PluralityResult;
  assert.equal(after.rounds[0].tally, { a: '3', b: '6', c: '0', d: '0' });
  assert.is(after.ballots, '9');
});

fold('approval: every choice counts the whole weight; 10^12 and 2^53 − 1 are exact', () => {
  const poll = weightedPoll('ap', { maxChoices: 2 });
  const b = new ChainBuilder();
  const entries: ShardEvent[] = [
    b.weighted('ap', 'v1', ['a', 'b'], 2),
    b.weighted('ap', 'v2', ['b'], 7),
    b.weighted('ap', 'v3', ['a', 'c'], T12),
  ];
  entries.push(b.mark());
  const result = pollResult(poll, [folded(0, entries)], 'finalized') as PluralityResult;
  assert.equal(result.rounds[0].tally, {
    a: '1000000000002',
    b: '9',
    c: '1000000000000',
    d: '0',
  });
  assert.equal(result.winners, ['a']);
  assert.is(result.ballots, '1000000000009');

  const big = new ChainBuilder();
  const edge: ShardEvent[] = [
    big.weighted('ap', 'x', ['d'], Number.MAX_SAFE_INTEGER - 1),
    big.weighted('ap', 'y', ['d'], 1),
  ];
  edge.push(big.mark());
  const exact = pollResult(poll, [folded(0, edge)], 'finalized') as PluralityResult;
  assert.is(exact.rounds[0].tally.d, '9007199254740991');
});

fold('a vote without a weight counts 1 (old logs), and its fold shows no weight or roll', () => {
  const poll: Poll = { ...weightedPoll('old'), roll: undefined, weighted: undefined };
  const b = new ChainBuilder();
  const entries: ShardEvent[] = [b.vote('old', 'v1', ['a']), b.vote('old', 'v2', ['a'])];
  entries.push(b.mark());
  const state = folded(0, entries);
  const tally = tallyPoll('old', [state], poll);
  assert.equal(tally.finalized.a, 2);
  assert.not.ok('weight' in tally);
  assert.not.ok('roll' in tally);
  const result = pollResult(poll, [state], 'finalized');
  assert.not.ok('weighted' in result || 'roll' in result || 'voters' in result);
  const snapshot = JSON.parse(serializeShard(state));
  assert.not.ok('weight' in snapshot.slots, 'snapshots of unweighted folds keep their form');
  assert.not.ok('roll' in snapshot.polls[0]);
});

fold('snapshots keep weights and the roll: the restored fold has the same digest', () => {
  const b = new ChainBuilder();
  const entries: (ShardEvent & { id?: string })[] = [
    b.roll('w', [{ voterId: 'ann', weight: T12 }]),
    b.weighted('w', 'ann', ['a'], T12),
  ];
  entries.push(b.mark());
  entries.push(b.weighted('w', 'ann', ['b'], T12));
  const state = folded(0, entries);
  const restored = restoreShard(serializeShard(state));
  assert.is(digestShard(restored), digestShard(state));
  const poll = weightedPoll('w');
  assert.equal(tallyPoll('w', [restored], poll), tallyPoll('w', [state], poll));
  // The weight is in the digest: the same votes weighing 1 digest otherwise.
  const light = new ChainBuilder();
  const same = [light.roll('w', [{ voterId: 'ann', weight: 1 }]), light.vote('w', 'ann', ['a'])];
  assert.is.not(digestShard(folded(0, same)), digestShard(folded(0, entries.slice(0, 2))));
});

const ranked = suite('ranked methods count by weight');

ranked('IRV: [a] 4, [b a] 3, [c b] 2 — c out, b wins 5 to 4 (1 each: a three-way tie)', () => {
  const poll = weightedPoll('irv', {
    method: 'irv',
    maxChoices: 3,
    seed: SEED,
    options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  });
  const b = new ChainBuilder();
  const entries: ShardEvent[] = [
    b.weighted('irv', 'v1', ['a'], 4, true),
    b.weighted('irv', 'v2', ['b', 'a'], 3, true),
    b.weighted('irv', 'v3', ['c', 'b'], 2, true),
  ];
  entries.push(b.mark());
  const result = pollResult(poll, [folded(0, entries)], 'finalized') as unknown as {
    winners: string[];
    ballots: string;
    rounds: { tally: Record<string, string>; eliminated: string[]; threshold: string }[];
  };
  assert.equal(result.winners, ['b']);
  assert.is(result.ballots, '9');
  assert.equal(result.rounds[0]!.tally, { a: '4', b: '3', c: '2' });
  assert.equal(result.rounds[0]!.eliminated, ['c']);
  assert.is(result.rounds[0]!.threshold, '5');
  assert.equal(result.rounds[1]!.tally, { a: '4', b: '5' });
});

ranked('Scottish STV, 2 seats: [a b] 6, [c] 3, [d c] 2 — quota 4, a and c elected', () => {
  const poll = weightedPoll('stv', { method: 'stv', seats: 2, maxChoices: 4, seed: SEED });
  const b = new ChainBuilder();
  const entries: ShardEvent[] = [
    b.weighted('stv', 'v1', ['a', 'b'], 6, true),
    b.weighted('stv', 'v2', ['c'], 3, true),
    b.weighted('stv', 'v3', ['d', 'c'], 2, true),
  ];
  entries.push(b.mark());
  const result = pollResult(poll, [folded(0, entries)], 'finalized') as unknown as Record<
    string,
    unknown
  > & { rounds: Record<string, unknown>[] };
  // Valid 11, quota floor(11 / 3) + 1 = 4. a elected with 6: surplus 2, transfer value
  // 2/6 truncated to 0.33333 per paper, 6 papers carry 1.99998 to b (0.00002 lost). Then b
  // (1.99998) is excluded, its papers have no next preference; then d (2): its papers go to
  // c, who reaches 5 ≥ 4.
  assert.equal(result.winners, ['a', 'c']);
  assert.is(result.quota, '4.00000');
  assert.is(result.ballots, '11');
  const votes = result.rounds.map((round) => round.votes);
  assert.equal(votes, [
    { a: '6.00000', b: '0.00000', c: '3.00000', d: '2.00000' },
    { a: '4.00000', b: '1.99998', c: '3.00000', d: '2.00000' },
    { a: '4.00000', c: '3.00000', d: '2.00000' },
    { a: '4.00000', c: '5.00000' },
  ]);
  assert.equal(
    result.rounds.map((round) => round.action),
    ['first-preferences', 'surplus', 'exclusion', 'exclusion'],
  );
  assert.is(result.residual, '0.00002');
  assert.is(result.exhausted, '1.99998');
});

ranked('Schulze: a weight counts as that many ballots in every pairwise contest', () => {
  const poll = weightedPoll('sch', { method: 'schulze', maxChoices: 3, seed: SEED });
  const b = new ChainBuilder();
  const entries: ShardEvent[] = [
    b.weighted('sch', 'v1', ['a', 'b', 'c'], 2, true),
    b.weighted('sch', 'v2', ['c', 'b', 'a'], 3, true),
  ];
  entries.push(b.mark());
  const result = pollResult(poll, [folded(0, entries)], 'finalized') as unknown as {
    winners: string[];
    pairwise: Record<string, Record<string, string>>;
  };
  assert.equal(result.winners, ['c']);
});

const commitment = suite('the roll commitment');

commitment('SHA-256 over entries sorted by UTF-8 bytes, "voterId\\tweight\\n" each', () => {
  const entries = [
    { voterId: 'zoë', weight: 2 },
    { voterId: 'Zed', weight: T12 },
    { voterId: '\u{1F600}x', weight: 1 },
    { voterId: '\uFF21', weight: 5 },
  ];
  const c = rollCommitment(entries);
  assert.is(c.count, 4);
  assert.is(c.weight, T12 + 8);
  // By UTF-8 bytes: "Zed" (5A), "zoë" (7A), U+FF21 (EF BC A1), U+1F600 (F0 9F 98 80) — code
  // units would put U+1F600 (D83D) before U+FF21.
  const text = 'Zed\t1000000000000\nzoë\t2\n\uFF21\t5\n\u{1F600}x\t1\n';
  assert.is(c.sha256, createHash('sha256').update(text, 'utf8').digest('hex'));
  assert.is(rollCommitment([...entries].reverse()).sha256, c.sha256, 'order-free');
});

commitment('a RollChanged is chained and valid; its totals add up per poll', () => {
  const b = new ChainBuilder();
  const e: Entry<RollChanged> = b.roll('w', [{ voterId: 'a', weight: 3 }]);
  assert.is(e.count, 1);
  assert.is(e.weight, 3);
  assert.match(e.sha256, /^[0-9a-f]{64}$/);
});

fold.run();
ranked.run();
commitment.run();
