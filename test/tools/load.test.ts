import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { runLoad } from '../../src/tools/load/run.ts';
import { ADMIN_TOKEN, createPoll, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const load = suite('votestream load');
let node: RunningNode;
const base = {
  rate: 400,
  // A count, not a duration: a busy machine slows the run down but does not shrink it.
  votes: 1000,
  connections: 16,
  batch: 1,
  polls: 2,
  voters: 300,
  duplicates: 0.1,
  revotes: 0.1,
  seed: 7,
  adminToken: ADMIN_TOKEN,
  verify: true,
  verifyTimeoutMs: 15_000,
};

load.before(async () => {
  // A single member: it leads, so what it appends gets committed.
  node = await startTestNode(
    await sharedCluster(),
    {
      VS_NODE_ID: 'load-node',
      VS_MEMBERS: 'load-node',
      VS_HEARTBEAT_MS: '100',
      VS_LEASE_MS: '1000',
    },
    { listen: true },
  );
});
load.after(async () => {
  await node.close();
});

load(
  'a run with retries of the same voteId and revotes ends with nothing lost or doubled',
  async () => {
    const summary = await runLoad({ ...base, targets: [node.url] });
    assert.is(summary.sent, 1000);
    assert.ok(summary.acknowledged > 800, `only ${summary.acknowledged} acknowledged`);
    assert.ok((summary.statuses['200'] ?? 0) > 0, 'no retried voteId came back as a replay');
    assert.is(summary.verified, true);
    assert.equal(
      [summary.lost, summary.duplicated, summary.mismatched],
      [0, 0, 0],
      summary.problems.join('\n'),
    );
    assert.ok(summary.latencyMs.p50 > 0 && summary.latencyMs.p99 >= summary.latencyMs.p50);
    // Every acknowledged voteId was seen finalized once, and never before it was appended.
    const f = summary.finalizedMs;
    assert.is(f.unseen, 0);
    assert.is(f.count, summary.acknowledged);
    assert.ok(f.p50 >= 1 && f.max >= f.p99 && f.p99 >= f.p50, JSON.stringify(f));
  },
);

load('a warm-up is verified with the run but not measured', async () => {
  const { votes: _, ...timed } = base;
  const summary = await runLoad({
    ...timed,
    targets: [node.url],
    polls: 1,
    duplicates: 0,
    revotes: 0,
    voters: 100_000,
    rate: 200,
    warmUpMs: 1000,
    durationMs: 1000,
  });
  // 200 votes due in each second; each voter new, so every acknowledged vote is one voteId.
  assert.ok(summary.warmUp.acknowledged >= 150, JSON.stringify(summary.warmUp));
  assert.is(summary.warmUp.seconds, 1);
  // 200 due in each of the 2 s, none after: at most 400 (fewer only if a busy machine kept the
  // schedule from reaching the last ones before the end).
  assert.ok(summary.sent <= 400 && summary.sent >= 300, `${summary.sent} sent`);
  assert.equal(
    [summary.lost, summary.duplicated, summary.mismatched, summary.verified],
    [0, 0, 0, true],
    summary.problems.join('\n'),
  );
  // Only the measured votes are in the latencies: the finalization watch saw exactly those.
  assert.is(summary.finalizedMs.count, summary.acknowledged - summary.warmUp.acknowledged);
  assert.ok(summary.finalizedMs.count >= 150, `${summary.finalizedMs.count} measured`);
  assert.ok(summary.seconds >= 1 && summary.seconds < 10, `${summary.seconds} s measured`);
});

load('batches are counted vote by vote', async () => {
  const summary = await runLoad({
    ...base,
    targets: [node.url],
    batch: 20,
    polls: 1,
    votes: 600,
  });
  assert.ok(summary.acknowledged > 500, `only ${summary.acknowledged} acknowledged`);
  assert.equal(
    [summary.lost, summary.duplicated, summary.mismatched],
    [0, 0, 0],
    summary.problems.join('\n'),
  );
});

load('--verify notices a vote it did not send', async () => {
  const pollId = await createPoll(node, { options: ['a', 'b'], revote: 'replace' });
  const stranger = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'not-from-load', choices: ['b'] },
  });
  assert.is(stranger.statusCode, 201);
  const summary = await runLoad({
    ...base,
    targets: [node.url],
    poll: pollId,
    votes: 300,
    verifyTimeoutMs: 3000,
  });
  assert.is(summary.duplicated, 1);
  assert.ok(summary.mismatched >= 1);
});

load('--verify compares only the ballots of a sealed poll, and says so', async () => {
  const pollId = await createPoll(node, { revote: 'replace', results: 'afterClose' });
  const summary = await runLoad({ ...base, targets: [node.url], poll: pollId, votes: 300 });
  assert.is(summary.verified, true);
  assert.equal(
    [summary.lost, summary.duplicated, summary.mismatched],
    [0, 0, 0],
    summary.problems.join('\n'),
  );
  assert.equal(summary.sealed, [pollId]);
  // A vote the load did not send is still found: the ballots are compared.
  const other = await createPoll(node, { revote: 'replace', results: 'afterClose' });
  const stranger = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId: other, voterId: 'not-from-load', choices: ['b'] },
  });
  assert.is(stranger.statusCode, 201);
  const again = await runLoad({
    ...base,
    targets: [node.url],
    poll: other,
    votes: 100,
    verifyTimeoutMs: 3000,
  });
  assert.is(again.duplicated, 1);
});

load.run();
