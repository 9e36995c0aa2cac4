// GET /cluster's shape, key order included: the dashboard, `votestream up`, the chaos observer
// and operators' scripts read it, so it is pinned here as a contract.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const view = suite('GET /cluster: the shape its readers depend on');
let node: RunningNode;

view.before(async () => {
  node = await startTestNode(await sharedCluster(), {
    VS_NODE_ID: 'shape-node',
    VS_MEMBERS: 'shape-node',
    VS_HEARTBEAT_MS: '100',
    VS_LEASE_MS: '1000',
  });
});
view.after(async () => {
  await node.close();
});

/** The JSON's skeleton: keys in order, each with its value's type (arrays: their first item). */
function skeleton(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? [skeleton(value[0])] : [];
  if (typeof value === 'object')
    return Object.entries(value as object).map(([key, v]) => [key, skeleton(v)]);
  return typeof value;
}

view('a leader with a vote: top level, leader, members, clock and shards in order', async () => {
  await until(() => node.ctx.coordinator.isLeader, 5000, 'the node did not lead');
  const pollId = await createPoll(node);
  const vote = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'shape-voter', choices: ['a'] },
  });
  assert.is(vote.statusCode, 201);
  const shard = vote.json().receipt.shard as number;
  type View = {
    leader: unknown;
    members: { nodeId: string; lastHeartbeatAgeMs: number | null }[];
    shards: { committedSeq: number; durable: boolean | null }[];
  };
  let body: View | undefined;
  await until(
    async () => {
      body = (await node.app.inject({ url: '/cluster' })).json() as View;
      return (
        body.leader !== null &&
        body.members[0]?.lastHeartbeatAgeMs !== null &&
        body.shards[shard]!.committedSeq === 1 &&
        body.shards.every((s) => s.durable !== null)
      );
    },
    5000,
    'no settled view',
  );
  const { shards, ...rest } = body!;
  assert.equal(skeleton(rest), [
    ['nodeId', 'string'],
    ['role', 'string'],
    ['term', 'number'],
    [
      'leader',
      [
        ['nodeId', 'string'],
        ['term', 'number'],
        ['address', 'string'],
      ],
    ],
    ['quorum', 'number'],
    [
      'members',
      [
        [
          ['nodeId', 'string'],
          ['member', 'boolean'],
          ['status', 'string'],
          ['role', 'string'],
          ['term', 'number'],
          ['address', 'string'],
          ['lastHeartbeatAgeMs', 'number'],
          ['clockDeltaMs', 'number'],
          ['uptimeMs', 'number'],
          ['divergent', []],
        ],
      ],
    ],
    [
      'clock',
      [
        ['now', 'string'],
        ['offsetMs', 'number'],
        ['uncertaintyMs', 'number'],
        ['samples', 'number'],
        ['leaderClock', 'string'],
      ],
    ],
  ]);
  assert.equal(Object.keys(body!), [
    'nodeId',
    'role',
    'term',
    'leader',
    'quorum',
    'members',
    'clock',
    'shards',
  ]);
  assert.is(shards.length, 16);
  assert.equal(skeleton(shards[shard]), [
    ['shard', 'number'],
    ['headSeq', 'number'],
    ['appliedSeq', 'number'],
    ['committedSeq', 'number'],
    ['lag', [['shape-node', 'number']]],
    ['appliedBy', [['shape-node', 'number']]],
    ['chainBreaks', 'number'],
    ['durable', 'boolean'],
    ['durableReason', 'null'],
    ['replicasInSync', 'number'],
  ]);
  assert.equal(
    { ...(shards[shard] as object), durable: undefined, replicasInSync: undefined },
    {
      shard,
      headSeq: 1,
      appliedSeq: 1,
      committedSeq: 1,
      lag: { 'shape-node': 0 },
      appliedBy: { 'shape-node': 1 },
      chainBreaks: 0,
      durable: undefined,
      durableReason: null,
      replicasInSync: undefined,
    },
  );
  const { members, clock, ...top } = body as unknown as {
    members: Record<string, unknown>[];
    clock: Record<string, unknown>;
  } & Record<string, unknown>;
  assert.equal(top.nodeId, 'shape-node');
  assert.equal(top.role, 'leader');
  assert.equal(top.quorum, 1);
  assert.equal((top.leader as { nodeId: string }).nodeId, 'shape-node');
  assert.is(members.length, 1);
  assert.equal(
    { ...members[0], lastHeartbeatAgeMs: 0, clockDeltaMs: 0, uptimeMs: 0, address: '' },
    {
      nodeId: 'shape-node',
      member: true,
      status: 'alive',
      role: 'leader',
      term: top.term,
      address: '',
      lastHeartbeatAgeMs: 0,
      clockDeltaMs: 0,
      uptimeMs: 0,
      divergent: [],
    },
  );
  assert.match(String(clock.now), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

view.run();
