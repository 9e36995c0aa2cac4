// Weighted polls end to end: rolls with weights, votes through the API (each receipt says its
// weight), the poll closed and final, its results against hand-computed expectations, and
// the export recounted (`replay --poll` then `tally --from-file --results`) to the same bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, closeUntilFinal, createPoll, startMembers } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const T12 = 1_000_000_000_000;
const weighted = suite('weighted polls: live results and their recount');
let nodes: RunningNode[] = [];
let env: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'vs-weighted-'));

weighted.before(async () => {
  const cluster = await sharedCluster();
  // One voter secret on both nodes: a weighted poll is secret by default, so its voters are tags.
  const secret = { VS_VOTER_SECRET: 'weighted-results-voter-secret-0123456789' };
  nodes = await startMembers(cluster, ['w1', 'w2'], { w1: secret, w2: secret });
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: nodes[0]!.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
});
weighted.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  rmSync(dir, { recursive: true, force: true });
});

const cli = async (args: string[], stripFinalNewline = true) => {
  const run = await execa('node', ['bin/votestream.js', ...args], {
    env,
    reject: false,
    stripFinalNewline,
  });
  assert.is(run.exitCode, 0, `votestream ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

/**
 * Creates a weighted poll, puts `ballots`' voters on its roll with their weights, casts each
 * ballot (alternating nodes) and checks its receipt's weight, closes it until final; returns
 * the poll id and the results body, after checking the export recounts to it byte for byte.
 */
async function weightedPoll(
  definition: Record<string, unknown>,
  ballots: { weight: number; choices: string[] }[],
): Promise<{ pollId: string; result: Record<string, unknown> & { rounds: unknown[] } }> {
  const [first] = nodes;
  const pollId = await createPoll(first!, { weighted: true, ...definition });
  const voters = ballots.map((b, i) => ({ voterId: `voter-${i}`, weight: b.weight }));
  const enrolled = await first!.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/roll`,
    headers: ADMIN,
    payload: { voters },
  });
  assert.is(enrolled.statusCode, 200, enrolled.body);
  for (const [i, ballot] of ballots.entries()) {
    const res = await nodes[i % nodes.length]!.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: `voter-${i}`, choices: ballot.choices },
    });
    assert.is(res.statusCode, 201, res.body);
    const { receipt } = res.json();
    assert.is(receipt.weight, ballot.weight, 'the receipt says the weight counted');
    // Looked up later, from another node, the receipt says it too.
    const looked = await nodes[(i + 1) % nodes.length]!.app.inject({
      url: `/votes/${receipt.voteId}`,
    });
    assert.is(looked.statusCode, 200, looked.body);
    assert.equal(looked.json().receipt, receipt, 'GET /votes/:voteId gives the same receipt');
  }
  await closeUntilFinal(first!, nodes, pollId);
  const bodies = await Promise.all(
    nodes.map(async (n) => (await n.app.inject({ url: `/polls/${pollId}/results` })).body),
  );
  assert.is(bodies[1], bodies[0], 'both nodes count alike');
  const exported = join(dir, `${pollId}.ndjson`);
  writeFileSync(exported, `${await cli(['replay', '--poll', pollId])}\n`);
  assert.match(await cli(['replay', '--poll', pollId, '--type', 'RollChanged']), /RollChanged/);
  const recounted = await cli(
    ['tally', '--from-file', exported, '--poll', pollId, '--results'],
    false,
  );
  assert.is(recounted, `${bodies[0]}\n`, 'the export recounts to the live results, byte for byte');
  return { pollId, result: JSON.parse(bodies[0]!) };
}

weighted('plurality: the heaviest option wins, whatever the head count', async () => {
  const { result } = await weightedPoll({}, [
    { weight: 3, choices: ['a'] },
    { weight: 1, choices: ['a'] },
    { weight: 1, choices: ['a'] },
    { weight: 6, choices: ['b'] },
  ]);
  assert.equal(result.rounds, [{ round: 1, tally: { a: '5', b: '6', c: '0' } }]);
  assert.equal(result.winners, ['b']);
  assert.equal(
    [result.ballots, result.voters, result.weighted, result.roll],
    ['11', '4', true, { voters: '4', weight: '11' }],
  );
});

weighted('approval with a weight of 10^12: exact', async () => {
  const { pollId, result } = await weightedPoll({ maxChoices: 2 }, [
    { weight: T12, choices: ['a', 'c'] },
    { weight: 2, choices: ['a', 'b'] },
    { weight: 7, choices: ['b'] },
  ]);
  assert.equal(result.rounds, [
    { round: 1, tally: { a: '1000000000002', b: '9', c: '1000000000000' } },
  ]);
  assert.equal(result.winners, ['a']);
  const tally = (await nodes[0]!.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.equal(tally.finalized, { a: T12 + 2, b: 9, c: T12 });
  assert.equal(tally.weight, { finalized: T12 + 9, pending: 0 });
  assert.equal(tally.roll, { voters: 3, weight: T12 + 9 });
});

weighted('IRV: [a] 4, [b a] 3, [c b] 2 — c is out and b wins 5 to 4', async () => {
  const { result } = await weightedPoll({ method: 'irv' }, [
    { weight: 4, choices: ['a'] },
    { weight: 3, choices: ['b', 'a'] },
    { weight: 2, choices: ['c', 'b'] },
  ]);
  const rounds = result.rounds as { tally: Record<string, string>; eliminated: string[] }[];
  assert.equal(result.winners, ['b']);
  assert.equal(rounds[0]!.tally, { a: '4', b: '3', c: '2' });
  assert.equal(rounds[0]!.eliminated, ['c']);
  assert.equal(rounds[1]!.tally, { a: '4', b: '5' });
});

weighted('Scottish STV, 2 seats: [a b] 6, [c] 3, [d c] 2 — quota 4, a and c', async () => {
  const { result } = await weightedPoll(
    { method: 'stv', seats: 2, options: ['a', 'b', 'c', 'd'] },
    [
      { weight: 6, choices: ['a', 'b'] },
      { weight: 3, choices: ['c'] },
      { weight: 2, choices: ['d', 'c'] },
    ],
  );
  assert.equal(result.winners, ['a', 'c']);
  assert.is(result.quota, '4.00000');
  const votes = (result.rounds as { votes: Record<string, string> }[]).map((r) => r.votes);
  assert.equal(votes[1], { a: '4.00000', b: '1.99998', c: '3.00000', d: '2.00000' });
  assert.equal(votes[3], { a: '4.00000', c: '5.00000' });
  assert.is(result.residual, '0.00002');
});

weighted.run();
