import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const ranked = suite('ranked polls over HTTP: definitions and ballots');
let node: RunningNode;
let irv = '';

ranked.before(async () => {
  node = await startTestNode(await sharedCluster());
  irv = await createPoll(node, { method: 'irv', options: ['a', 'b', 'c', 'd'], maxRanks: 3 });
});
ranked.after(async () => {
  await node.close();
});

const post = (url: string, payload: unknown, headers = {}) =>
  node.app.inject({ method: 'POST', url, payload: payload as object, headers });

ranked(
  'a ranked poll says its method and maxRanks, and keeps the seed of its first create',
  async () => {
    const res = await node.app.inject({ method: 'GET', url: `/polls/${irv}` });
    const { poll } = res.json();
    assert.is(poll.method, 'irv');
    assert.is(poll.maxRanks, 3);
    assert.match(poll.seed, /^[0-9a-f]{64}$/);
    const again = await post(
      '/polls',
      { id: irv, title: 'Test poll', options: ['a', 'b', 'c', 'd'], method: 'irv', maxRanks: 3 },
      ADMIN,
    );
    assert.is(again.statusCode, 200, again.body);
    assert.is(again.json().poll.seed, poll.seed);
    const plurality = await node.app.inject({
      method: 'GET',
      url: `/polls/${await createPoll(node)}`,
    });
    assert.is(plurality.json().poll.method, 'plurality');
    assert.is(plurality.json().poll.seed, undefined);
  },
);

ranked(
  'a definition that mixes methods is a 400 naming the field, and writes nothing',
  async () => {
    const before = await logLength(node);
    for (const [extra, field] of [
      [{ method: 'stv' }, 'seats'],
      [{ method: 'stv', seats: 3 }, 'seats'],
      [{ method: 'irv', maxChoices: 2 }, 'maxChoices'],
      [{ maxRanks: 2 }, 'maxRanks'],
      [{ method: 'schulze', batchElimination: true }, 'batchElimination'],
      [{ method: 'borda' }, 'method'],
    ] as const) {
      const res = await post('/polls', { title: 'T', options: ['a', 'b', 'c'], ...extra }, ADMIN);
      assert.is(res.statusCode, 400, `${JSON.stringify(extra)}: ${res.body}`);
      assert.is(res.json().error.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(res.json().error), field);
    }
    assert.is(await logLength(node), before);
  },
);

ranked('a ranking is recorded in its order and the tally counts first preferences', async () => {
  const res = await post('/votes', { pollId: irv, voterId: 'v1', choices: ['c', 'a'] });
  assert.is(res.statusCode, 201, res.body);
  const { voteId } = res.json().receipt;
  const again = await post('/votes', { pollId: irv, voterId: 'v1', choices: ['c', 'a'], voteId });
  assert.is(again.statusCode, 200, 'the same ranking again is the same vote');
  const reordered = await post('/votes', {
    pollId: irv,
    voterId: 'v1',
    choices: ['a', 'c'],
    voteId,
  });
  assert.is(reordered.statusCode, 409, 'another order is another vote');
  // The fold has it once the node reads it; the voter's vote shows the ranking as cast.
  let vote: { choices?: string[] } = {};
  for (let i = 0; i < 50 && !vote.choices; i++) {
    const res = await node.app.inject({ method: 'GET', url: `/polls/${irv}/voters/v1` });
    if (res.statusCode === 200) vote = res.json().vote;
    else await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(vote.choices, ['c', 'a']);
  const t = (await node.app.inject({ method: 'GET', url: `/polls/${irv}/tally` })).json();
  const counted = (option: string) => t.finalized[option] + t.pending[option];
  assert.equal(['a', 'b', 'c', 'd'].map(counted), [0, 0, 1, 0]);
});

ranked('bad rankings get a 4xx with a stable code and write nothing', async () => {
  const before = await logLength(node);
  const cases: [unknown, number, string][] = [
    [['a', 'a'], 422, 'DUPLICATE_CHOICE'],
    [['a', 'x'], 422, 'UNKNOWN_OPTION'],
    [['a', 'b', 'c', 'd'], 422, 'TOO_MANY_CHOICES'],
    [[], 400, 'VALIDATION_FAILED'],
  ];
  for (const [choices, status, code] of cases) {
    const res = await post('/votes', { pollId: irv, voterId: 'bad', choices });
    assert.is(res.statusCode, status, `${JSON.stringify(choices)}: ${res.body}`);
    assert.is(res.json().error.code, code);
    const batch = await post('/votes/batch', {
      votes: [{ pollId: irv, voterId: 'bad', choices }],
    });
    assert.is(batch.json().results[0].status, status, batch.body);
    assert.is(batch.json().results[0].error.code, code);
  }
  assert.is(await logLength(node), before);
});

ranked.run();
