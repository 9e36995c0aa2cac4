import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freeBasePort } from '../../ops/free-ports.ts';
import { type RetryNotice, VotestreamClient, VotestreamError } from '../../src/client/index.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { type FlakyProxy, startFlakyProxy } from './flaky-proxy.ts';

const client = suite('the client against a node');
let node: RunningNode;
let proxy: FlakyProxy;
/** A URL where nothing listens. */
let dead: string;

client.before(async () => {
  const cluster = await sharedCluster();
  // One member: it leads and commits, so votes become finalized.
  node = await startTestNode(
    cluster,
    {
      VS_NODE_ID: 'c1',
      VS_MEMBERS: 'c1',
      VS_HEARTBEAT_MS: '100',
      VS_LEASE_MS: '1000',
      VS_FAILURE_TIMEOUT_MS: '600',
    },
    { listen: true },
  );
  proxy = await startFlakyProxy(node.url!);
  dead = `http://127.0.0.1:${await freeBasePort(1)}`;
});
client.after(async () => {
  await proxy?.close();
  await node?.close();
});

const api = () => new VotestreamClient({ nodes: [node.url!], adminToken: ADMIN_TOKEN });
const poll = async (c = api(), extra: Record<string, unknown> = {}) =>
  (await c.createPoll({ title: 'Lunch?', options: ['pizza', 'sushi'], ...extra })).poll.id;

/** Waits until the node's tally of `pollId` shows one ballot, and checks it stays one. */
async function oneBallot(pollId: string): Promise<void> {
  const ballots = async () => {
    const t = await api().tally(pollId);
    return t.ballots.finalized + t.ballots.pending;
  };
  await until(async () => (await ballots()) === 1, 10_000, 'the vote was not counted');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(await ballots(), 1);
}

client('casts, looks the vote up, and reads the tally and the results once finalized', async () => {
  const c = api();
  const pollId = await poll(c);
  const cast = await c.cast({ pollId, voterId: 'alice', choices: ['sushi'] });
  assert.is(cast.status, 201);
  assert.is(cast.node, new URL(node.url!).origin);
  assert.match(cast.receipt.voteId, /^[0-9a-f-]{36}$/);
  const again = await c.cast({
    pollId,
    voterId: 'alice',
    choices: ['sushi'],
    voteId: cast.receipt.voteId,
  });
  assert.is(again.status, 200);
  assert.equal(again.receipt, cast.receipt);
  assert.is((await c.getVote(cast.receipt.voteId)).receipt.seq, cast.receipt.seq);
  await until(
    async () => (await c.getVote(cast.receipt.voteId)).status === 'finalized',
    15_000,
    'the vote was not finalized',
  );
  const tally = await c.tally(pollId);
  assert.ok(!('sealed' in tally));
  if (!('sealed' in tally)) assert.equal(tally.finalized, { pizza: 0, sushi: 1 });
  const results = await c.results(pollId);
  assert.ok(results.winners?.includes('sushi') === true, JSON.stringify(results));
  assert.is((await c.getPoll(pollId)).poll.status, 'open');
  assert.ok((await c.listPolls()).polls.some((p) => p.id === pollId));
});

client('a refusal is a VotestreamError with status, stable code, details and node', async () => {
  const c = api();
  const pollId = await poll(c);
  await c.cast({ pollId, voterId: 'bob', choices: ['pizza'] });
  const refused = await c
    .cast({ pollId, voterId: 'bob', choices: ['sushi'] }, { onRetry: () => assert.unreachable() })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.instance(refused, VotestreamError);
  const e = refused as VotestreamError;
  assert.is(e.status, 409);
  assert.is(e.code, 'ALREADY_VOTED');
  assert.is(e.node, new URL(node.url!).origin);
  const bad = await c.cast({ pollId, voterId: 'carol', choices: ['soup'] }).catch((x) => x);
  assert.is((bad as VotestreamError).code, 'UNKNOWN_OPTION');
  assert.is((bad as VotestreamError).status, 422);
});

client('the first node is down: the next one on the list answers', async () => {
  const c = new VotestreamClient({ nodes: [dead, node.url!], adminToken: ADMIN_TOKEN });
  const retries: RetryNotice[] = [];
  const pollId = await poll(c);
  const cast = await c.cast(
    { pollId, voterId: 'dora', choices: ['pizza'] },
    { node: 0, onRetry: (r) => retries.push(r) },
  );
  assert.is(cast.status, 201);
  assert.is(cast.node, new URL(node.url!).origin);
  assert.equal(
    retries.map((r) => [r.error.code, r.delayMs, r.next]),
    [['NETWORK_ERROR', 0, new URL(node.url!).origin]],
  );
  // No node at all: NETWORK_ERROR once the policy gives up.
  const none = new VotestreamClient({ nodes: [dead], retry: { maxAttempts: 2 } });
  const e = (await none.tally(pollId).catch((x) => x)) as VotestreamError;
  assert.is(e.code, 'NETWORK_ERROR');
  assert.is(e.status, 0);
});

