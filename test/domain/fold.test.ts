import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash, chainPayload } from '../../src/domain/chain.ts';
import { digestShard } from '../../src/domain/digest.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { voterVote, voteStatusAt } from '../../src/domain/fold-lookup.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';

const APPLIED = { kind: 'applied' };

function given(entries: ShardEvent[], shard = 0): ShardState {
  const state = createShardState(shard);
  for (const entry of entries) {
    const outcome = evolveShard(state, entry);
    assert.equal(outcome, APPLIED, `given entries apply (${JSON.stringify(outcome)})`);
  }
  return state;
}

const tally = (state: ShardState, pollId = 'p') => tallyPoll(pollId, [state]);

const commit = suite('fold: commit markers');

commit('a vote is pending until a marker covers it, then finalized', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a'])]);
  assert.equal(tally(state).pending, { a: 1 });
  assert.equal(tally(state).finalized, { a: 0 });
  assert.equal(tally(state).ballots, { finalized: 0, pending: 1 });
  assert.equal(evolveShard(state, log.mark()), APPLIED);
  assert.equal(tally(state).pending, { a: 0 });
  assert.equal(tally(state).finalized, { a: 1 });
  assert.equal(tally(state).ballots, { finalized: 1, pending: 0 });
  assert.is(state.committedSeq, 1);
});

commit('a marker finalizes the votes up to its seq only', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])]);
  evolveShard(state, log.mark(1));
  assert.equal(tally(state).finalized, { a: 1, b: 0 });
  assert.equal(tally(state).pending, { a: 0, b: 1 });
});

commit('a marker at or below the committed seq is a no-op', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b']), log.mark(2)]);
  const before = digestShard(state);
  assert.equal(evolveShard(state, log.mark(2)), { kind: 'skipped', reason: 'stale-commit' });
  assert.equal(evolveShard(state, log.mark(1)), { kind: 'skipped', reason: 'stale-commit' });
  assert.is(state.committedSeq, 2);
  assert.is(digestShard(state), before);
});

commit('a marker with a wrong hash is reported as divergence and not applied', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])]);
  const outcome = evolveShard(state, log.mark(2, log.hashes[1]));
  assert.equal(outcome, {
    kind: 'commit-rejected',
    reason: 'hash',
    seq: 2,
    appliedSeq: 2,
    expectedHash: log.hashes[2],
    gotHash: log.hashes[1],
  });
  assert.is(state.committedSeq, 0);
  assert.equal(tally(state).ballots, { finalized: 0, pending: 2 });
  const inTail = evolveShard(state, log.mark(1, 'f'.repeat(40)));
  assert.is(inTail.kind, 'commit-rejected');
});

commit('a marker re-stating the committed seq with another hash is reported', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(1)]);
  const outcome = evolveShard(state, log.mark(1, 'e'.repeat(40)));
  assert.is(outcome.kind, 'commit-rejected');
  assert.is(state.committedSeq, 1);
});

commit('a marker beyond the applied seq is reported as ahead and not applied', () => {
  const log = new ChainBuilder();
  const votes = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given(votes.slice(0, 1));
  const outcome = evolveShard(state, log.mark(2));
  assert.equal(outcome, {
    kind: 'commit-rejected',
    reason: 'ahead',
    seq: 2,
    appliedSeq: 1,
    gotHash: log.hashes[2],
  });
  assert.is(state.committedSeq, 0);
  evolveShard(state, votes[1]!);
  assert.is(state.committedSeq, 0, 'the rejected marker is not remembered');
});

commit.run();

const revotes = suite('fold: revotes');

revotes('a revote replaces the pending vote', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.vote('p', 'alice', ['b'])]);
  assert.equal(tally(state).pending, { a: 0, b: 1 });
  assert.equal(tally(state).ballots, { finalized: 0, pending: 1 });
  assert.is(tally(state).revotesPending, 0);
});

revotes('a pending revote keeps the committed choice in finalized', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(), log.vote('p', 'alice', ['b'])]);
  const t = tally(state);
  assert.equal(t.finalized, { a: 1, b: 0 });
  assert.equal(t.pending, { a: 0, b: 0 });
  assert.equal(t.ballots, { finalized: 1, pending: 0 });
  assert.is(t.revotesPending, 1);
});

revotes('committing a revote moves the count to the new choice', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.mark(), log.vote('p', 'alice', ['b'])]);
  evolveShard(state, log.mark());
  const t = tally(state);
  assert.equal(t.finalized, { a: 0, b: 1 });
  assert.equal(t.ballots, { finalized: 1, pending: 0 });
  assert.is(t.revotesPending, 0);
});

revotes('a marker between two uncommitted votes finalizes the first and leaves a revote', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a', 'c']), log.vote('p', 'alice', ['b'])]);
  evolveShard(state, log.mark(1));
  const t = tally(state);
  assert.equal(t.finalized, { a: 1, b: 0, c: 1 });
  assert.equal(t.pending, { a: 0, b: 0, c: 0 });
  assert.is(t.revotesPending, 1);
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
  assert.equal(tally(state).pending, { a: 1 });
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
  const t = tally(state);
  assert.equal(t.finalized, { a: 1 });
  assert.equal(t.ballots, { finalized: 1, pending: 0 });
  assert.equal(voteStatusAt(state, 1), { seq: 1, status: 'finalized' });
  assert.is(voteStatusAt(state, 2), undefined, 'the barrier is no vote');
  assert.equal(voteStatusAt(state, 3), { seq: 3, status: 'void' });
  assert.equal(voteStatusAt(state, 4), { seq: 4, status: 'void' });
  assert.is(voterVote(state, 'p', 'bob'), undefined);
});

