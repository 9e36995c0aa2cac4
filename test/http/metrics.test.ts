import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningNode, startNode } from '../../src/node.ts';
import {
  ADMIN,
  caughtUp,
  createPoll,
  peerEnv,
  snapshotDir,
  startTestNode,
  until,
} from '../helpers/node.ts';
import { promtoolCheck } from '../helpers/promtool.ts';
import { freeBasePort, sharedCluster } from '../helpers/redis-cluster.ts';

const metrics = suite('GET /metrics');
let node: RunningNode;

metrics.before(async () => {
  node = await startTestNode(
    await sharedCluster(),
    {
      VS_NODE_ID: 'metrics-node',
      VS_MEMBERS: 'metrics-node',
      VS_HEARTBEAT_MS: '100',
      // Long enough that a loaded machine (the full suite, 2 cores) does not lapse the lease
      // between the commit and the scrape: once it did, and is_leader read 0.
      VS_LEASE_MS: '5000',
      // Listening: the lint test below opens a live tally stream over real HTTP.
    },
    { listen: true },
  );
});
metrics.after(async () => {
  await node.close();
});

/** The sum of every sample line that starts with `prefix`, e.g. 'votestream_committed_seq{'. */
function sum(text: string, prefix: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The value of one sample line, e.g. value(text, 'votestream_votes_total{status="201"'). */
function value(text: string, prefix: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

metrics('after votes are cast and committed, the counters and gauges show it', async () => {
  const pollId = await createPoll(node);
  for (let i = 0; i < 10; i++) {
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId: `m-${i}`, choices: ['a'] },
    });
    assert.is(res.statusCode, 201);
  }
  const refused = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'm-0', choices: ['b'] },
  });
  assert.is(refused.statusCode, 409);
  await until(
    async () =>
      (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 10,
    5000,
    'not finalized',
  );
  const res = await node.app.inject({ url: '/metrics' });
  assert.is(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  const text = res.body;
  assert.is(value(text, 'votestream_votes_total{status="201"'), 10);
  assert.is(value(text, 'votestream_votes_total{status="409"'), 1);
  assert.ok(value(text, 'votestream_append_seconds_count') >= 10);
  assert.ok(value(text, 'votestream_finalize_seconds_count') >= 10, 'no finalize latency observed');
  assert.is(value(text, 'votestream_is_leader'), 1);
  assert.ok(value(text, 'votestream_leader_term') >= 1);
  assert.is(value(text, 'votestream_members{status="alive"'), 1);
  assert.ok(value(text, 'votestream_commit_markers') >= 1);
  assert.is(value(text, 'votestream_redis_ready'), 1);
  assert.is(value(text, 'votestream_redis_errors_total'), 0);
  assert.match(text, /votestream_fold_lag_entries\{shard="0",node="metrics-node"\} \d+/);
  assert.match(text, /votestream_chain_breaks\{shard="15",node="metrics-node"\} 0/);
  assert.match(text, /process_cpu_seconds_total/);
  // Every vote above is folded and committed: the committed seqs add up to at least the ten
  // votes, and nothing folded waits for a marker (ten votes in, ten finalized, no more).
  assert.ok(sum(text, 'votestream_committed_seq{') >= 10, 'committed seqs do not count the votes');
  assert.is(sum(text, 'votestream_uncommitted_entries{'), 0);
  assert.is(text.match(/^votestream_uncommitted_entries\{/gm)?.length, 16, 'one per shard');
});

metrics('every response is counted by method, route pattern and status code', async () => {
  const pollId = await createPoll(node);
  const before = (await node.app.inject({ url: '/metrics' })).body;
  const cast = { pollId, voterId: 'responses-1', choices: ['a'] };
  assert.is(
    (await node.app.inject({ method: 'POST', url: '/votes', payload: cast })).statusCode,
    201,
  );
  assert.is(
    (await node.app.inject({ method: 'POST', url: '/votes', payload: cast })).statusCode,
    409,
  );
  assert.is((await node.app.inject({ url: '/votes/no-such-vote' })).statusCode, 404);
  assert.is((await node.app.inject({ url: '/no/such/route?x=1' })).statusCode, 404);
  const text = (await node.app.inject({ url: '/metrics' })).body;
  const grew = (labels: string) => {
    const prefix = `votestream_http_responses_total{${labels},node="metrics-node"}`;
    return (value(text, prefix) || 0) - (value(before, prefix) || 0);
  };
  assert.is(grew('method="POST",route="/votes",code="201"'), 1);
  assert.is(grew('method="POST",route="/votes",code="409"'), 1);
  // The route's pattern, never the raw URL: one series for every voteId asked for.
  assert.is(grew('method="GET",route="/votes/:voteId",code="404"'), 1);
  assert.is(grew('method="GET",route="unmatched",code="404"'), 1);
  assert.not.match(text, /no-such/);
  // The scrape before this one is counted too (its response ends after its body is sent).
  assert.ok(grew('method="GET",route="/metrics",code="200"') >= 1);
});

metrics(
  'a node that folds the log from a cold start reports no history as finalize latency',
  async () => {
    const pollId = await createPoll(node);
    for (let i = 0; i < 20; i++) {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `h-${i}`, choices: ['a'] },
      });
      assert.is(res.statusCode, 201);
    }
    await until(
      async () =>
        (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 20,
      5000,
      'not finalized',
    );
    // Same log, a node that is not a member (it commits nothing) and folds it all on start.
    const late = await startTestNode(await sharedCluster(), {
      ...peerEnv(node, 'metrics-late'),
      VS_MEMBERS: 'metrics-node',
    });
    try {
      await caughtUp(late);
      const tally = (await late.app.inject({ url: `/polls/${pollId}/tally` })).json();
      assert.is(tally.finalized.a, 20, 'it folded the history');
      const text = (await late.app.inject({ url: '/metrics' })).body;
      assert.is(value(text, 'votestream_finalize_seconds_count'), 0);
    } finally {
      await late.close();
    }
  },
);

