// A voteId is recorded at most once in the whole deployment: the voteId registry.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { claimShardOf, shardOf } from '../../src/domain/shard-of.ts';
import { fingerprint } from '../../src/log/append-vote.ts';
import { shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import {
  ADMIN,
  appendWithoutClaim,
  createPoll,
  logLength,
  peerEnv,
  startTestNode,
} from '../helpers/node.ts';
import { sharedCluster, startTestCluster } from '../helpers/redis-cluster.ts';

const ids = suite('voteIds are unique across shards and nodes');
let node: RunningNode;
let peer: RunningNode;

ids.before(async () => {
  const cluster = await sharedCluster();
  node = await startTestNode(cluster);
  peer = await startTestNode(cluster, peerEnv(node, 'peer-node'));
});
ids.after(async () => {
  await peer?.close();
  await node?.close();
});

const cast = (on: RunningNode, payload: Record<string, unknown>) =>
  on.app.inject({ method: 'POST', url: '/votes', payload });
const batch = (on: RunningNode, votes: Record<string, unknown>[]) =>
  on.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
const lookup = (on: RunningNode, voteId: string) => on.app.inject({ url: `/votes/${voteId}` });

/**
 * Voters of `pollId` in pairwise different shards (none in shard `avoid`), named from `names`
 * then numbered.
 */
function votersInDistinctShards(
  pollId: string,
  names: string[],
  count: number,
  avoid = -1,
): string[] {
  const shards = node.ctx.config.shards;
  const chosen: string[] = [];
  const used = new Set<number>([avoid]);
  const candidates = [...names, ...Array.from({ length: 200 }, (_, i) => `${names[0]}-${i}`)];
  for (const voterId of candidates) {
    const shard = shardOf(pollId, voterId, shards);
    if (used.has(shard)) continue;
    used.add(shard);
    chosen.push(voterId);
    if (chosen.length === count) return chosen;
  }
  throw new Error('no voters in distinct shards');
}

/** The poll's votes in a shard, as the voters index holds them. */
async function counted(pollId: string, voterId: string): Promise<string | null> {
  const { client, prefix, shards } = node.ctx.target;
  return client.hget(shardKeys(prefix, shardOf(pollId, voterId, shards)).voters(pollId), voterId);
}

ids(
  'one voteId under three voters in three shards: one 201, then 409 VOTE_ID_CONFLICT',
  async () => {
    const pollId = await createPoll(node);
    const voters = votersInDistinctShards(pollId, ['alice2', 'bob2', 'carol2'], 3);
    const before = await logLength(node);
    const replies = [];
    for (const voterId of voters)
      replies.push(await cast(node, { pollId, voterId, choices: ['a'], voteId: 'shared-vote-id' }));
    assert.equal(
      replies.map((r) => r.statusCode),
      [201, 409, 409],
      replies.map((r) => r.body).join('\n'),
    );
    for (const r of replies.slice(1)) assert.is(r.json().error.code, 'VOTE_ID_CONFLICT');
    // Nothing of the refused votes was written: one entry in all, no index for their voters.
    assert.is(await logLength(node), before + 1);
    assert.is(await counted(pollId, voters[1]!), null);
    assert.is(await counted(pollId, voters[2]!), null);
    // The lookup is never ambiguous: it names the first vote, from either node.
    for (const on of [node, peer]) {
      const found = await lookup(on, 'shared-vote-id');
      assert.is(found.statusCode, 200, found.body);
      assert.equal(found.json().receipt, replies[0]!.json().receipt);
    }
  },
);

ids(
  'the conflict holds across nodes: a voteId recorded through one node is refused on another',
  async () => {
    const pollId = await createPoll(node);
    const [a, b] = votersInDistinctShards(pollId, ['ann', 'ben'], 2);
    const one = await cast(node, { pollId, voterId: a, choices: ['a'], voteId: 'across-nodes' });
    const two = await cast(peer, { pollId, voterId: b, choices: ['a'], voteId: 'across-nodes' });
    assert.is(one.statusCode, 201, one.body);
    assert.is(two.statusCode, 409, two.body);
    assert.is(two.json().error.code, 'VOTE_ID_CONFLICT');
    // Other content for the same voter (same shard) is the same conflict.
    const three = await cast(peer, { pollId, voterId: a, choices: ['b'], voteId: 'across-nodes' });
    assert.is(three.json().error.code, 'VOTE_ID_CONFLICT');
    // The same vote sent again, through either node, gets its original receipt.
    for (const on of [node, peer]) {
      const again = await cast(on, { pollId, voterId: a, choices: ['a'], voteId: 'across-nodes' });
      assert.is(again.statusCode, 200, again.body);
      assert.equal(again.json().receipt, one.json().receipt);
    }
  },
);

ids("both paths meet the same claim: in the vote's own shard, or in another first", async () => {
  const pollId = await createPoll(node);
  const { shards } = node.ctx.target;
  for (const [voteId, homeFirst] of [
    ['one-step-first', true],
    ['two-step-first', false],
  ] as const) {
    const home = claimShardOf(voteId, shards);
    // A voter whose shard is the voteId's claim shard (the append script claims it) and one
    // whose shard is not (claimed in the claim shard first).
    const names = Array.from({ length: 400 }, (_, i) => `${voteId}-voter-${i}`);
    const inHome = names.find((v) => shardOf(pollId, v, shards) === home)!;
    const away = names.find((v) => shardOf(pollId, v, shards) !== home)!;
    const [first, second] = homeFirst ? [inHome, away] : [away, inHome];
    const one = await cast(node, { pollId, voterId: first, choices: ['a'], voteId });
    const two = await cast(peer, { pollId, voterId: second, choices: ['a'], voteId });
    assert.is(one.statusCode, 201, one.body);
    assert.is(two.statusCode, 409, two.body);
    assert.is(two.json().error.code, 'VOTE_ID_CONFLICT');
    assert.equal((await lookup(peer, voteId)).json().receipt, one.json().receipt);
  }
});

ids("server-generated voteIds are claimed in the vote's own shard", async () => {
  const pollId = await createPoll(node);
  const { shards } = node.ctx.target;
  for (let i = 0; i < 20; i++) {
    const res = await cast(node, { pollId, voterId: `gen-${i}`, choices: ['a'] });
    assert.is(res.statusCode, 201, res.body);
    const { voteId, shard } = res.json().receipt;
    assert.is(claimShardOf(voteId, shards), shard);
    assert.equal((await lookup(peer, voteId)).json().receipt, res.json().receipt);
  }
});

ids('concurrent votes under one voteId in different shards: exactly one is recorded', async () => {
  const pollId = await createPoll(node);
  const voters = votersInDistinctShards(pollId, ['racer'], 6);
  const before = await logLength(node);
  const replies = await Promise.all(
    voters.map((voterId, i) =>
      cast(i % 2 ? peer : node, { pollId, voterId, choices: ['c'], voteId: 'raced-vote-id' }),
    ),
  );
  const statuses = replies.map((r) => r.statusCode).sort();
  assert.equal(statuses, [201, 409, 409, 409, 409, 409], replies.map((r) => r.body).join('\n'));
  assert.is(await logLength(node), before + 1);
  const winner = replies.find((r) => r.statusCode === 201)!.json().receipt;
  assert.equal((await lookup(peer, 'raced-vote-id')).json().receipt, winner);
});

ids(
  'a claim left by a crash before its append: the same vote completes it, no other vote can take it',
  async () => {
    const pollId = await createPoll(node);
    const { client, prefix, shards } = node.ctx.target;
    const home = claimShardOf('half-done', shards);
    // A voter outside the voteId's claim shard: its vote takes the two steps.
    const [voterId, other] = votersInDistinctShards(pollId, ['crashy', 'thief'], 2, home);
    const shard = shardOf(pollId, voterId!, shards);
    // What a node killed between the two steps leaves: the claim, durable, and no vote.
    const claim = `${shard} ${fingerprint({ pollId, voterId: voterId!, choices: ['b'] })}`;
    const keys = shardKeys(prefix, home);
    const codes = await client.claimVoteIds(keys.claims, keys.ids, 'half-done', claim);
    assert.is(codes, '1');
    // Not recorded yet: the lookup finds nothing, rather than a vote that is not in the log.
    assert.is((await lookup(node, 'half-done')).statusCode, 404);
    const taken = await cast(peer, { pollId, voterId: other, choices: ['b'], voteId: 'half-done' });
    assert.is(taken.statusCode, 409, taken.body);
    assert.is(taken.json().error.code, 'VOTE_ID_CONFLICT');
    const retried = await cast(node, { pollId, voterId, choices: ['b'], voteId: 'half-done' });
    assert.is(retried.statusCode, 201, retried.body);
    assert.is(retried.json().receipt.shard, shard);
    const again = await cast(peer, { pollId, voterId, choices: ['b'], voteId: 'half-done' });
    assert.is(again.statusCode, 200, again.body);
    assert.equal((await lookup(peer, 'half-done')).json().receipt, retried.json().receipt);
  },
);

ids('a vote its shard refuses frees its voteId: ALREADY_VOTED and POLL_CLOSED', async () => {
  const pollId = await createPoll(node, { revote: 'reject' });
  const [dup, fresh] = votersInDistinctShards(pollId, ['twice', 'fresh'], 2);
  assert.is((await cast(node, { pollId, voterId: dup, choices: ['a'] })).statusCode, 201);
  const refused = await cast(node, { pollId, voterId: dup, choices: ['b'], voteId: 'freed-1' });
  assert.is(refused.statusCode, 409);
  assert.is(refused.json().error.code, 'ALREADY_VOTED');
  assert.is((await lookup(node, 'freed-1')).statusCode, 404);
  const reused = await cast(peer, { pollId, voterId: fresh, choices: ['c'], voteId: 'freed-1' });
  assert.is(reused.statusCode, 201, reused.body);

  const closing = await createPoll(node);
  const [late, later] = votersInDistinctShards(closing, ['late', 'later'], 2);
  const close = await node.app.inject({
    method: 'POST',
    url: `/polls/${closing}/close`,
    headers: ADMIN,
  });
  assert.ok(close.statusCode < 300, close.body);
  // The node's catalogue may not have seen the close yet: the shard's barrier refuses the vote.
  const shut = await cast(node, {
    pollId: closing,
    voterId: late,
    choices: ['a'],
    voteId: 'freed-2',
  });
  assert.is(shut.statusCode, 409, shut.body);
  assert.is(shut.json().error.code, 'POLL_CLOSED');
  const open = await createPoll(node);
  const elsewhere = await cast(peer, {
    pollId: open,
    voterId: later,
    choices: ['a'],
    voteId: 'freed-2',
  });
  assert.is(elsewhere.statusCode, 201, elsewhere.body);
});

// Two layouts: the first vote's own shard is the voteId's claim shard (its ids record is its
// claim, while the second, in another shard, needs a claim of its own), or neither's is.
for (const firstInClaimShard of [true, false]) {
  ids(
    `batch items follow the same rule, in order (first vote ${firstInClaimShard ? 'in' : 'not in'} the claim shard)`,
    async () => {
      const pollId = await createPoll(node, { revote: 'replace' });
      const shards = node.ctx.config.shards;
      const voteId = `batch-1-${firstInClaimShard}`;
      const home = claimShardOf(voteId, shards);
      const candidates = Array.from({ length: 400 }, (_, i) => `xena-${i}`);
      const x = candidates.find(
        (v) => (shardOf(pollId, v, shards) === home) === firstInClaimShard,
      )!;
      const y = candidates.find(
        (v) =>
          shardOf(pollId, v, shards) !== home &&
          shardOf(pollId, v, shards) !== shardOf(pollId, x, shards),
      )!;
      const before = await logLength(node);
      const res = await batch(node, [
        { pollId, voterId: x, choices: ['a'], voteId },
        { pollId, voterId: y, choices: ['a'], voteId },
        { pollId, voterId: x, choices: ['a'], voteId },
        { pollId, voterId: y, choices: ['b'], voteId: `${voteId}-2` },
        { pollId, voterId: y, choices: ['c'], voteId: `${voteId}-3` },
      ]);
      assert.is(res.statusCode, 200, res.body);
      const results = res.json().results as { status: number; error?: { code: string } }[];
      assert.equal(
        results.map((r) => r.status),
        [201, 409, 200, 201, 201],
        res.body,
      );
      assert.is(results[1]!.error!.code, 'VOTE_ID_CONFLICT');
      assert.is(await logLength(node), before + 3);
      // y's two votes were appended in the order sent: the second is the counted one.
      const seqs = [results[3], results[4]].map(
        (r) => (r as unknown as { receipt: { seq: number } }).receipt.seq,
      );
      assert.ok(seqs[1]! > seqs[0]!, JSON.stringify(seqs));
      assert.is(await counted(pollId, y), String(seqs[1]));
      // A voteId recorded by a single vote is refused in a batch on another node.
      const later = await batch(peer, [{ pollId, voterId: y, choices: ['a'], voteId }]);
      assert.is(later.json().results[0].error.code, 'VOTE_ID_CONFLICT');
    },
  );
}

ids(
  'a vote written without a claim (an older node) is not overwritten by another under its voteId',
  async () => {
    const pollId = await createPoll(node);
    // The append script alone, as a node from before voteIds were claimed ran it.
    assert.match(await appendWithoutClaim(node, pollId, 'old', 'pre-registry'), /^1 /);
    const other = await cast(node, {
      pollId,
      voterId: 'old',
      choices: ['b'],
      voteId: 'pre-registry',
    });
    assert.is(other.statusCode, 409, other.body);
    assert.is(other.json().error.code, 'VOTE_ID_CONFLICT');
  },
);

ids.run();

const durable = suite('a claim is durable before its vote is appended');
let lonely: RunningNode;
let local: RunningNode;
let stopCluster: () => Promise<void>;

durable.before(async () => {
  // Masters without replicas: a node with durability `replica` sees every WAIT fail; a node
  // with `local` on the same log creates the poll.
  const cluster = await startTestCluster({ masters: 3, replicas: 0 });
  stopCluster = () => cluster.stop();
  local = await startTestNode(cluster, { VS_DURABILITY: 'local' });
  lonely = await startTestNode(cluster, {
    ...peerEnv(local, 'lonely-node'),
    VS_DURABILITY: 'replica',
    VS_WAIT_TIMEOUT_MS: '100',
  });
});
durable.after(async () => {
  await lonely?.close();
  await local?.close();
  await stopCluster?.();
});

durable(
  'a claim no replica confirmed is a 503 NOT_DURABLE and no vote reaches the shard',
  async () => {
    const pollId = await createPoll(local);
    const { shards } = lonely.ctx.target;
    // A voter whose shard is not the voteId's claim shard: the claim goes first, alone.
    const voterId = Array.from({ length: 100 }, (_, i) => `v${i}`).find(
      (v) => shardOf(pollId, v, shards) !== claimShardOf('unconfirmed', shards),
    );
    const before = await logLength(lonely);
    const res = await cast(lonely, { pollId, voterId, choices: ['a'], voteId: 'unconfirmed' });
    assert.is(res.statusCode, 503, res.body);
    assert.is(res.json().error.code, 'NOT_DURABLE');
    assert.ok(res.headers['retry-after'], 'a 503 says when to retry');
    assert.is(await logLength(lonely), before);
    // The claim is the vote's own: once durability allows, the same vote goes through.
    const again = await cast(local, {
      pollId,
      voterId,
      choices: ['a'],
      voteId: 'unconfirmed',
    });
    assert.is(again.statusCode, 201, again.body);
  },
);

durable(
  "a 503 for a vote without a voteId names the server's voteId, and a retry with it is the same vote",
  async () => {
    const pollId = await createPoll(local);
    // Server-generated: claimed in the vote's own shard, appended, then WAIT finds no replica.
    const res = await cast(lonely, { pollId, voterId: 'no-id', choices: ['a'] });
    assert.is(res.statusCode, 503, res.body);
    const { code, voteId } = res.json().error;
    assert.is(code, 'NOT_DURABLE');
    assert.type(voteId, 'string');
    // The vote may or may not be in the log (here the node refused before writing: it knows
    // the masters have no replica); retried with its voteId it is recorded once, either way.
    const retry = await cast(local, { pollId, voterId: 'no-id', choices: ['a'], voteId });
    assert.ok([200, 201].includes(retry.statusCode), retry.body);
    assert.is(retry.json().receipt.voteId, voteId);
    const again = await cast(local, { pollId, voterId: 'no-id', choices: ['a'], voteId });
    assert.is(again.statusCode, 200, again.body);
    assert.equal(again.json().receipt, retry.json().receipt);
  },
);

durable.run();
