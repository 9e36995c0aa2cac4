// Voter rolls over HTTP on a real Redis Cluster: who may vote, what a roll request refuses, and
// that every refusal writes nothing (no stream entry, no roll entry).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tagKey, voterTag } from '../../src/domain/voter-tag.ts';
import { decodeShardEntry, type RawEntry } from '../../src/log/codec.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { documentAjv } from '../helpers/contract.ts';
import { ADMIN, createPoll, logLength, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const VOTER_SECRET = 'test-voter-secret-0123456789abcdef';
/** "José" with a precomposed é, and with e + U+0301: one voter under the identity policy. */
const JOSE_NFC = 'Jos\u00e9';
const JOSE_NFD = 'Jose\u0301';

let node: RunningNode;

const cast = (payload: Record<string, unknown>) =>
  node.app.inject({ method: 'POST', url: '/votes', payload });
const enroll = (pollId: string, voters: unknown, headers: Record<string, string> = ADMIN) =>
  node.app.inject({ method: 'POST', url: `/polls/${pollId}/roll`, headers, payload: { voters } });

/** Every roll entry of a poll, over every shard. */
async function rollOf(pollId: string): Promise<Record<string, string>> {
  const { client, prefix, shards } = node.ctx.target;
  const parts = await Promise.all(
    Array.from({ length: shards }, (_, s) => client.hgetall(shardKeys(prefix, s).roll(pollId))),
  );
  return Object.assign({}, ...parts);
}

/** What the log and the roll hold: "nothing written" compares two of these. */
async function written(pollId: string) {
  return { entries: await logLength(node), roll: await rollOf(pollId) };
}

const rolls = suite('voter rolls: who may vote');

rolls.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
});
rolls.after(async () => {
  await node.close();
});

rolls('a voter not on the roll: 403 NOT_ON_ROLL and nothing written', async () => {
  const pollId = await createPoll(node, { roll: true });
  const added = await enroll(pollId, [{ voterId: 'alice' }]);
  assert.is(added.statusCode, 200, added.body);
  const before = await written(pollId);
  const res = await cast({ pollId, voterId: 'mallory', choices: ['a'] });
  assert.is(res.statusCode, 403, res.body);
  assert.is(res.json().error.code, 'NOT_ON_ROLL');
  // In a batch too, for that item only.
  const batch = await node.app.inject({
    method: 'POST',
    url: '/votes/batch',
    payload: {
      votes: [
        { pollId, voterId: 'mallory', choices: ['a'] },
        { pollId, voterId: 'alice', choices: ['b'] },
      ],
    },
  });
  const [refused, counted] = batch.json().results;
  assert.is(refused.status, 403);
  assert.is(refused.error.code, 'NOT_ON_ROLL');
  assert.is(counted.status, 201, JSON.stringify(counted));
  const after = await written(pollId);
  assert.is(after.entries, before.entries + 1, 'only alice’s vote was appended');
  assert.equal(after.roll, before.roll);
});

