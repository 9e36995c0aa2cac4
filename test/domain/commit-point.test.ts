import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type CommitPoint,
  commitPoint,
  markerAt,
  type ShardReport,
} from '../../src/domain/commit-point.ts';
import type { ShardState } from '../../src/domain/fold-state.ts';
import { ChainBuilder } from './chain-builder.ts';
import { given } from './fold-scenario.ts';

// given: the leader's fold of a shard (given(entries), as in the fold tests);
// when: the member set and the members' Applied reports (the leader's own is its fold);
// then: the commit point, who agreed, who diverged.

const LEADER = 'n1';
const MEMBERS = ['n1', 'n2', 'n3'];

/** when: `reports` by node id, for `members` (default n1, n2, n3; n1 leads). */
function when(
  fold: ShardState,
  reports: Record<string, ShardReport>,
  members: string[] = MEMBERS,
): CommitPoint {
  return commitPoint({ fold, self: LEADER, members, reportOf: (nodeId) => reports[nodeId] });
}

/** then: the whole answer, as one value. */
function then(point: CommitPoint, expected: CommitPoint): void {
  assert.equal(point, expected);
}

/** A leader that applied three votes: the chain hashes are `log.hashes[seq]`. */
function threeVotes(): { log: ChainBuilder; fold: ShardState } {
  const log = new ChainBuilder();
  const fold = given([
    log.vote('p', 'alice', ['a']),
    log.vote('p', 'bob', ['b']),
    log.vote('p', 'carol', ['a']),
  ]);
  return { log, fold };
}

const at = (log: ChainBuilder, seq: number): ShardReport => ({ seq, hash: log.hashes[seq]! });
const WRONG = 'f'.repeat(40);

const point = suite('commit point: what a quorum applied with the leader’s hashes');

point('a quorum that applied the leader’s chain commits the quorum-th highest seq', () => {
  const { log, fold } = threeVotes();
  then(when(fold, { n2: at(log, 2), n3: at(log, 1) }), {
    seq: 2,
    agreed: ['n1', 'n2', 'n3'],
    diverged: [],
  });
});

point('with no member set the leader alone is the quorum', () => {
  const { log, fold } = threeVotes();
  then(when(fold, { n2: at(log, 1) }, []), { seq: 3, agreed: ['n1'], diverged: [] });
});

point('a member whose hash differs does not count and is reported as diverged', () => {
  const { log, fold } = threeVotes();
  then(when(fold, { n2: { seq: 2, hash: WRONG }, n3: at(log, 1) }), {
    seq: 1,
    agreed: ['n1', 'n3'],
    diverged: [{ nodeId: 'n2', shard: 0, seq: 2, theirs: WRONG, mine: log.hashes[2]! }],
  });
});

point(
  'a member ahead of the leader is not counted, nor reported, until the leader catches up',
  () => {
    const { log, fold } = threeVotes();
    then(when(fold, { n2: { seq: 5, hash: WRONG }, n3: at(log, 3) }), {
      seq: 3,
      agreed: ['n1', 'n3'],
      diverged: [],
    });
    then(when(fold, { n2: { seq: 5, hash: WRONG } }), { seq: 0, agreed: ['n1'], diverged: [] });
  },
);

point('members that never reported do not count: no quorum, no commit point', () => {
  const { fold } = threeVotes();
  then(when(fold, {}), { seq: 0, agreed: ['n1'], diverged: [] });
});

point('the leader’s own fold counts only while the leader is a member', () => {
  const { log, fold } = threeVotes();
  then(when(fold, { n2: at(log, 1), n3: at(log, 2) }, ['n2', 'n3']), {
    seq: 1,
    agreed: ['n2', 'n3'],
    diverged: [],
  });
  then(when(fold, { n2: at(log, 1) }, ['n2', 'n3']), { seq: 0, agreed: ['n2'], diverged: [] });
});

point('reports at or below the committed seq count as they are (no hash is kept there)', () => {
  const log = new ChainBuilder();
  const fold = given([
    log.vote('p', 'alice', ['a']),
    log.vote('p', 'bob', ['b']),
    log.mark(2),
    log.vote('p', 'carol', ['a']),
  ]);
  then(when(fold, { n2: { seq: 1, hash: WRONG }, n3: { seq: 2, hash: WRONG } }), {
    seq: 2,
    agreed: ['n1'],
    diverged: [],
  });
});

point.run();

const marker = suite('commit marker: where the leader marks a shard');

marker('a commit point past what is committed and marked is marked with the fold’s hash', () => {
  const { log, fold } = threeVotes();
  assert.equal(markerAt(fold, 2), { seq: 2, hash: log.hashes[2] });
  assert.equal(markerAt(fold, 3, 2), { seq: 3, hash: log.hashes[3] });
});

marker('nothing is marked at or below what this term marked already', () => {
  const { fold } = threeVotes();
  assert.is(markerAt(fold, 2, 2), undefined);
  assert.is(markerAt(fold, 2, 3), undefined);
});

marker('nothing is marked at or below the committed seq, or without a commit point', () => {
  const log = new ChainBuilder();
  const fold = given([log.vote('p', 'alice', ['a']), log.vote('p', 'bob', ['b']), log.mark(2)]);
  assert.is(markerAt(fold, 2), undefined);
  assert.is(markerAt(fold, 1), undefined);
  assert.is(markerAt(threeVotes().fold, 0), undefined);
});

marker.run();
