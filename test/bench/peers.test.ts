import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, startServer, stopServer } from '../../bench/harness.ts';
import { type PeersResult, peersTable, withMedians } from '../../bench/peers-table.ts';
import { peersSection, peerTargetRows } from '../../bench/report-markdown.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const run = (rps: number) => ({ rps, p50: 1, p99: 2, bad: 0 });
const result = (systems: PeersResult['systems']): PeersResult => ({
  machine: 'test',
  seconds: 1,
  rounds: 1,
  warmupSeconds: 0,
  connections: 64,
  pgPool: 8,
  loadBefore: [0, 0, 0],
  loadAfter: [0, 0, 0],
  systems,
});
const measured = (label: string, rps: number) => ({
  label,
  runs: [run(rps)],
  votesPerSecond: rps,
  p50Ms: 1,
  p99Ms: 2,
  bad: 0,
});

const table = suite('the peer table and targets');

table('a skipped peer says why in its row and is never counted as meeting a target', () => {
  const r = result({
    'votestream-3': measured('vs3', 9000),
    'postgres-standby': {
      label: 'pg',
      runs: [],
      skipped: 'no /usr/lib/postgresql/<version>/bin/postgres, needs Debian package postgresql',
    },
    'nats-r3': measured('nats', 6000),
    'redis-counter': measured('counter', 15000),
  });
  const [, rows] = peersTable(r);
  assert.ok(
    rows[1]![1]!.includes(
      'skipped: no /usr/lib/postgresql/<version>/bin/postgres, needs Debian package postgresql',
    ),
  );
  const [pg, nats, counter] = peerTargetRows(r);
  assert.ok(String(pg![1]).startsWith('not measured: no /usr/lib/postgresql'));
  assert.is(pg![2], '–');
  assert.is(nats![2], '**yes**'); // 9000 / 6000 = 1.5
  assert.ok(String(nats![1]).startsWith('1.50×'));
  assert.is(counter![2], '**no**'); // 9000 / 15000 = 0.6 < 0.7
  assert.is(rows[0]![4], '1.00×');
  assert.is(rows[3]![4], '0.60×');
});

table('the machine CPU per vote and the cores busy are the medians of the runs', () => {
  const runs = [
    { ...run(9000), cpuPerVoteUs: 210, busyShare: 0.97 },
    { ...run(9100), cpuPerVoteUs: 230, busyShare: 0.99 },
    { ...run(8900), cpuPerVoteUs: 200, busyShare: 0.95 },
  ];
  const row = withMedians({ label: 'vs3', runs });
  assert.is(row.votesPerSecond, 9000);
  const r = result({ 'votestream-3': row });
  const [header, rows] = peersTable(r);
  assert.equal(header.slice(-2), ['machine CPU µs per vote', 'cores busy']);
  assert.equal(rows[0]!.slice(-2), ['210', '97 %']);
});

table('a peer that did not start is reported with its error', () => {
  const r = result({
    'votestream-3': measured('vs3', 9000),
    'nats-r3': { label: 'nats', runs: [], failed: 'nats-server on 1234 did not start' },
  });
  const [, rows] = peersTable(r);
  assert.ok(rows[1]![1]!.includes('did not run: nats-server on 1234 did not start'));
  assert.is(peerTargetRows(r)[1]![2], '–');
});

table('the report section names the command and shows every system, skipped ones too', () => {
  const r = result({
    'votestream-3': measured('votestream, 3 member nodes', 9000),
    'nats-r3': { label: 'NATS R3', runs: [], skipped: 'needs Debian package nats-server' },
  });
  const md = peersSection({ command: 'npm run bench:peers -- --seconds 1', result: r }).join('\n');
  assert.match(md, '`npm run bench:peers -- --seconds 1`');
  assert.match(md, '| votestream, 3 member nodes | 9,000 | 1.00 | 2.00 | 1.00× | 0 | – | – |');
  assert.match(md, '| NATS R3 | **skipped: needs Debian package nats-server** |');
});

table.run();

const peer = suite('the counter-only Redis peer behind the node’s HTTP front');
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let url = '';

peer.before(async () => {
  const cluster = await sharedCluster();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = await startServer(
    ['--import', 'tsx', 'bench/peers/redis-counter-peer.ts', '--port', String(port)].concat([
      '--seeds',
      cluster.seeds,
    ]),
    port,
    { VS_LOG_LEVEL: 'warn' },
  );
});

peer.after(async () => {
  if (server) await stopServer(server);
});

const post = async (body: unknown) => {
  const res = await fetch(`${url}/votes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = (await res.json()) as {
    receipt?: { voteId: string };
    error?: { code: string };
  };
  return { status: res.status, receipt: reply.receipt, code: reply.error?.code };
};

peer('counts a voter once: 201, then 409 ALREADY_VOTED, 200 for a retried voteId', async () => {
  const voterId = `v-${randomUUID()}`;
  const voteId = randomUUID();
  const first = await post({ pollId: 'bench', voterId, choices: ['c'], voteId });
  assert.is(first.status, 201);
  assert.is(first.receipt?.voteId, voteId);
  const retry = await post({ pollId: 'bench', voterId, choices: ['c'], voteId });
  assert.is(retry.status, 200);
  assert.is(retry.receipt?.voteId, voteId);
  const again = await post({ pollId: 'bench', voterId, choices: ['a'] });
  assert.is(again.status, 409);
  assert.is(again.code, 'ALREADY_VOTED');
  const tally = (await (await fetch(`${url}/polls/bench/tally`)).json()) as {
    counts: Record<string, number>;
  };
  assert.is(tally.counts.c, 1);
  assert.is(tally.counts.a, undefined);
});

peer('refuses what the node refuses, before the store: schema, options, polls', async () => {
  const voterId = `v-${randomUUID()}`;
  const extra = await post({ pollId: 'bench', voterId, choices: ['a'], weight: 2 });
  assert.is(extra.status, 400);
  assert.is(extra.code, 'VALIDATION_FAILED');
  const option = await post({ pollId: 'bench', voterId, choices: ['z'] });
  assert.is(option.status, 422);
  assert.is(option.code, 'UNKNOWN_OPTION');
  const poll = await post({ pollId: 'other', voterId, choices: ['a'] });
  assert.is(poll.status, 404);
  assert.is(poll.code, 'POLL_NOT_FOUND');
  // None of them was counted: the voter can still vote.
  assert.is((await post({ pollId: 'bench', voterId, choices: ['a'] })).status, 201);
});

peer.run();
