// Ranked results from a node run as the package runs it (bin/votestream.js, which registers
// tsx itself): its count worker must load too, and must not keep the node from stopping.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { until } from '../helpers/node.ts';
import { get, type NodeProcess, post, startNodes } from '../helpers/node-process.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const processResults = suite('ranked results from a node process');
let node: NodeProcess | undefined;

processResults.after(async () => {
  await node?.stop(2000);
});

processResults('counts on its worker thread, then stops on SIGTERM', async () => {
  const cluster = await sharedCluster();
  node = (await startNodes(cluster.seeds, ['r1'])).nodes[0]!;
  const poll = {
    id: 'irv-process',
    title: 'IRV in a node process',
    options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
    method: 'irv',
  };
  assert.is((await post(node, '/polls', poll, true)).status, 201);
  const ballots = [['a'], ['b', 'a'], ['c', 'a'], ['b'], ['c', 'b']];
  for (const [i, choices] of ballots.entries()) {
    const cast = await post(node, '/votes', { pollId: poll.id, voterId: `v${i}`, choices });
    assert.is(cast.status, 201, JSON.stringify(cast.body));
  }
  // Round 1: a 1, b 2, c 2: a out, to nobody left (its ballot ranks a alone); then b 2, c 2,
  // a tie the lot decides. What matters here: five ballots counted, one winner, by the worker.
  let result: { ballots?: string; winners?: string[]; method?: string } = {};
  await until(
    async () => {
      result = await get(node!, `/polls/${poll.id}/results`);
      return result.ballots === '5';
    },
    10_000,
    `the results never counted the five committed ballots: ${JSON.stringify(result)}`,
  );
  assert.is(result.method, 'irv');
  assert.is(result.winners?.length, 1);
  const exit = await node.stop(5000);
  node = undefined;
  assert.equal([exit.killed, exit.exitCode], [false, 0], 'stopped by SIGTERM, not killed');
});

processResults.run();
