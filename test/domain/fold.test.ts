import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash, chainPayload } from '../../src/domain/chain.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { voteStatusAt } from '../../src/domain/fold-lookup.ts';
import { createShardState } from '../../src/domain/fold-state.ts';
import { ChainBuilder } from './chain-builder.ts';
import { APPLIED, given, thenFold as then, voter, when } from './fold-scenario.ts';

const STALE = { kind: 'skipped', reason: 'stale-commit' } as const;
const DUPLICATE = { kind: 'skipped', reason: 'duplicate' } as const;

const commit = suite('fold: commit markers');

commit('a vote is pending until a marker covers it, then finalized', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a'])]);
  then(state, { pending: { a: 1 }, finalized: { a: 0 }, ballots: { finalized: 0, pending: 1 } });
  then(when(state, log.mark()), {
    outcome: APPLIED,
    pending: { a: 0 },
    finalized: { a: 1 },
    ballots: { finalized: 1, pending: 0 },
    committedSeq: 1,
  });
});

commit('a marker finalizes the votes up to its seq only', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])]);
  then(when(state, log.mark(1)), {
    outcome: APPLIED,
    finalized: { a: 1, b: 0 },
    pending: { a: 0, b: 1 },
  });
});

commit('a marker at or below the committed seq is a no-op', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b']), log.mark(2)]);
  then(when(state, log.mark(2)), { outcome: STALE, unchanged: true, committedSeq: 2 });
  then(when(state, log.mark(1)), { outcome: STALE, unchanged: true, committedSeq: 2 });
});

commit('a marker with a wrong hash is reported as divergence and not applied', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])]);
  then(when(state, log.mark(2, log.hashes[1])), {
    outcome: {
      kind: 'commit-rejected',
      reason: 'hash',
      seq: 2,
      appliedSeq: 2,
      expectedHash: log.hashes[2],
      gotHash: log.hashes[1]!,
    },
    committedSeq: 0,
    ballots: { finalized: 0, pending: 2 },
  });
  then(when(state, log.mark(1, 'f'.repeat(40))), {
    outcome: {
      kind: 'commit-rejected',
      reason: 'hash',
      seq: 1,
      appliedSeq: 2,
      expectedHash: log.hashes[1],
      gotHash: 'f'.repeat(40),
    },
  });
});

commit('a marker re-stating the committed seq with another hash is reported', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(1)]);
  then(when(state, log.mark(1, 'e'.repeat(40))), {
    outcome: {
      kind: 'commit-rejected',
      reason: 'hash',
      seq: 1,
      appliedSeq: 1,
      expectedHash: log.hashes[1],
      gotHash: 'e'.repeat(40),
    },
    committedSeq: 1,
  });
});

commit('a marker beyond the applied seq is reported as ahead and not applied', () => {
  const log = new ChainBuilder();
  const votes = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given(votes.slice(0, 1));
  then(when(state, log.mark(2)), {
    outcome: {
      kind: 'commit-rejected',
      reason: 'ahead',
      seq: 2,
      appliedSeq: 1,
      gotHash: log.hashes[2]!,
    },
    committedSeq: 0,
  });
  // The rejected marker is not remembered: the vote it named stays pending once folded.
  then(when(state, votes[1]!), { outcome: APPLIED, appliedSeq: 2, committedSeq: 0 });
});

commit.run();

const revotes = suite('fold: revotes');

revotes('a revote replaces the pending vote', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'alice', ['b'])]);
  then(state, {
    pending: { a: 0, b: 1 },
    ballots: { finalized: 0, pending: 1 },
    revotesPending: 0,
  });
});

revotes('a pending revote keeps the committed choice in finalized', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(), log.vote('p', 'alice', ['b'])]);
  then(state, {
    finalized: { a: 1, b: 0 },
    pending: { a: 0, b: 0 },
    ballots: { finalized: 1, pending: 0 },
    revotesPending: 1,
  });
});

revotes('committing a revote moves the count to the new choice', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(), log.vote('p', 'alice', ['b'])]);
  then(when(state, log.mark()), {
    outcome: APPLIED,
    finalized: { a: 0, b: 1 },
    ballots: { finalized: 1, pending: 0 },
    revotesPending: 0,
  });
});

revotes('a marker between two uncommitted votes finalizes the first and leaves a revote', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a', 'c']), log.vote('p', 'alice', ['b'])]);
  then(when(state, log.mark(1)), {
    outcome: APPLIED,
    finalized: { a: 1, b: 0, c: 1 },
    pending: { a: 0, b: 0, c: 0 },
    revotesPending: 1,
  });
});

revotes('an option listed twice in one vote counts once', () => {
  const log = new ChainBuilder();
  const vote = log.vote('p', 'alice', ['a']);
  const state = given([
    {
      ...vote,
      choices: ['a', 'a'],
      hash: chainHash('', 1, chainPayload({ ...vote, choices: ['a', 'a'] })),
    },
  ]);
  then(state, { pending: { a: 1 } });
});

revotes.run();

const barrier = suite('fold: poll close barrier');