metrics(
  'after appends, replays, refusals, batches, tallies and a live stream, promtool finds nothing',
  async () => {
    const pollId = await createPoll(node);
    const post = (url: string, payload: unknown) =>
      node.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
    const cast = { pollId, voterId: 'lint-1', choices: ['a'], voteId: 'lint-vote-1' };
    assert.is((await post('/votes', cast)).statusCode, 201);
    assert.is((await post('/votes', cast)).statusCode, 200, 'a retried voteId is replayed');
    assert.is((await post('/votes', { ...cast, voteId: 'lint-vote-2' })).statusCode, 409);
    assert.is((await post('/votes', { pollId, voterId: 'lint-2' })).statusCode, 400);
    assert.is((await post('/votes', { ...cast, pollId: 'no-such-poll' })).statusCode, 404);
    const batch = await post('/votes/batch', {
      votes: [
        { pollId, voterId: 'lint-3', choices: ['b'] },
        { pollId, voterId: 'lint-1', choices: ['c'] },
      ],
    });
    assert.equal(
      batch.json().results.map((r: { status: number }) => r.status),
      [201, 409],
    );
    assert.is((await node.app.inject({ url: '/votes/lint-vote-1' })).statusCode, 200);
    assert.is((await node.app.inject({ url: '/cluster' })).statusCode, 200);
    assert.is((await node.app.inject({ url: '/health' })).statusCode, 200);
    assert.is((await node.app.inject({ url: '/polls', headers: ADMIN })).statusCode, 200);
    const stream = await fetch(`${node.url}/polls/${pollId}/events`);
    const reader = stream.body!.getReader();
    assert.ok((await reader.read()).value, 'the live tally sent nothing');
    await until(
      async () =>
        (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.a === 1 &&
        (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().finalized.b === 1,
      5000,
      'not finalized',
    );
    await reader.cancel();

    const exposition = await (await fetch(`${node.url}/metrics`)).text();
    const lint = await promtoolCheck(exposition);
    assert.is(lint.said, '', 'promtool found something');
    assert.is(lint.exitCode, 0);
    // The totals promtool rejected are gone; the families by type they summed are there.
    assert.not.match(exposition, /^nodejs_active_(handles|requests|resources)_total/m);
    assert.match(exposition, /^nodejs_active_handles\{/m);
    assert.match(exposition, /^votestream_finalize_seconds_bucket\{/m);
  },
);

metrics(
  'a node that cannot reach Redis (503s, connection errors) also serves metrics promtool accepts',
  async () => {
    // Nothing listens on this port: every Redis call fails, every append is a 503.
    const config = loadConfig(
      {
        VS_REDIS_URL: `redis://127.0.0.1:${await freeBasePort(1)}`,
        VS_NODE_ID: 'metrics-no-redis',
        VS_LOG_LEVEL: 'silent',
        VS_SNAPSHOT_DIR: snapshotDir(),
        VS_HTTP_PORT: '0',
      },
      {},
    );
    const away = await startNode(config, createLogger({ level: 'silent' }), { listen: false });
    try {
      const res = await away.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId: 'p', voterId: 'v', choices: ['a'] },
      });
      assert.is(res.statusCode, 503, res.body);
      // It never reached Redis to check its shard count: every request but /health and
      // /metrics is refused at the door (shard-count-gate.ts), so no vote reaches the handler
      // that counts votestream_votes_total (a connected node's 503s: redis-outage.test.ts).
      assert.is(res.json().error.code, 'NOT_READY');
      let exposition = '';
      await until(
        async () => {
          exposition = (await away.app.inject({ url: '/metrics' })).body;
          return /^votestream_redis_errors_total\{[^}]*\} [1-9]/m.test(exposition);
        },
        5000,
        'no Redis error counted',
      );
      assert.match(
        exposition,
        /^votestream_http_responses_total\{method="POST",route="\/votes",code="503",[^}]*\} 1$/m,
      );
      assert.match(exposition, /^votestream_redis_ready\{[^}]*\} 0$/m);
      const lint = await promtoolCheck(exposition);
      assert.is(lint.said, '', 'promtool found something');
      assert.is(lint.exitCode, 0);
    } finally {
      await away.close();
    }
  },
);