client('a 503 with Retry-After is waited out, then sent again with the same voteId', async () => {
  const pollId = await poll();
  const c = new VotestreamClient({ nodes: [proxy.url] });
  proxy.seen.length = 0;
  proxy.refuse(1, 1);
  const started = performance.now();
  const cast = await c.cast({ pollId, voterId: 'erin', choices: ['pizza'] });
  const waited = performance.now() - started;
  assert.is(cast.status, 201);
  const posts = proxy.seen.filter((s) => s.path === '/votes');
  assert.is(posts.length, 2);
  const gap = posts[1]!.at - posts[0]!.at;
  assert.ok(gap >= 990 && gap < 3000, `the retry came ${gap} ms after the 503`);
  assert.ok(waited >= 990, `cast took ${waited} ms`);
  assert.is(JSON.parse(posts[0]!.body).voteId, JSON.parse(posts[1]!.body).voteId);
  assert.is(JSON.parse(posts[1]!.body).voteId, cast.receipt.voteId);
});

client(
  'an answer lost after the vote landed: the retry under the same voteId gets its receipt, the vote counts once',
  async () => {
    const pollId = await poll();
    const c = new VotestreamClient({ nodes: [proxy.url] });
    proxy.seen.length = 0;
    proxy.dropAnswers(1);
    const cast = await c.cast({ pollId, voterId: 'fay', choices: ['sushi'] });
    // 200: the first attempt recorded the vote; the retry found it.
    assert.is(cast.status, 200);
    const posts = proxy.seen.filter((s) => s.path === '/votes');
    assert.is(posts.length, 2);
    assert.is(JSON.parse(posts[0]!.body).voteId, cast.receipt.voteId);
    assert.is(JSON.parse(posts[1]!.body).voteId, cast.receipt.voteId);
    await oneBallot(pollId);
  },
);

