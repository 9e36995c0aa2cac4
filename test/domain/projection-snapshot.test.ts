import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { voteStatusAt } from '../../src/domain/fold-lookup.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import {
  restoreShard,
  SnapshotError,
  serializeShard,
} from '../../src/domain/projection-snapshot.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';
import { ReferenceFold } from './reference-fold.ts';

function foldAll(entries: ShardEvent[], state: ShardState = createShardState(0)): ShardState {
  for (const entry of entries) {
    const outcome = evolveShard(state, entry);
    assert.ok(outcome.kind === 'applied' || outcome.kind === 'skipped', JSON.stringify(outcome));
  }
  return state;
}

/** 4000 entries: long uncommitted runs (past the tail's first 1024 slots), revotes, a close. */
function longLog(): ShardEvent[] {
  const log = new ChainBuilder();
  const entries: ShardEvent[] = [];
  for (let i = 0; i < 4000; i++) {
    const poll = i % 3 === 0 ? 'q' : 'p';
    if (i === 3500) entries.push(log.close('q'));
    entries.push(log.vote(poll, `voter-${(i * 7919) % 700}`, [['a', 'b', 'c'][i % 3]!]));
    if (i === 1000 || i === 1100 || i === 3000) entries.push(log.mark(log.seq - 40));
  }
  return entries;
}

const isSnapshotError = (error: unknown) => error instanceof SnapshotError;

const snapshot = suite('shard snapshots');

snapshot('a restored state has the same digest, tallies and statuses', () => {
  const log = new ChainBuilder();
  const state = foldAll([
    log.vote('p', 'alice', ['a', 'b'], 'v1'),
    log.mark(),
    log.vote('p', 'alice', ['c'], 'v2'),
    log.close('p'),
    log.vote('p', 'bob', ['a'], 'v3'),
    log.vote('q', 'bob', [], 'v4'),
  ]);
  const text = serializeShard(state);
  assert.not.ok(text.includes('"v1"'), 'a snapshot keeps no vote ids');
  const restored = restoreShard(text);
  assert.is(digestShard(restored), digestShard(state));
  assert.equal(tallyPoll('p', [restored]), tallyPoll('p', [state]));
  const statuses = (s: ShardState) =>
    [0, 1, 2, 3, 4, 5, 6].map((seq) => voteStatusAt(s, seq)?.status ?? null);
  // 3 is the barrier, 6 beyond the head.
  assert.equal(statuses(state), [null, 'finalized', 'pending', null, 'void', 'pending', null]);
  assert.equal(statuses(restored), statuses(state));
  assert.is(restored.committedHash, log.hashes[1]);
});

snapshot('a long uncommitted tail survives commits, a snapshot and folding on', () => {
  const entries = longLog();
  const cut = 2500;
  const direct = foldAll(entries.slice(0, cut));
  assert.ok(direct.appliedSeq - direct.committedSeq > 1024, 'the tail outgrew its first arrays');
  const restored = restoreShard(serializeShard(direct));
  foldAll(entries.slice(cut), direct);
  foldAll(entries.slice(cut), restored);
  assert.is(digestShard(restored), digestShard(direct));
  const model = new ReferenceFold();
  model.entries.push(...entries);
  for (const pollId of ['p', 'q']) {
    const options = ['a', 'b', 'c'].map((id) => ({ id }));
    const poll = { id: pollId, title: '', options, maxChoices: 1, revote: 'replace' as const };
    const {
      pollId: _p,
      shards: _s,
      ...tally
    } = tallyPoll(pollId, [restored], {
      ...poll,
      createdAt: 0,
    });
    assert.equal(tally, model.tally(pollId, ['a', 'b', 'c']));
  }
  const marks = entries.filter((e) => e.type === 'CommitMarked');
  assert.is(restored.committedSeq, marks[marks.length - 1]!.seq);
});

snapshot('the digest of a fixed log is pinned (a change needs a new digest format)', () => {
  const log = new ChainBuilder();
  const state = foldAll([
    log.vote('p', 'alice', ['a'], 'v1'),
    log.vote('p', 'bob', ['b', 'a'], 'v2'),
    log.mark(1),
    log.vote('p', 'alice', ['b'], 'v3'),
    log.close('p'),
  ]);
  // Digest format 2 (format 1 also hashed each seq's vote id).
  assert.is(digestShard(state), 'c76d0acfaeaca4b59e90db0946f748a3c8474fea');
});

snapshot('an unknown format or inconsistent content is refused', () => {
  const log = new ChainBuilder();
  const text = serializeShard(
    foldAll([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b'])]),
  );
  const edit = (change: (data: Record<string, unknown>) => void) => {
    const data = JSON.parse(text) as Record<string, unknown>;
    change(data);
    return JSON.stringify(data);
  };
  assert.throws(
    () =>
      restoreShard(
        edit((d) => {
          d.format = 2;
        }),
      ),
    isSnapshotError,
  );
  assert.throws(
    () =>
      restoreShard(
        edit((d) => {
          d.appliedSeq = 3;
        }),
      ),
    isSnapshotError,
  );
  assert.throws(
    () =>
      restoreShard(
        edit((d) => {
          d.headHash = 'x';
        }),
      ),
    isSnapshotError,
  );
  assert.throws(
    () =>
      restoreShard(
        edit((d) => {
          d.seqs = [0, 7];
        }),
      ),
    isSnapshotError,
  );
  assert.throws(
    () =>
      restoreShard(
        edit((d) => {
          d.tail = null;
        }),
      ),
    isSnapshotError,
  );
  assert.not.throws(() => restoreShard(text));
});

snapshot.run();
