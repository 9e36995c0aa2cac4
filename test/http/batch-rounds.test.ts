import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { voteIdRounds } from '../../src/http/cast-batch.ts';

const rounds = suite('a batch that repeats a voteId: the first use decides');

rounds('a repeated voteId waits for the round after the earlier use; order is kept', () => {
  const ids = (...voteIds: string[]) => voteIdRounds(voteIds.map((voteId) => ({ voteId })));
  assert.equal(ids('a', 'b', 'c'), [[0, 1, 2]]);
  assert.equal(ids('x', 'x', 'y', 'x', 'y'), [[0, 2], [1, 4], [3]]);
  assert.equal(ids(), []);
});

rounds.run();