metrics(
  'snapshots that cannot be written are counted per shard; a node whose snapshots work shows 0',
  async () => {
    // Every shard's series is there from the start, at 0 while snapshots work.
    const healthy = (await node.app.inject({ url: '/metrics' })).body;
    assert.is(
      healthy.split('\n').filter((l) => l.startsWith('votestream_snapshot_failures_total{')).length,
      node.ctx.config.shards,
    );
    assert.is(sum(healthy, 'votestream_snapshot_failures_total{'), 0);
    // VS_SNAPSHOT_DIR names a file: no snapshot can be written there.
    const dir = mkdtempSync(join(tmpdir(), 'vs-snapshot-file-'));
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const broken = await startTestNode(await sharedCluster(), {
      VS_NODE_ID: 'metrics-snapshot-file',
      VS_SNAPSHOT_DIR: file,
      VS_SNAPSHOT_MS: '100',
    });
    try {
      const pollId = await createPoll(broken);
      const res = await broken.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: 'snapshot-voter', choices: ['a'] },
      });
      assert.ok(res.statusCode < 300, res.body);
      await caughtUp(broken);
      let exposition = '';
      await until(
        async () => {
          exposition = (await broken.app.inject({ url: '/metrics' })).body;
          return sum(exposition, 'votestream_snapshot_failures_total{') > 0;
        },
        10_000,
        'no snapshot failure counted',
      );
      // The node folds on: the vote is in its tally.
      const tally = (await broken.app.inject({ url: `/polls/${pollId}/tally` })).json();
      assert.is(tally.ballots.finalized + tally.ballots.pending, 1);
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

metrics.run();
