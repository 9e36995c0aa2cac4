// `votestream replay --type`: its --help lists exactly the types it takes, each of which the log
// holds, and any other is a usage error naming them. Real replay processes against a real
// cluster holding every type of entry.
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_TYPES } from '../../src/log/schemas.ts';
import type { RunningNode } from '../../src/node.ts';
import { REPLAYED_TYPES } from '../../src/tools/replay.ts';
import { ADMIN, castMany, closeUntilFinal, createPoll, startMembers } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const types = suite('votestream replay --type');
let node: RunningNode;
let env: Record<string, string>;

types.before(async () => {
  // A member alone: it leads and commits, so the log holds commit markers too.
  node = (await startMembers(await sharedCluster(), ['replay-type']))[0]!;
  const pollId = await createPoll(node);
  await castMany(node, pollId, 5);
  await closeUntilFinal(node, [node], pollId, 30_000);
  // A poll with a roll, so the log holds a RollChanged too.
  const rolled = await createPoll(node, { roll: true, secrecy: 'none' });
  const enrolled = await node.app.inject({
    method: 'POST',
    url: `/polls/${rolled}/roll`,
    headers: ADMIN,
    payload: { voters: [{ voterId: 'alice' }] },
  });
  assert.is(enrolled.statusCode, 200, enrolled.body);
  env = {
    VS_REDIS_CLUSTER: node.ctx.config.redisCluster.map((s) => `${s.host}:${s.port}`).join(','),
    VS_PREFIX: node.ctx.config.prefix,
  };
});
types.after(async () => {
  await node.close();
});

const replay = (...args: string[]) =>
  execa('node', ['bin/votestream.js', 'replay', ...args], { env, reject: false });

types('--help lists exactly the types replay takes', async () => {
  const help = String((await replay('--help')).stdout).replace(/\s+/g, ' ');
  const listed = help.match(/--type <type,…> only these event types \(([^)]*)\)/)?.[1];
  assert.ok(listed, help);
  assert.equal(listed.split(', '), [...REPLAYED_TYPES]);
  assert.equal(REPLAYED_TYPES, [
    'CommitMarked',
    'PollClosed',
    'PollCreated',
    'RollChanged',
    'VoteCast',
  ]);
  for (const type of REPLAYED_TYPES) assert.ok(EVENT_TYPES.includes(type), `${type}: no schema`);
});

types('each listed type is taken, and replays entries of that type only', async () => {
  for (const type of REPLAYED_TYPES) {
    const run = await replay('--type', type);
    assert.is(run.exitCode, 0, `${type}: ${run.stderr}`);
    const entries = String(run.stdout)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string });
    assert.ok(entries.length > 0, `no ${type} entry`);
    for (const entry of entries) assert.is(entry.type, type);
  }
  const two = await replay('--type', 'PollCreated,PollClosed');
  assert.is(two.exitCode, 0, two.stderr);
});

for (const bad of ['Bogus', 'VoteCast,Heartbeat', 'ElidedRun', 'votecast', 'toString']) {
  types(`--type ${bad} is a usage error: exit 2, one line naming the types`, async () => {
    const run = await replay('--type', bad);
    assert.is(run.exitCode, 2, `${run.stdout} ${run.stderr}`);
    assert.is(String(run.stdout), '');
    const lines = String(run.stderr).trim().split('\n');
    assert.is(lines.length, 1, String(run.stderr));
    assert.match(
      lines[0]!,
      /^votestream: --type: ".+" is not a type of the log's entries: one of /,
    );
    assert.ok(lines[0]!.endsWith(`one of ${REPLAYED_TYPES.join(', ')}`), lines[0]);
  });
}

types.run();