rolls(
  'the same person under two spellings of one id is one roll entry and votes once',
  async () => {
    const pollId = await createPoll(node, { roll: true, secrecy: 'none' });
    const added = await enroll(pollId, [{ voterId: JOSE_NFD }]);
    assert.is(added.statusCode, 200, added.body);
    assert.equal(await rollOf(pollId), { [JOSE_NFC]: '1' }, 'keyed by the NFC form');
    const first = await cast({ pollId, voterId: JOSE_NFC, choices: ['a'] });
    assert.is(first.statusCode, 201, first.body);
    const before = await logLength(node);
    const second = await cast({ pollId, voterId: JOSE_NFD, choices: ['b'] });
    assert.is(second.statusCode, 409, second.body);
    assert.is(second.json().error.code, 'ALREADY_VOTED');
    assert.is(await logLength(node), before, 'nothing written');
    // The node folds its own appends a moment later: wait for the vote to be counted.
    const tallied = async () => (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
    await until(
      async () => {
        const { ballots } = await tallied();
        return ballots.pending + ballots.finalized > 0;
      },
      10_000,
      'the vote was never folded',
    );
    const tally = await tallied();
    assert.is(tally.ballots.pending + tally.ballots.finalized, 1);
    assert.equal(tally.roll, { voters: 1, weight: 1 });
  },
);

rolls('a poll with a roll is secret by default: its roll holds tags, one per voter', async () => {
  const pollId = await createPoll(node, { roll: true });
  const { poll } = (await node.app.inject({ url: `/polls/${pollId}` })).json();
  assert.is(poll.secrecy, 'pseudonymous');
  const added = await enroll(pollId, [{ voterId: JOSE_NFD }, { voterId: 'alice' }]);
  assert.is(added.statusCode, 200, added.body);
  const entry = (await node.ctx.catalogue.get(pollId))!;
  const key = tagKey(VOTER_SECRET, entry.poll);
  assert.equal(
    await rollOf(pollId),
    { [voterTag(key, JOSE_NFC)]: '1', [voterTag(key, 'alice')]: '1' },
    'keyed by the tags of the NFC forms',
  );
  const first = await cast({ pollId, voterId: JOSE_NFD, choices: ['a'] });
  assert.is(first.statusCode, 201, first.body);
  const second = await cast({ pollId, voterId: JOSE_NFC, choices: ['b'] });
  assert.is(second.json().error?.code, 'ALREADY_VOTED', second.body);
  const stranger = await cast({ pollId, voterId: 'mallory', choices: ['a'] });
  assert.is(stranger.json().error?.code, 'NOT_ON_ROLL', stranger.body);
});

rolls(
  'a ROLL_CONFLICT names each voter by its index in the request, as the document says',
  async () => {
    const pollId = await createPoll(node, { weighted: true });
    const entry = (await node.ctx.catalogue.get(pollId))!;
    assert.is(entry.poll.secrecy, 'pseudonymous');
    const added = await enroll(pollId, [
      { voterId: 'ann', weight: 5 },
      { voterId: 'ben', weight: 7 },
    ]);
    assert.is(added.statusCode, 200, added.body);
    const before = await written(pollId);
    const conflict = await enroll(pollId, [
      { voterId: 'cy', weight: 1 },
      { voterId: 'ben', weight: 8 },
      { voterId: 'dee', weight: 2 },
      { voterId: 'ann', weight: 6 },
    ]);
    assert.is(conflict.statusCode, 409, conflict.body);
    const { error } = conflict.json();
    assert.is(error.code, 'ROLL_CONFLICT');
    const key = tagKey(VOTER_SECRET, entry.poll);
    assert.equal(
      [...error.voters].sort((a, b) => a.index - b.index),
      [
        { index: 1, voterId: voterTag(key, 'ben'), weight: 8, onRoll: 7 },
        { index: 3, voterId: voterTag(key, 'ann'), weight: 6, onRoll: 5 },
      ],
    );
    assert.equal(await written(pollId), before, 'nothing written, not even cy and dee');
    // The API document says so: its 409 takes this body, and refuses one without the indexes.
    const document = (await node.app.inject({ url: '/openapi.json' })).json();
    const documented = document.paths['/polls/{pollId}/roll'].post.responses['409'];
    const validate = documentAjv(document).compile(documented.content['application/json'].schema);
    assert.ok(validate(conflict.json()), JSON.stringify(validate.errors));
    const unindexed = error.voters.map(({ index: _, ...rest }: { index: number }) => rest);
    assert.not.ok(validate({ error: { ...error, voters: unindexed } }));
  },
);

rolls('tokens: issued for roll members only; another poll’s or voter’s token is 403', async () => {
  const pollId = await createPoll(node, { roll: true, voterAuth: 'token' });
  const other = await createPoll(node, { roll: true, voterAuth: 'token' });
  for (const id of [pollId, other])
    assert.is((await enroll(id, [{ voterId: 'alice' }, { voterId: 'bob' }])).statusCode, 200);
  const issue = (id: string, voters: string[]) =>
    node.app.inject({
      method: 'POST',
      url: `/polls/${id}/tokens`,
      headers: ADMIN,
      payload: { voters },
    });
  const refused = await issue(pollId, ['alice', 'mallory']);
  assert.is(refused.statusCode, 403, refused.body);
  assert.is(refused.json().error.code, 'NOT_ON_ROLL');
  assert.equal(refused.json().error.voters, ['mallory']);
  const tokens = (await issue(pollId, ['alice', 'bob'])).json().tokens;
  const [alice, bob] = tokens.map((t: { token: string }) => t.token);
  const otherAlice = (await issue(other, ['alice'])).json().tokens[0].token;
  const before = await written(pollId);
  for (const [voterId, token] of [
    ['alice', bob],
    ['alice', otherAlice],
    ['mallory', alice],
  ] as const) {
    const res = await cast({ pollId, voterId, choices: ['a'], token });
    assert.is(res.statusCode, 403, `${voterId}: ${res.body}`);
  }
  assert.equal(await written(pollId), before, 'nothing written');
  const ok = await cast({ pollId, voterId: 'alice', choices: ['a'], token: alice });
  assert.is(ok.statusCode, 201, ok.body);
});

const requests = suite('voter rolls: what a roll request refuses, writing nothing');

requests.before(async () => {
  node = await startTestNode(await sharedCluster());
});
requests.after(async () => {
  await node.close();
});

requests('without a voter secret, a poll with a roll must say secrecy "none"', async () => {
  // The default for a poll with a roll is secret, which this node (no VS_VOTER_SECRET) cannot do.
  const res = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { title: 'members', options: ['a', 'b'], roll: true },
  });
  assert.is(res.statusCode, 409, res.body);
  assert.is(res.json().error.code, 'SECRET_BALLOT_UNAVAILABLE');
  await createPoll(node, { roll: true, secrecy: 'none' });
});

