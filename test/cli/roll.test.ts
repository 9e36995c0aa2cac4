import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { parseRoll } from '../../src/tools/roll-voters.ts';
import { ADMIN_TOKEN, createPoll, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const BIN = 'bin/votestream.js';

let node: RunningNode;
let dir: string;

const roll = (args: string[], input?: string) =>
  execa('node', [BIN, 'roll', '--target', node.url, ...args], {
    reject: false,
    input,
    env: { VS_ADMIN_TOKEN: ADMIN_TOKEN },
  });

const cli = suite('votestream roll');

cli.before(async () => {
  // As `npm start` runs nodes: with a voter secret (polls with a roll are secret by default).
  node = await startTestNode(
    await sharedCluster(),
    { VS_VOTER_SECRET: 'roll-cli-voter-secret-0123456789abcdef' },
    { listen: true },
  );
  dir = mkdtempSync(join(tmpdir(), 'votestream-roll-'));
});
cli.after(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

cli('a CSV with weights: the voters are on the roll and vote with their weights', async () => {
  const pollId = await createPoll(node, { weighted: true });
  const file = join(dir, 'roll.csv');
  writeFileSync(file, 'voterId,weight\r\nann,1000000000000\r\n"b, ""the"" second",2\r\n\r\ncy,1\n');
  const result = await roll(['--poll', pollId, '--voters', file, '--json']);
  assert.is(result.exitCode, 0, String(result.stderr));
  const summary = JSON.parse(String(result.stdout).trimEnd().split('\n').at(-1)!);
  assert.equal(summary, {
    pollId,
    voters: 3,
    added: 3,
    weight: 1_000_000_000_003,
    unchanged: 0,
  });
  const vote = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'b, "the" second', choices: ['a'] },
  });
  assert.is(vote.statusCode, 201, vote.body);
  assert.is(vote.json().receipt.weight, 2);
  // Again: nothing added.
  const again = await roll(['--poll', pollId, '--voters', file]);
  assert.is(again.exitCode, 0);
  assert.match(String(again.stdout), /0 voters added \(weight 0\), 3 already on the roll/);
});

cli('one id per line from standard input; a refusal is one line and exit 1', async () => {
  const pollId = await createPoll(node, { roll: true });
  const ok = await roll(['--poll', pollId, '--voters', '-'], 'alice\nbob\n');
  assert.is(ok.exitCode, 0, String(ok.stderr));
  assert.match(String(ok.stdout), /2 voters added/);
  const open = await createPoll(node);
  const refused = await roll(['--poll', open, '--voters', '-'], 'alice\n');
  assert.is(refused.exitCode, 1);
  assert.match(String(refused.stderr), /409 NO_ROLL/);
});

const parse = suite('parseRoll');

parse('ids, weights, quotes; refuses bad weights, bad ids and a voter twice', () => {
  assert.equal(parseRoll('a\nb,3\n"c,d",4\n'), [
    { voterId: 'a' },
    { voterId: 'b', weight: 3 },
    { voterId: 'c,d', weight: 4 },
  ]);
  assert.equal(parseRoll('Jose\u0301,2'), [{ voterId: 'Jos\u00e9', weight: 2 }]);
  assert.throws(() => parseRoll('a,0'), /line 1: the weight "0"/);
  assert.throws(() => parseRoll('a,1.5'), /line 1/);
  assert.throws(() => parseRoll('a,9007199254740992'), /line 1/);
  assert.throws(() => parseRoll('a\nb\nJos\u00e9\nJose\u0301'), /line 4: the voter of line 3/);
  assert.throws(() => parseRoll(' a'), /line 1: not a voter id/);
});

cli.run();
parse.run();
