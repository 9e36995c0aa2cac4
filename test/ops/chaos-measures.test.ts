import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type ClusterSample,
  firstCommitAt,
  higherTermAfterMs,
  leadersSeen,
  maxCommitGapMs,
  newLeaderAfterMs,
} from '../../ops/chaos/measures.ts';
import { unavailableCell } from '../../ops/chaos/report.ts';

const sample = (
  at: number,
  nodeId: string,
  committed: number,
  leader: string | null = 'n1',
  term = 1,
): ClusterSample => ({ at, nodeId, committed, leader, term });

const gap = suite('max commit gap');

gap('is the longest time without a new highest committed total, across nodes', () => {
  const samples = [
    sample(0, 'n1', 0),
    sample(100, 'n1', 5),
    sample(150, 'n2', 7),
    sample(400, 'n1', 7),
    sample(1400, 'n2', 9),
    sample(1500, 'n1', 12),
  ];
  assert.is(maxCommitGapMs(samples, 100, 1500), 1250);
});

gap('does not count a restarted node refolding from lower totals as progress', () => {
  const samples = [
    sample(0, 'n1', 50),
    sample(100, 'n2', 10),
    sample(200, 'n2', 30),
    sample(300, 'n2', 50),
    sample(2000, 'n1', 51),
  ];
  assert.is(maxCommitGapMs(samples, 0, 2000), 2000);
});

gap('counts a gap still open at the end of the window up to the end', () => {
  const samples = [sample(0, 'n1', 1), sample(100, 'n1', 2), sample(200, 'n1', 2)];
  assert.is(maxCommitGapMs(samples, 0, 5000), 4900);
});

gap('ignores samples outside the window', () => {
  const samples = [sample(0, 'n1', 1), sample(100, 'n1', 2), sample(9000, 'n1', 3)];
  assert.is(maxCommitGapMs(samples, 100, 300), 200);
});

gap.run();

const first = suite('first commit');

first('is the first sample after `from` above every total reported before it', () => {
  const samples = [
    sample(0, 'n1', 4),
    sample(50, 'n2', 4),
    sample(80, 'n2', 4),
    sample(90, 'n3', 5),
  ];
  assert.is(firstCommitAt(samples, 10), 90);
  assert.is(firstCommitAt(samples.slice(0, 3), 10), undefined);
});

first.run();

const leaders = suite('time to a new leader');

leaders('is the first answer of another node naming another leader with a higher term', () => {
  const samples = [
    sample(1000, 'n2', 0, 'n1', 1),
    // The old leader's own view does not count.
    sample(1200, 'n1', 0, 'n3', 2),
    sample(1500, 'n2', 0, null, 1),
    sample(2100, 'n3', 0, 'n3', 2),
    sample(2300, 'n2', 0, 'n3', 2),
  ];
  assert.equal(newLeaderAfterMs(samples, 1000, { nodeId: 'n1', term: 1 }), {
    ms: 1100,
    leader: 'n3',
    term: 2,
  });
  assert.is(newLeaderAfterMs(samples, 1000, { nodeId: 'n1', term: 1 }, 2000), undefined);
});

leaders('is not a re-election of the same node; that shows as a higher term', () => {
  const samples = [sample(100, 'n2', 0, 'n1', 1), sample(900, 'n2', 0, 'n1', 2)];
  assert.is(newLeaderAfterMs(samples, 0, { nodeId: 'n1', term: 1 }), undefined);
  assert.equal(higherTermAfterMs(samples, 0, 1), { ms: 900, leader: 'n1', term: 2 });
});

leaders('lists every leader and term in the order they appeared', () => {
  const samples = [
    sample(300, 'n1', 0, 'n2', 2),
    sample(100, 'n2', 0, 'n1', 1),
    sample(200, 'n3', 0, 'n1', 1),
  ];
  assert.equal(leadersSeen(samples), [
    { leader: 'n1', term: 1 },
    { leader: 'n2', term: 2 },
  ]);
});

leaders.run();

const column = suite('the unavailability column');

column('shows the worst shard and which shards had any, or 0 s, or — when not measured', () => {
  assert.is(unavailableCell(null), '—');
  assert.is(unavailableCell(new Array(16).fill(0)), '0 s');
  const third = new Array(16).fill(0);
  for (const s of [2, 6, 10]) third[s] = 14.2;
  third[6] = 14.9;
  assert.is(unavailableCell(third), '14.9 s (shards 2, 6, 10)');
  assert.is(unavailableCell(new Array(16).fill(1.5)), '1.5 s (16 of 16 shards)');
});

column.run();
