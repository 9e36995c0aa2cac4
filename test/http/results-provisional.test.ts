// `provisional` in GET /polls/:pollId/results says which ballots were counted — with
// ?include=pending, ballots not yet committed — not whether the poll is open: that is `status`
// in GET /polls/:pollId. An observer node (no leader, no commits) keeps every vote pending.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const provisional = suite('provisional means counting pending ballots, not an open poll');
let node: RunningNode;

provisional.before(async () => {
  node = await startTestNode(await sharedCluster());
});
provisional.after(async () => {
  await node.close();
});

const get = async (url: string) => {
  const res = await node.app.inject({ url });
  assert.is(res.statusCode, 200, `${url}: ${res.body}`);
  return JSON.parse(res.body);
};

provisional('an open poll: plain results are not provisional, ?include=pending is', async () => {
  const pollId = await createPoll(node);
  const cast = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'alice', choices: ['a'] },
  });
  assert.is(cast.statusCode, 201, cast.body);
  assert.is((await get(`/polls/${pollId}`)).poll.status, 'open');

  // Once the node has folded the vote, ?include=pending counts it.
  await until(
    async () => (await get(`/polls/${pollId}/results?include=pending`)).ballots === '1',
    10_000,
    'the vote was not folded',
  );
  const pending = await get(`/polls/${pollId}/results?include=pending`);
  assert.is(pending.provisional, true);

  const plain = await get(`/polls/${pollId}/results`);
  assert.is(plain.provisional, false, 'an open poll, yet not provisional');
  assert.is(plain.ballots, '0', 'the vote is not committed: not counted');
  assert.equal(pending.rounds[0].tally, { a: '1', b: '0', c: '0' });

  const closed = await node.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/close`,
    headers: ADMIN,
  });
  assert.is(closed.statusCode, 200, closed.body);
  assert.is((await get(`/polls/${pollId}`)).poll.status, 'closed', 'closed, not final: no commits');
  assert.is((await get(`/polls/${pollId}/results`)).provisional, false);
  assert.is((await get(`/polls/${pollId}/results?include=pending`)).provisional, true);
});

provisional.run();
