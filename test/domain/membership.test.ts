import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bestSample, clockSample } from '../../src/domain/clock-offset.ts';
import { liveness, quorumMembers, quorumSeq, quorumSize } from '../../src/domain/membership.ts';

const membership = suite('membership and quorum');

membership('a node is alive, then suspect after two missed heartbeats, then dead', () => {
  assert.is(liveness(0, 250, 1500), 'alive');
  assert.is(liveness(499, 250, 1500), 'alive');
  assert.is(liveness(500, 250, 1500), 'suspect');
  assert.is(liveness(1499, 250, 1500), 'suspect');
  assert.is(liveness(1500, 250, 1500), 'dead');
});

membership('a quorum is a majority of the member set', () => {
  assert.equal([1, 2, 3, 4, 5].map(quorumSize), [1, 2, 2, 3, 3]);
});

membership('the member set is the configured one, or this node alone when none is', () => {
  assert.equal(quorumMembers(['a', 'b', 'c'], 'b'), ['a', 'b', 'c']);
  assert.equal(quorumMembers(['a', 'c'], 'b'), ['a', 'c']);
  assert.equal(quorumMembers([], 'b'), ['b']);
});

membership('the quorum seq is the highest seq a quorum has reached', () => {
  assert.is(quorumSeq([10, 7, 9], 2), 9);
  assert.is(quorumSeq([10, 7, 9], 3), 7);
  assert.is(quorumSeq([10], 2), 0, 'one report cannot make a quorum of two');
  assert.is(quorumSeq([], 1), 0);
});

membership.run();

const clock = suite('cluster clock offset (Cristian)');

clock('the offset is the server time minus the midpoint of the round trip', () => {
  const s = clockSample(1000, 1600, 1010);
  assert.is(s.offsetMs, 595);
  assert.is(s.uncertaintyMs, 5.5);
});

clock('the best sample is the one with the shortest round trip', () => {
  const slow = clockSample(0, 5100, 200);
  const fast = clockSample(300, 5302, 304);
  assert.equal(bestSample([slow, fast]), fast);
  assert.is(bestSample([]), undefined);
});

clock.run();
