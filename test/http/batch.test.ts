import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, logLength, readChain, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const batch = suite('POST /votes/batch');
let node: RunningNode;

batch.before(async () => {
  node = await startTestNode(await sharedCluster());
});
batch.after(async () => {
  await node.close();
});

batch('1000 votes across 16 shards get 1000 receipts with gapless seqs per shard', async () => {
  const pollId = await createPoll(node);
  const votes = Array.from({ length: 1000 }, (_, i) => ({
    pollId,
    voterId: `voter-${i}`,
    choices: [['a', 'b', 'c'][i % 3]],
    voteId: `batch-${i}`,
  }));
  const res = await node.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
  assert.is(res.statusCode, 200, res.body);
  const { results } = res.json() as {
    results: { status: number; receipt: { shard: number; seq: number } }[];
  };
  assert.is(results.length, 1000);
  assert.ok(results.every((r) => r.status === 201));
  const byShard = new Map<number, number[]>();
  for (const { receipt } of results)
    byShard.set(receipt.shard, [...(byShard.get(receipt.shard) ?? []), receipt.seq]);
  assert.is(byShard.size, 16, 'every shard got votes');
  for (const [shard, seqs] of byShard) {
    seqs.sort((a, b) => a - b);
    assert.equal(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      `shard ${shard}`,
    );
    assert.is((await readChain(node, shard)).length, seqs.length);
  }
  assert.is(results.filter((r, i) => r.receipt && votes[i]?.voteId).length, 1000);
});

batch('each item gets its own result: bad items are refused, good ones appended', async () => {
  const pollId = await createPoll(node);
  const before = await logLength(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes/batch',
    payload: {
      votes: [
        { pollId, voterId: 'ok', choices: ['a'] },
        { pollId, voterId: 'bad-option', choices: ['zzz'] },
        { pollId, voterId: 'no-choices', choices: [] },
        { pollId: 'no-such-poll', voterId: 'x', choices: ['a'] },
        'not an object',
      ],
    },
  });
  assert.is(res.statusCode, 200);
  const codes = res
    .json()
    .results.map((r: { status: number; error?: { code: string } }) => r.error?.code ?? r.status);
  assert.equal(codes, [
    201,
    'UNKNOWN_OPTION',
    'VALIDATION_FAILED',
    'POLL_NOT_FOUND',
    'VALIDATION_FAILED',
  ]);
  assert.is(await logLength(node), before + 1);
});

batch('more than 1000 votes is a 400 and writes nothing', async () => {
  const pollId = await createPoll(node);
  const before = await logLength(node);
  const votes = Array.from({ length: 1001 }, (_, i) => ({
    pollId,
    voterId: `v${i}`,
    choices: ['a'],
  }));
  const res = await node.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
  assert.is(res.statusCode, 400);
  assert.is(res.json().error.code, 'VALIDATION_FAILED');
  assert.is(await logLength(node), before);
});

batch.run();
