import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shardOf } from '../../src/domain/shard-of.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, readChain, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const votes = suite('POST /votes');
let node: RunningNode;

votes.before(async () => {
  node = await startTestNode(await sharedCluster());
});
votes.after(async () => {
  await node.close();
});

const cast = (payload: Record<string, unknown>) =>
  node.app.inject({ method: 'POST', url: '/votes', payload });

votes('a vote is appended with a receipt and reads back with a correct chain', async () => {
  const pollId = await createPoll(node);
  const res = await cast({ pollId, voterId: 'alice', choices: ['b'], voteId: 'vote-alice-1' });
  assert.is(res.statusCode, 201, res.body);
  const { receipt } = res.json();
  const shard = shardOf(pollId, 'alice', node.ctx.config.shards);
  assert.equal(Object.keys(receipt).sort(), [
    'entryId',
    'hash',
    'pollId',
    'seq',
    'shard',
    'voteId',
  ]);
  assert.is(receipt.voteId, 'vote-alice-1');
  assert.is(receipt.shard, shard);
  assert.is(receipt.seq, 1);
  const entries = await readChain(node, shard);
  assert.is(entries.length, 1);
  const [entry] = entries;
  assert.is(entry?.type, 'VoteCast');
  assert.is(entry?.id, receipt.entryId);
  assert.is(entry?.type === 'VoteCast' && entry.hash, receipt.hash);
  assert.equal(entry?.type === 'VoteCast' && entry.choices, ['b']);

  const lookup = await node.app.inject({ url: '/votes/vote-alice-1' });
  assert.is(lookup.statusCode, 200);
  assert.equal(lookup.json().receipt, receipt);
});

votes('without a voteId the server generates a UUIDv7', async () => {
  const pollId = await createPoll(node);
  const res = await cast({ pollId, voterId: 'v', choices: ['a'] });
  assert.is(res.statusCode, 201);
  assert.match(
    res.json().receipt.voteId,
    /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

votes(
  'the same voteId sent 50 times concurrently is one entry with 50 identical receipts',
  async () => {
    const pollId = await createPoll(node);
    const body = { pollId, voterId: 'bob', choices: ['a'], voteId: 'same-vote' };
    const replies = await Promise.all(Array.from({ length: 50 }, () => cast(body)));
    const statuses = replies.map((r) => r.statusCode).sort();
    assert.is(statuses.filter((s) => s === 201).length, 1, `statuses ${statuses}`);
    assert.is(statuses.filter((s) => s === 200).length, 49);
    const receipts = new Set(replies.map((r) => JSON.stringify(r.json().receipt)));
    assert.is(receipts.size, 1);
    const entries = await readChain(node, shardOf(pollId, 'bob', node.ctx.config.shards));
    assert.is(entries.filter((e) => e.type === 'VoteCast' && e.pollId === pollId).length, 1);
  },
);

votes(
  'the same voteId with other choices is a 409 VOTE_ID_CONFLICT, not a silent replay',
  async () => {
    const pollId = await createPoll(node);
    assert.is(
      (await cast({ pollId, voterId: 'eve', choices: ['a'], voteId: 'eve-1' })).statusCode,
      201,
    );
    const res = await cast({ pollId, voterId: 'eve', choices: ['b'], voteId: 'eve-1' });
    assert.is(res.statusCode, 409);
    assert.is(res.json().error.code, 'VOTE_ID_CONFLICT');
  },
);

votes('one voter with two voteIds at once under reject: exactly one 201 and one 409', async () => {
  const pollId = await createPoll(node, { revote: 'reject' });
  const [first, second] = await Promise.all([
    cast({ pollId, voterId: 'carol', choices: ['a'], voteId: 'carol-1' }),
    cast({ pollId, voterId: 'carol', choices: ['b'], voteId: 'carol-2' }),
  ]);
  const statuses = [first?.statusCode, second?.statusCode].sort();
  assert.equal(statuses, [201, 409]);
  const refused = [first, second].find((r) => r?.statusCode === 409);
  assert.is(refused?.json().error.code, 'ALREADY_VOTED');
  const entries = await readChain(node, shardOf(pollId, 'carol', node.ctx.config.shards));
  assert.is(entries.filter((e) => e.type === 'VoteCast' && e.pollId === pollId).length, 1);
});

votes(
  'under replace both votes are in the log, in order, and the second is the counted one',
  async () => {
    const pollId = await createPoll(node, { revote: 'replace' });
    const one = await cast({ pollId, voterId: 'dan', choices: ['a'], voteId: 'dan-1' });
    const two = await cast({ pollId, voterId: 'dan', choices: ['c'], voteId: 'dan-2' });
    assert.is(one.statusCode, 201);
    assert.is(two.statusCode, 201);
    assert.is(two.json().receipt.seq, one.json().receipt.seq + 1);
    const shard = shardOf(pollId, 'dan', node.ctx.config.shards);
    const mine = (await readChain(node, shard)).filter(
      (e) => e.type === 'VoteCast' && e.pollId === pollId,
    );
    assert.equal(
      mine.map((e) => e.type === 'VoteCast' && e.voteId),
      ['dan-1', 'dan-2'],
    );
    const { client, prefix } = node.ctx.target;
    const counted = await client.hget(`${prefix}:{s${shard}}:voters:${pollId}`, 'dan');
    assert.is(Number(counted), two.json().receipt.seq);
  },
);

votes(
  'choices are stored in canonical order, so a retry in another order is the same vote',
  async () => {
    const pollId = await createPoll(node, { maxChoices: 3 });
    const one = await cast({ pollId, voterId: 'fay', choices: ['c', 'a'], voteId: 'fay-1' });
    const again = await cast({ pollId, voterId: 'fay', choices: ['a', 'c'], voteId: 'fay-1' });
    assert.is(one.statusCode, 201);
    assert.is(again.statusCode, 200);
    assert.equal(again.json().receipt, one.json().receipt);
  },
);

votes('GET /votes/:voteId of an unknown vote is 404 VOTE_NOT_FOUND', async () => {
  const res = await node.app.inject({ url: '/votes/never-cast' });
  assert.is(res.statusCode, 404);
  assert.is(res.json().error.code, 'VOTE_NOT_FOUND');
});

votes.run();