barrier('a vote after the barrier never counts; earlier ones still commit', () => {
  const log = new ChainBuilder();
  const state = given([
    log.vote('p', 'alice', ['a']),
    log.close('p'),
    log.vote('p', 'bob', ['a'], 'late'),
    log.vote('p', 'alice', ['b'], 'late-revote'),
    log.mark(),
  ]);
  then(state, {
    finalized: { a: 1 },
    ballots: { finalized: 1, pending: 0 },
    // Seq 2 is the barrier, which is no vote.
    statuses: { 1: 'finalized', 2: undefined, 3: 'void', 4: 'void' },
    voters: { bob: undefined },
  });
});

barrier('the barrier of one poll leaves other polls open', () => {
  const log = new ChainBuilder();
  const state = given([log.close('p'), log.vote('q', 'alice', ['x'])]);
  then(state, { pollId: 'q', pending: { x: 1 } });
});

barrier.run();

const chain = suite('fold: chain checks');

chain('a gap is reported and not applied', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a'])]);
  log.vote('p', 'bob', ['a']);
  then(when(state, log.vote('p', 'carol', ['a'])), {
    outcome: { kind: 'break', reason: 'gap', expectedSeq: 2, gotSeq: 3 },
    unchanged: true,
  });
});

chain('a wrong hash is reported and not applied', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a'])]);
  then(when(state, { ...log.vote('p', 'bob', ['a']), choices: ['b'] }), {
    outcome: { kind: 'break', reason: 'hash', expectedSeq: 2, gotSeq: 2 },
    unchanged: true,
  });
});

chain('a conflicting repeat of the head is reported as a repeat', () => {
  const other = new ChainBuilder();
  const state = given([new ChainBuilder().vote('p', 'alice', ['a'])]);
  then(when(state, other.vote('p', 'alice', ['b'])), {
    outcome: { kind: 'break', reason: 'repeat', expectedSeq: 2, gotSeq: 1 },
    unchanged: true,
  });
});

chain('a redelivered head or uncommitted entry is skipped as a duplicate', () => {
  const log = new ChainBuilder();
  const entries = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given(entries);
  then(when(state, entries[1]!), { outcome: DUPLICATE, unchanged: true });
  then(when(state, entries[0]!), { outcome: DUPLICATE, unchanged: true, pending: { a: 1, b: 1 } });
});

chain('an entry below the commit point cannot be verified and counts as a repeat', () => {
  const log = new ChainBuilder();
  const entries = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given([...entries, log.mark(2), log.vote('p', 'carol', ['a'])]);
  then(when(state, entries[0]!), {
    outcome: { kind: 'break', reason: 'repeat', expectedSeq: 4, gotSeq: 1 },
  });
});

chain('the link is checked over the stream payload when the reader passes it', () => {
  const log = new ChainBuilder();
  const entry = log.vote('p', 'alice', ['a']);
  const state = createShardState(0);
  const forged = chainPayload({ ...entry, choices: ['b'] });
  then(when(state, entry, forged), {
    outcome: { kind: 'break', reason: 'hash', expectedSeq: 1, gotSeq: 1 },
  });
  then(when(state, entry, chainPayload(entry)), { outcome: APPLIED });
});

chain('a PollClosed without its place in the chain is refused', () => {
  const state = createShardState(0);
  const closed = { type: 'PollClosed', v: 1, pollId: 'p', at: 0, by: 'n1' } as const;
  assert.throws(() => evolveShard(state, closed), /carries seq and hash/);
  assert.throws(() => evolveShard({ ...state }, new ChainBuilder().mark()), /not a shard state/);
});

chain.run();

const lookups = suite('fold: vote status and voter lookup');

lookups('statuses by seq follow commits and revotes', () => {
  const log = new ChainBuilder();
  const state = given([
    log.vote('p', 'alice', ['a'], 'v1'),
    log.mark(),
    log.vote('p', 'alice', ['b'], 'v2'),
    log.vote('p', 'alice', ['c'], 'v3'),
  ]);
  then(state, { statuses: { 1: 'finalized', 2: 'pending', 3: 'pending' } });
  then(when(state, log.mark()), {
    outcome: APPLIED,
    statuses: { 1: 'superseded', 2: 'superseded', 3: 'finalized' },
  });
});

lookups('a seq with no applied vote has no status', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.close('q')]);
  then(state, {
    statuses: { 1: 'pending', 0: undefined, [-1]: undefined, 2: undefined, 3: undefined },
  });
  for (const seq of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.is(voteStatusAt(state, seq), undefined, String(seq));
  }
  then(createShardState(0), { statuses: { 1: undefined } });
  const next = log.vote('p', 'bob', ['b']);
  // A vote appended but not folded yet has no status; folded, it is pending.
  then(state, { statuses: { 3: undefined } });
  then(when(state, next), { outcome: APPLIED, statuses: { 3: 'pending' } });
});

lookups('a voter lookup gives the latest vote and the committed one', () => {
  const log = new ChainBuilder();
  const state = given([
    log.vote('p', 'alice', ['b', 'a']),
    log.mark(),
    log.vote('p', 'alice', ['c']),
  ]);
  then(state, { voters: { alice: voter(2, ['c'], 'pending', { seq: 1, choices: ['a', 'b'] }) } });
  then(when(state, log.mark()), {
    outcome: APPLIED,
    voters: { alice: voter(2, ['c'], 'finalized', { seq: 2, choices: ['c'] }), nobody: undefined },
  });
  then(state, { pollId: 'other-poll', voters: { alice: undefined } });
});

lookups.run();