client("voteIds 'server': a lost answer is VOTE_OUTCOME_UNKNOWN and not sent again", async () => {
  const pollId = await poll();
  const c = new VotestreamClient({ nodes: [proxy.url], voteIds: 'server' });
  proxy.seen.length = 0;
  proxy.dropAnswers(1);
  const e = (await c
    .cast({ pollId, voterId: 'gus', choices: ['sushi'] })
    .catch((x) => x)) as VotestreamError;
  assert.instance(e, VotestreamError);
  assert.is(e.code, 'VOTE_OUTCOME_UNKNOWN');
  const posts = proxy.seen.filter((s) => s.path === '/votes');
  assert.is(posts.length, 1);
  assert.not.ok('voteId' in JSON.parse(posts[0]!.body));
  // It did land: the node drew its voteId, which the voter can no longer learn from us.
  await oneBallot(pollId);
  // A vote that gets an answer has the node's voteId (a UUIDv7: version nibble 7).
  const ok = await c.cast({ pollId, voterId: 'hal', choices: ['pizza'] });
  assert.match(ok.receipt.voteId, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
});

client(
  'castBatch: an item refused with 503 alone goes again alone, under its voteId, and counts once',
  async () => {
    const pollId = await poll();
    const c = new VotestreamClient({ nodes: [proxy.url] });
    try {
      proxy.seen.length = 0;
      // Every vote lands; the answer calls the second one's fate unknown.
      proxy.unsure(1, [1]);
      const ballots = ['ida', 'jon', 'kim'].map((voterId) => ({
        pollId,
        voterId,
        choices: ['pizza'],
      }));
      const retries: RetryNotice[] = [];
      const outcomes = await c.castBatch(ballots, { onRetry: (r) => retries.push(r) });
      assert.equal(
        outcomes.map((o) => o.status),
        [201, 200, 201],
      );
      const posts = proxy.seen.filter((s) => s.path === '/votes/batch');
      assert.is(posts.length, 2);
      const first = JSON.parse(posts[0]!.body).votes as { voterId: string; voteId: string }[];
      const second = JSON.parse(posts[1]!.body).votes as { voterId: string; voteId: string }[];
      assert.equal(
        second.map((v) => v.voterId),
        ['jon'],
      );
      assert.is(second[0]!.voteId, first[1]!.voteId);
      const jon = outcomes[1]!;
      assert.ok('receipt' in jon && jon.receipt.voteId === first[1]!.voteId);
      assert.is(retries.length, 1);
      assert.is(retries[0]!.error.code, 'STORAGE_UNAVAILABLE');
      const t = async () => (await api().tally(pollId)).ballots;
      await until(
        async () => {
          const b = await t();
          return b.finalized + b.pending === 3;
        },
        10_000,
        'the batch was not counted',
      );
      await new Promise((r) => setTimeout(r, 300));
      const b = await t();
      assert.is(b.finalized + b.pending, 3);
    } finally {
      await c.close();
    }
  },
);

for (const how of ['cast', 'castBatch'] as const)
  client(
    `voteIds 'server', ${how}: a 503 naming the node's voteId is retried with it`,
    async () => {
      const pollId = await poll();
      const c = new VotestreamClient({ nodes: [proxy.url], voteIds: 'server' });
      try {
        proxy.seen.length = 0;
        proxy.unsure(1, [0]);
        const ballot = { pollId, voterId: `lee-${how}`, choices: ['sushi'] };
        const outcome = how === 'cast' ? await c.cast(ballot) : (await c.castBatch([ballot]))[0]!;
        // 200: the first attempt recorded it under the node's voteId; the retry found it.
        assert.is(outcome.status, 200);
        assert.ok('receipt' in outcome, JSON.stringify(outcome));
        const path = how === 'cast' ? '/votes' : '/votes/batch';
        const bodies = proxy.seen
          .filter((s) => s.path === path)
          .map((s) => JSON.parse(s.body) as { voteId?: string; votes?: { voteId?: string }[] });
        const voteIds = bodies.map((b) => (b.votes ? b.votes[0]!.voteId : b.voteId));
        assert.is(voteIds.length, 2);
        assert.is(voteIds[0], undefined);
        // The node's own voteId (a UUIDv7), learned from the 503.
        assert.match(String(voteIds[1]), /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
        assert.is(voteIds[1], outcome.receipt.voteId);
        await oneBallot(pollId);
      } finally {
        await c.close();
      }
    },
  );

client('castMany: batches under the limits, one outcome per ballot, in order', async () => {
  const c = api();
  const pollId = await poll(c);
  const ballots = Array.from({ length: 2300 }, (_, i) => ({
    pollId,
    voterId: `v${i}`,
    choices: [i === 1500 ? 'soup' : i % 2 ? 'pizza' : 'sushi'],
  }));
  const seen: { voterId: string; status: number }[] = [];
  for await (const { ballot, outcome } of c.castMany(ballots))
    seen.push({ voterId: ballot.voterId, status: outcome.status });
  assert.equal(
    seen.map((s) => s.voterId),
    ballots.map((b) => b.voterId),
  );
  assert.is(seen.filter((s) => s.status === 201).length, 2299);
  assert.is(seen[1500]!.status, 422);
  // The node's fold catches up with its log in a moment.
  await until(
    async () => {
      const t = await c.tally(pollId);
      return t.ballots.finalized + t.ballots.pending === 2299;
    },
    10_000,
    'the tally did not reach the 2299 recorded votes',
  );
  const tooMany = await c.castBatch(ballots.slice(0, 1001)).catch((x: Error) => x);
  assert.instance(tooMany, RangeError);
});

client('streamTally yields the tally, then its changes', async () => {
  const c = api();
  const pollId = await poll(c);
  const stop = new AbortController();
  const totals: number[] = [];
  let cast = false;
  for await (const event of c.streamTally(pollId, { signal: stop.signal })) {
    totals.push(event.tally.ballots.finalized + event.tally.ballots.pending);
    if (!cast) {
      cast = true;
      await c.cast({ pollId, voterId: 'ivy', choices: ['pizza'] });
    }
    if (totals.at(-1) === 1) break;
  }
  assert.is(totals[0], 0);
  assert.is(totals.at(-1), 1);
  const missing = (await (async () => {
    for await (const _ of c.streamTally('no-such-poll')) return undefined;
  })().catch((x) => x)) as VotestreamError;
  assert.is(missing.code, 'POLL_NOT_FOUND');
});

client('admin calls: roll, participation, close; health and metrics', async () => {
  const c = api();
  const pollId = await poll(c, { roll: true, secrecy: 'none' });
  const added = await c.addToRoll(pollId, [{ voterId: 'jo' }, { voterId: 'kim' }]);
  assert.is(added.added, 2);
  assert.is((await c.addToRoll(pollId, [{ voterId: 'jo' }])).unchanged, 1);
  await c.cast({ pollId, voterId: 'jo', choices: ['pizza'] });
  assert.equal(await c.participation(pollId, ['jo', 'kim']), { voted: ['jo'], notVoted: ['kim'] });
  const closed = await c.closePoll(pollId);
  assert.is(closed.alreadyClosed, false);
  assert.is((await c.closePoll(pollId)).alreadyClosed, true);
  const noAdmin = new VotestreamClient({ nodes: [node.url!] });
  assert.is(((await noAdmin.closePoll(pollId).catch((x) => x)) as VotestreamError).status, 401);
  assert.is((await c.health()).status, 'ready');
  assert.match(await c.metrics(), /votestream_/);
  assert.is((await c.cluster()).nodeId, 'c1');
  assert.is((await c.digests()).nodeId, 'c1');
});

client.run();