barrier('the barrier of one poll leaves other polls open', () => {
  const log = new ChainBuilder();
  const state = given([log.close('p'), log.vote('q', 'alice', ['x'])]);
  assert.equal(tally(state, 'q').pending, { x: 1 });
});

barrier.run();

const chain = suite('fold: chain checks');

function rejects(
  setup: (log: ChainBuilder) => ShardEvent[],
  bad: (log: ChainBuilder) => ShardEvent,
) {
  const log = new ChainBuilder();
  const state = given(setup(log));
  const before = digestShard(state);
  const outcome = evolveShard(state, bad(log));
  assert.is(digestShard(state), before, 'the state is unchanged');
  return outcome;
}

chain('a gap is reported and not applied', () => {
  const outcome = rejects(
    (log) => [log.vote('p', 'alice', ['a'])],
    (log) => {
      log.vote('p', 'bob', ['a']);
      return log.vote('p', 'carol', ['a']);
    },
  );
  assert.equal(outcome, { kind: 'break', reason: 'gap', expectedSeq: 2, gotSeq: 3 });
});

chain('a wrong hash is reported and not applied', () => {
  const outcome = rejects(
    (log) => [log.vote('p', 'alice', ['a'])],
    (log) => ({ ...log.vote('p', 'bob', ['a']), choices: ['b'] }),
  );
  assert.equal(outcome, { kind: 'break', reason: 'hash', expectedSeq: 2, gotSeq: 2 });
});

chain('a conflicting repeat of the head is reported as a repeat', () => {
  const other = new ChainBuilder();
  const outcome = rejects(
    (log) => [log.vote('p', 'alice', ['a'])],
    () => other.vote('p', 'alice', ['b']),
  );
  assert.equal(outcome, { kind: 'break', reason: 'repeat', expectedSeq: 2, gotSeq: 1 });
});

chain('a redelivered head or uncommitted entry is skipped as a duplicate', () => {
  const log = new ChainBuilder();
  const entries = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given(entries);
  const before = digestShard(state);
  const duplicate = { kind: 'skipped', reason: 'duplicate' };
  assert.equal(evolveShard(state, entries[1]!), duplicate);
  assert.equal(evolveShard(state, entries[0]!), duplicate);
  assert.is(digestShard(state), before);
  assert.equal(tally(state).pending, { a: 1, b: 1 });
});

chain('an entry below the commit point cannot be verified and counts as a repeat', () => {
  const log = new ChainBuilder();
  const entries = [log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])];
  const state = given([...entries, log.mark(2), log.vote('p', 'carol', ['a'])]);
  assert.equal(evolveShard(state, entries[0]!), {
    kind: 'break',
    reason: 'repeat',
    expectedSeq: 4,
    gotSeq: 1,
  });
});

chain('the link is checked over the stream payload when the reader passes it', () => {
  const log = new ChainBuilder();
  const entry = log.vote('p', 'alice', ['a']);
  const state = createShardState(0);
  const forged = chainPayload({ ...entry, choices: ['b'] });
  assert.equal(evolveShard(state, entry, forged), {
    kind: 'break',
    reason: 'hash',
    expectedSeq: 1,
    gotSeq: 1,
  });
  assert.equal(evolveShard(state, entry, chainPayload(entry)), APPLIED);
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
  assert.equal(voteStatusAt(state, 1), { seq: 1, status: 'finalized' });
  assert.equal(voteStatusAt(state, 2), { seq: 2, status: 'pending' });
  assert.equal(voteStatusAt(state, 3), { seq: 3, status: 'pending' });
  evolveShard(state, log.mark());
  assert.equal(voteStatusAt(state, 1), { seq: 1, status: 'superseded' });
  assert.equal(voteStatusAt(state, 2), { seq: 2, status: 'superseded' });
  assert.equal(voteStatusAt(state, 3), { seq: 3, status: 'finalized' });
});

lookups('a seq with no applied vote has no status', () => {
  const log = new ChainBuilder();
  const state = given([log.vote('p', 'alice', ['a']), log.close('q')]);
  assert.equal(voteStatusAt(state, 1), { seq: 1, status: 'pending' });
  for (const seq of [0, -1, 2, 3, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.is(voteStatusAt(state, seq), undefined, String(seq));
  }
  assert.is(voteStatusAt(createShardState(0), 1), undefined, 'an empty shard');
  const next = log.vote('p', 'bob', ['b']);
  assert.is(voteStatusAt(state, 3), undefined, 'a vote appended but not folded yet');
  evolveShard(state, next);
  assert.equal(voteStatusAt(state, 3), { seq: 3, status: 'pending' });
});

lookups('a voter lookup gives the latest vote and the committed one', () => {
  const log = new ChainBuilder();
  const state = given([
    log.vote('p', 'alice', ['b', 'a']),
    log.mark(),
    log.vote('p', 'alice', ['c']),
  ]);
  assert.equal(voterVote(state, 'p', 'alice'), {
    pollId: 'p',
    voterId: 'alice',
    seq: 2,
    choices: ['c'],
    status: 'pending',
    finalized: { seq: 1, choices: ['a', 'b'] },
  });
  evolveShard(state, log.mark());
  const vote = voterVote(state, 'p', 'alice');
  assert.is(vote?.status, 'finalized');
  assert.equal(vote?.finalized, { seq: 2, choices: ['c'] });
  assert.is(voterVote(state, 'p', 'nobody'), undefined);
  assert.is(voterVote(state, 'other-poll', 'alice'), undefined);
});

lookups.run();