requests('bad requests: stable codes, nothing written', async () => {
  const pollId = await createPoll(node, { roll: true, secrecy: 'none' });
  const weighted = await createPoll(node, { weighted: true, secrecy: 'none' });
  const open = await createPoll(node);
  assert.is((await enroll(pollId, [{ voterId: 'carol' }])).statusCode, 200);
  const cases: [string, unknown, number, string][] = [
    [pollId, [{ voterId: 'x' }, { voterId: 'x' }], 422, 'DUPLICATE_VOTER'],
    [pollId, [{ voterId: JOSE_NFC }, { voterId: JOSE_NFD }], 422, 'DUPLICATE_VOTER'],
    [pollId, [{ voterId: 'x', weight: 2 }], 422, 'WEIGHT_NOT_ALLOWED'],
    [weighted, [{ voterId: 'x', weight: 0 }], 400, 'VALIDATION_FAILED'],
    [weighted, [{ voterId: 'x', weight: -3 }], 400, 'VALIDATION_FAILED'],
    [weighted, [{ voterId: 'x', weight: 1.5 }], 400, 'VALIDATION_FAILED'],
    [weighted, [{ voterId: 'x', weight: '3' }], 400, 'VALIDATION_FAILED'],
    [weighted, [{ voterId: 'x', weight: 2 ** 53 }], 400, 'VALIDATION_FAILED'],
    [
      weighted,
      [
        { voterId: 'x', weight: Number.MAX_SAFE_INTEGER },
        { voterId: 'y', weight: 1 },
      ],
      422,
      'ROLL_TOO_HEAVY',
    ],
    [weighted, [{ voterId: 'x\u200b' }], 400, 'VALIDATION_FAILED'],
    [weighted, [], 400, 'VALIDATION_FAILED'],
    [open, [{ voterId: 'x' }], 409, 'NO_ROLL'],
    [pollId, [{ voterId: 'carol' }, { voterId: 'dave' }], 200, ''],
    ['no-such-poll', [{ voterId: 'x' }], 404, 'POLL_NOT_FOUND'],
  ];
  for (const [id, voters, status, code] of cases) {
    const before = await written(id);
    const res = await enroll(id, voters);
    assert.is(res.statusCode, status, `${JSON.stringify(voters)}: ${res.body}`);
    if (status === 200) continue;
    assert.is(res.json().error.code, code, JSON.stringify(voters));
    assert.equal(await written(id), before, `${JSON.stringify(voters)} wrote nothing`);
  }
  const unauthorized = await enroll(pollId, [{ voterId: 'x' }], {});
  assert.is(unauthorized.statusCode, 401);
});

requests('a retried request adds nothing; another weight for a voter on it is 409', async () => {
  const pollId = await createPoll(node, { weighted: true, secrecy: 'none' });
  const voters = [
    { voterId: 'ann', weight: 5 },
    { voterId: 'ben', weight: 7 },
  ];
  const first = (await enroll(pollId, voters)).json();
  assert.is(first.added, 2);
  assert.is(first.weight, 12);
  const before = await written(pollId);
  const again = (await enroll(pollId, voters)).json();
  assert.equal([again.added, again.unchanged, again.commitments], [0, 2, []]);
  const changed = await enroll(pollId, [
    { voterId: 'ann', weight: 6 },
    { voterId: 'cy', weight: 1 },
  ]);
  assert.is(changed.statusCode, 409, changed.body);
  assert.is(changed.json().error.code, 'ROLL_CONFLICT');
  assert.equal(changed.json().error.voters, [{ index: 0, voterId: 'ann', weight: 6, onRoll: 5 }]);
  assert.equal(await written(pollId), before, 'nothing written, not even cy');
});

requests(
  'the log commits to each change: count, weight and the sorted entries’ SHA-256',
  async () => {
    const pollId = await createPoll(node, { weighted: true, secrecy: 'none' });
    const res = await enroll(pollId, [
      { voterId: 'zed', weight: 3 },
      { voterId: 'amy', weight: 1_000_000_000_000 },
    ]);
    const { commitments } = res.json();
    const entries = [];
    const { client, prefix } = node.ctx.target;
    for (const c of commitments) {
      const raw = (await client.xrange(shardKeys(prefix, c.shard).log, '-', '+')) as RawEntry[];
      const event = raw
        .map(decodeShardEntry)
        .find((e) => e.type === 'RollChanged' && e.seq === c.seq);
      assert.ok(event, `a RollChanged at seq ${c.seq} of shard ${c.shard}`);
      entries.push(event);
    }
    const total = entries.reduce((sum, e) => sum + (e as { weight: number }).weight, 0);
    assert.is(total, 1_000_000_000_003);
    assert.is(
      entries.reduce((sum, e) => sum + (e as { count: number }).count, 0),
      2,
    );
  },
);

requests('a roll can grow while the poll is open; a closed poll’s roll is 409', async () => {
  const pollId = await createPoll(node, { roll: true, secrecy: 'none' });
  assert.is((await enroll(pollId, [{ voterId: 'a1' }])).statusCode, 200);
  assert.is((await cast({ pollId, voterId: 'a2', choices: ['a'] })).statusCode, 403);
  assert.is((await enroll(pollId, [{ voterId: 'a2' }])).statusCode, 200);
  assert.is((await cast({ pollId, voterId: 'a2', choices: ['a'] })).statusCode, 201);
  const closed = await node.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/close`,
    headers: ADMIN,
  });
  assert.is(closed.statusCode, 200);
  const before = await written(pollId);
  const late = await enroll(pollId, [{ voterId: 'a3' }]);
  assert.is(late.statusCode, 409, late.body);
  assert.is(late.json().error.code, 'POLL_CLOSED');
  assert.equal(await written(pollId), before);
});

rolls.run();
requests.run();
