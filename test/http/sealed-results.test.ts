// Issue 17, point 4: a poll created `results: "afterClose"` shows, on every read path, its
// turnout and nothing per option until it is final — GET tally, GET results (plain and
// ?include=pending), the SSE stream (its first event and its updates), a voter's counted vote,
// receipts, /metrics, the poll list — and everything once it is final. A plurality poll and
// an IRV poll, on a member node and on an observer of the same log. The option ids are words
// no other field contains, so a body that names one shows a figure per option.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCatalogueEntry, type RawEntry } from '../../src/log/codec.ts';
import { controlKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import {
  ADMIN,
  closeUntilFinal,
  logLength,
  peerEnv,
  startTestNode,
  until,
} from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { readEvents, type TallyEvent } from '../helpers/server-events.ts';

const OPTIONS = ['zircon', 'quartz', 'basalt'];
const FAST = { VS_HEARTBEAT_MS: '100', VS_LEASE_MS: '1000', VS_FAILURE_TIMEOUT_MS: '600' };
// A weighted poll is secret by default: both nodes tag its voters with one secret.
const SECRET = { VS_VOTER_SECRET: 'sealed-results-voter-secret-0123456789' };

/** The option ids a text names: any of them in a tally, result or vote is a figure per option. */
const named = (text: string) => OPTIONS.filter((option) => text.includes(option));

let leader: RunningNode;
let observer: RunningNode;
let lonely: RunningNode;
const dir = mkdtempSync(join(tmpdir(), 'vs-sealed-'));

async function startNodes() {
  const cluster = await sharedCluster();
  // One member: it leads and commits. The observer folds the same log and commits nothing.
  leader = await startTestNode(
    cluster,
    { ...FAST, ...SECRET, VS_NODE_ID: 'seal-1', VS_MEMBERS: 'seal-1' },
    { listen: true },
  );
  observer = await startTestNode(
    cluster,
    { ...FAST, ...SECRET, ...peerEnv(leader, 'seal-2'), VS_MEMBERS: 'seal-1' },
    { listen: true },
  );
  // A log of its own without a leader: nothing there is ever committed, so nothing is final.
  lonely = await startTestNode(cluster, { VS_NODE_ID: 'seal-lonely' });
}

async function stopNodes() {
  await Promise.all([leader, observer, lonely].filter(Boolean).map((n) => n.close()));
  rmSync(dir, { recursive: true, force: true });
}

const body = async (node: RunningNode, url: string) => {
  const res = await node.app.inject({ url });
  assert.is(res.statusCode, 200, `${url}: ${res.body}`);
  return { text: res.body, json: res.json() };
};

const createPoll = (node: RunningNode, payload: Record<string, unknown>) =>
  node.app.inject({ method: 'POST', url: '/polls', headers: ADMIN, payload });

const cast = async (node: RunningNode, pollId: string, voterId: string, choices: string[]) => {
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId, choices },
  });
  assert.is(res.statusCode, 201, res.body);
  return res.json().receipt.voteId as string;
};

// ---- creating ----

const sealed = suite('sealed results: turnout only until the poll is final, then everything');
sealed.before(startNodes);
sealed.after(stopNodes);

sealed('afterClose is shown and stored as PollCreated v5; live stays v1 without it', async () => {
  const sealed = await createPoll(leader, {
    id: 'sealed-def',
    title: 'S',
    options: OPTIONS,
    results: 'afterClose',
  });
  assert.is(sealed.statusCode, 201, sealed.body);
  assert.is(sealed.json().poll.results, 'afterClose');
  const live = await createPoll(leader, { id: 'live-def', title: 'L', options: OPTIONS });
  assert.is(live.json().poll.results, 'live');
  assert.is((await body(observer, '/polls/sealed-def')).json.poll.results, 'afterClose');

  const { client, prefix } = leader.ctx.target;
  const events = ((await client.xrange(controlKeys(prefix).polls, '-', '+')) as RawEntry[]).map(
    decodeCatalogueEntry,
  );
  const stored = (id: string) =>
    events.find((e) => e.type === 'PollCreated' && e.poll.id === id) as
      | { v: number; poll: Record<string, unknown> }
      | undefined;
  assert.is(stored('sealed-def')?.v, 5);
  assert.is(stored('sealed-def')?.poll.results, 'afterClose');
  assert.is(stored('live-def')?.v, 1);
  assert.not.ok('results' in (stored('live-def')?.poll ?? {}), 'a live poll is stored as before');
});

sealed('the rule is part of the definition: repeats are idempotent, a change is 409', async () => {
  const definition = { id: 'sealed-again', title: 'S', options: OPTIONS, results: 'afterClose' };
  assert.is((await createPoll(leader, definition)).statusCode, 201);
  assert.is((await createPoll(observer, definition)).statusCode, 200, 'the same poll');
  const live = await createPoll(leader, { ...definition, results: 'live' });
  assert.is(live.statusCode, 409, live.body);
  assert.is(live.json().error.code, 'POLL_EXISTS');
  // An old live poll created again with the default said out loud is still the same poll.
  const plain = { id: 'live-again', title: 'L', options: OPTIONS };
  assert.is((await createPoll(leader, plain)).statusCode, 201);
  assert.is((await createPoll(leader, { ...plain, results: 'live' })).statusCode, 200);
  const sealedNow = await createPoll(leader, { ...plain, results: 'afterClose' });
  assert.is(sealedNow.json().error?.code, 'POLL_EXISTS');
});

sealed('any other value is 400 VALIDATION_FAILED naming results, and writes nothing', async () => {
  const before = await logLength(leader);
  for (const results of ['afterclose', 'sealed', 'final', '', true, null, 1, ['afterClose']]) {
    const res = await createPoll(leader, { title: 'T', options: OPTIONS, results });
    assert.is(res.statusCode, 400, `${JSON.stringify(results)}: ${res.body}`);
    assert.is(res.json().error.code, 'VALIDATION_FAILED');
    assert.is(res.json().error.field, 'results', res.body);
  }
  assert.is(await logLength(leader), before);
});

// ---- reading ----

interface Tally {
  pollId: string;
  sealed?: true;
  finalized?: Record<string, number>;
  ballots: { finalized: number; pending: number };
}

/** Every read path of `pollId` on `node` before it is final: turnout, nothing per option. */
async function expectSealed(
  node: RunningNode,
  pollId: string,
  ballots: { finalized: number; pending: number },
  voters: string[],
  voteIds: string[],
) {
  const where = `${pollId} on ${node.ctx.config.nodeId}`;
  const tally = await body(node, `/polls/${pollId}/tally`);
  assert.equal(named(tally.text), [], `tally of ${where}: ${tally.text}`);
  assert.is(tally.json.sealed, true);
  assert.equal(tally.json.ballots, ballots, `the turnout of ${where}`);
  assert.not.ok('finalized' in tally.json || 'pending' in tally.json);

  for (const [query, provisional, counted] of [
    ['', false, ballots.finalized],
    ['?include=pending', true, ballots.finalized + ballots.pending],
  ] as const) {
    const result = await body(node, `/polls/${pollId}/results${query}`);
    assert.equal(named(result.text), [], `results${query} of ${where}: ${result.text}`);
    const { method } = (await body(node, `/polls/${pollId}`)).json.poll;
    assert.equal(result.json, {
      pollId,
      method,
      provisional,
      sealed: true,
      ballots: String(counted),
    });
  }

  for (const voterId of voters) {
    const vote = await body(node, `/polls/${pollId}/voters/${voterId}`);
    assert.equal(named(vote.text), [], `voter ${voterId} of ${where}: ${vote.text}`);
    assert.is(vote.json.vote.sealed, true);
    assert.not.ok('choices' in vote.json.vote);
  }
  // A receipt never carried choices; it must not start to for a sealed poll.
  for (const voteId of voteIds) {
    const receipt = await body(node, `/votes/${voteId}`);
    assert.equal(named(receipt.text), [], `receipt ${voteId} of ${where}: ${receipt.text}`);
  }
  // No series is labelled by poll or option: nothing of the poll is exported.
  const metrics = await node.app.inject({ url: '/metrics' });
  assert.equal(named(metrics.body), [], 'GET /metrics names an option');
  assert.not.ok(metrics.body.includes(pollId), 'GET /metrics names the poll');
  // The poll's definition lists its options, and nothing else of them.
  for (const url of ['/polls', `/polls/${pollId}`]) {
    const { json } = await body(node, url);
    const poll = (json.polls ?? [json.poll]).find((p: { id: string }) => p.id === pollId);
    const { options, ...rest } = poll;
    assert.equal(
      options,
      OPTIONS.map((id) => ({ id })),
    );
    assert.equal(named(JSON.stringify(rest)), [], `${url}: ${JSON.stringify(rest)}`);
    assert.is(poll.results, 'afterClose');
  }
}

const RANKINGS: [string[], number][] = [
  [['zircon', 'quartz'], 2],
  [['quartz', 'zircon'], 2],
  [['basalt', 'quartz'], 1],
];
const CHOICES: [string[], number][] = [
  [['zircon'], 3],
  [['quartz'], 2],
  [['basalt'], 1],
];

/** Casts `profile` over both nodes; returns the voter ids and the voteIds. */
async function castProfile(pollId: string, profile: [string[], number][]) {
  const voters: string[] = [];
  const voteIds: string[] = [];
  for (const [choices, count] of profile)
    for (let i = 0; i < count; i++) {
      const voterId = `${pollId}-v${voters.length}`;
      voteIds.push(await cast(voters.length % 2 ? observer : leader, pollId, voterId, choices));
      voters.push(voterId);
    }
  return { voters, voteIds };
}

sealed('before the close, on both nodes, every read path shows turnout only', async () => {
  for (const [pollId, extra] of [
    ['sealed-plurality', {}],
    ['sealed-irv', { method: 'irv' }],
  ] as const) {
    const res = await createPoll(leader, {
      id: pollId,
      title: pollId,
      options: OPTIONS,
      results: 'afterClose',
      ...extra,
    });
    assert.is(res.statusCode, 201, res.body);
  }
  // Each SSE stream is followed from before the first vote until the poll is final.
  const following = new Map(
    (['sealed-plurality', 'sealed-irv'] as const).map((pollId, i) => [
      pollId,
      readEvents<Tally>(
        `${[leader, observer][i]!.url}/polls/${pollId}/events`,
        (events) => events.some((e) => !e.data.sealed),
        {},
        60_000,
      ),
    ]),
  );
  await new Promise((r) => setTimeout(r, 200));
  const plurality = await castProfile('sealed-plurality', CHOICES);
  const irv = await castProfile('sealed-irv', RANKINGS);
  const committed = { finalized: 6, pending: 0 };
  const ranked = { finalized: 5, pending: 0 };
  for (const node of [leader, observer])
    await until(
      async () =>
        (await body(node, '/polls/sealed-plurality/tally')).json.ballots.finalized === 6 &&
        (await body(node, '/polls/sealed-irv/tally')).json.ballots.finalized === 5,
      15_000,
      'the votes were not committed',
    );
  for (const node of [leader, observer]) {
    await expectSealed(node, 'sealed-plurality', committed, plurality.voters, plurality.voteIds);
    await expectSealed(node, 'sealed-irv', ranked, irv.voters, irv.voteIds);
  }
  // A live poll beside them shows its figures as always.
  const live = await createPoll(leader, { id: 'live-beside', title: 'L', options: OPTIONS });
  assert.is(live.statusCode, 201);
  await cast(leader, 'live-beside', 'lv', ['basalt']);
  await until(
    async () =>
      (await body(leader, '/polls/live-beside/tally')).json.pending?.basalt === 1 ||
      (await body(leader, '/polls/live-beside/tally')).json.finalized?.basalt === 1,
    10_000,
    'the live vote was not folded',
  );
  assert.not.ok('sealed' in (await body(leader, '/polls/live-beside/tally')).json);

  // ---- the close: final on both nodes, then everything ----
  const closing = Date.now();
  for (const pollId of ['sealed-plurality', 'sealed-irv'])
    await closeUntilFinal(leader, [leader, observer], pollId);

  for (const [pollId, events] of following) {
    const seen: TallyEvent<Tally>[] = await events;
    const first = seen[0]!;
    const last = seen.at(-1)!;
    const before = seen.slice(0, -1);
    // The stream was read until its first event with figures per option: not before the close.
    assert.ok(last.at >= closing, `${pollId}: event ${last.id} showed every option while open`);
    assert.ok(before.length >= 2, `${pollId}: ${before.length} sealed events`);
    assert.equal(first.data.ballots, { finalized: 0, pending: 0 }, 'the first event is sealed');
    assert.ok(
      before.some((e) => e.data.ballots.finalized + e.data.ballots.pending > 0),
      'sealed updates carry the turnout',
    );
    for (const e of before) {
      assert.is(e.data.sealed, true);
      assert.equal(named(JSON.stringify(e.data)), [], `${pollId} event ${e.id}`);
    }
    // The same stream, not reconnected, then sends the whole tally.
    assert.not.ok(last.data.sealed);
    assert.equal(
      last.data.finalized,
      pollId === 'sealed-irv'
        ? { zircon: 2, quartz: 2, basalt: 1 }
        : { zircon: 3, quartz: 2, basalt: 1 },
      `${pollId}: the final event`,
    );
  }

  for (const node of [leader, observer]) {
    const tally = (await body(node, '/polls/sealed-plurality/tally')).json;
    assert.not.ok('sealed' in tally);
    assert.equal(tally.finalized, { zircon: 3, quartz: 2, basalt: 1 });
    const result = (await body(node, '/polls/sealed-plurality/results')).json;
    assert.not.ok('sealed' in result);
    assert.equal(result.winners, ['zircon']);
    assert.equal(result.rounds[0].tally, { zircon: '3', quartz: '2', basalt: '1' });
    const pending = (await body(node, '/polls/sealed-plurality/results?include=pending')).json;
    assert.equal(pending.rounds[0].tally, { zircon: '3', quartz: '2', basalt: '1' });
    // IRV: basalt is eliminated and its ballot goes to quartz, who then has 3 of 5.
    const irvResult = (await body(node, '/polls/sealed-irv/results')).json;
    assert.equal(irvResult.winners, ['quartz']);
    assert.is(irvResult.rounds.length, 2);
    assert.equal((await body(node, '/polls/sealed-irv/tally')).json.finalized, {
      zircon: 2,
      quartz: 2,
      basalt: 1,
    });
    const vote = (await body(node, `/polls/sealed-irv/voters/${irv.voters[4]}`)).json.vote;
    assert.equal(vote.choices, ['basalt', 'quartz']);
    assert.equal(vote.finalized.choices, ['basalt', 'quartz']);
    assert.is((await body(node, '/polls/sealed-irv')).json.poll.status, 'final');
  }
  // A stream opened now starts with the whole tally.
  const [fresh] = await readEvents<Tally>(
    `${observer.url}/polls/sealed-plurality/events`,
    (events) => events.length > 0,
  );
  assert.equal(fresh?.data.finalized, { zircon: 3, quartz: 2, basalt: 1 });
});

sealed('a weighted secret poll: its ballots, their weight and its roll until final', async () => {
  const pollId = 'sealed-weighted';
  const created = await createPoll(leader, {
    id: pollId,
    title: 'Shares',
    options: OPTIONS,
    weighted: true,
    results: 'afterClose',
  });
  assert.is(created.statusCode, 201, created.body);
  assert.is(created.json().poll.secrecy, 'pseudonymous');
  const weights = [5, 3, 1_000_000_000_000, 2];
  const enrolled = await leader.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/roll`,
    headers: ADMIN,
    payload: { voters: weights.map((weight, i) => ({ voterId: `w${i}`, weight })) },
  });
  assert.is(enrolled.statusCode, 200, enrolled.body);
  const choices = [['zircon'], ['quartz'], ['basalt'], ['zircon']];
  const voteIds: string[] = [];
  for (const [i, choice] of choices.entries())
    voteIds.push(await cast(i % 2 ? observer : leader, pollId, `w${i}`, choice));
  const total = String(1_000_000_000_010);
  for (const node of [leader, observer]) {
    await until(
      async () => (await body(node, `/polls/${pollId}/tally`)).json.ballots.finalized === 4,
      15_000,
      'the votes were not committed',
    );
    const tally = await body(node, `/polls/${pollId}/tally`);
    assert.equal(named(tally.text), [], tally.text);
    assert.is(tally.json.sealed, true);
    assert.equal(tally.json.weight, { finalized: 1_000_000_000_010, pending: 0 });
    assert.equal(tally.json.roll, { voters: 4, weight: 1_000_000_000_010 });
    for (const query of ['', '?include=pending']) {
      const result = await body(node, `/polls/${pollId}/results${query}`);
      assert.equal(named(result.text), [], result.text);
      assert.equal(result.json, {
        pollId,
        method: 'plurality',
        provisional: query !== '',
        sealed: true,
        ballots: total,
        weighted: true,
        voters: '4',
        roll: { voters: '4', weight: total },
      });
    }
    for (const voteId of voteIds)
      assert.equal(named((await body(node, `/votes/${voteId}`)).text), []);
    const metrics = await node.app.inject({ url: '/metrics' });
    assert.equal(named(metrics.body), []);
  }
  await closeUntilFinal(leader, [leader, observer], pollId);
  for (const node of [leader, observer]) {
    const tally = (await body(node, `/polls/${pollId}/tally`)).json;
    assert.equal(tally.finalized, { zircon: 7, quartz: 3, basalt: 1_000_000_000_000 });
    const result = (await body(node, `/polls/${pollId}/results`)).json;
    assert.equal(result.winners, ['basalt']);
    assert.is(result.ballots, total);
  }
});

sealed('closed is not final: sealed until every barrier is committed', async () => {
  // On a log without a leader nothing is committed: the ballots stay pending, the barriers
  // the close writes too.
  const closesAt = new Date(Date.now() + 1500).toISOString();
  const created = await createPoll(lonely, {
    id: 'sealed-lonely',
    title: 'Never final',
    options: OPTIONS,
    results: 'afterClose',
    closesAt,
  });
  assert.is(created.statusCode, 201, created.body);
  const voters = ['l0', 'l1', 'l2'];
  const voteIds = [
    await cast(lonely, 'sealed-lonely', 'l0', ['zircon']),
    await cast(lonely, 'sealed-lonely', 'l1', ['zircon']),
    await cast(lonely, 'sealed-lonely', 'l2', ['quartz']),
  ];
  await until(
    async () => (await body(lonely, '/polls/sealed-lonely/tally')).json.ballots.pending === 3,
    10_000,
    'the votes were not folded',
  );
  const turnout = { finalized: 0, pending: 3 };
  await expectSealed(lonely, 'sealed-lonely', turnout, voters, voteIds);
  // Past closesAt the poll is closed by the clock; nobody has written its barriers yet.
  await until(
    async () => (await body(lonely, '/polls/sealed-lonely')).json.poll.status === 'closed',
    10_000,
    'the poll did not close at closesAt',
  );
  await expectSealed(lonely, 'sealed-lonely', turnout, voters, voteIds);
  // An admin close writes the barriers; without a commit the poll stays closed, not final.
  const closed = await lonely.app.inject({
    method: 'POST',
    url: '/polls/sealed-lonely/close',
    headers: ADMIN,
  });
  assert.is(closed.statusCode, 200, closed.body);
  await new Promise((r) => setTimeout(r, 300));
  assert.is((await body(lonely, '/polls/sealed-lonely')).json.poll.status, 'closed');
  await expectSealed(lonely, 'sealed-lonely', turnout, voters, voteIds);
});

sealed(
  'the export of a final sealed poll recounts to its live results, byte for byte',
  async () => {
    const env = {
      VS_REDIS_CLUSTER: (await sharedCluster()).seeds,
      VS_PREFIX: leader.ctx.config.prefix,
      VS_LOG_LEVEL: 'silent',
    };
    const cli = async (...args: string[]) => {
      const run = await execa('node', ['bin/votestream.js', ...args], {
        env,
        reject: false,
        stripFinalNewline: false,
      });
      assert.is(run.exitCode, 0, `votestream ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    const exported = join(dir, 'sealed-irv.ndjson');
    writeFileSync(exported, await cli('replay', '--poll', 'sealed-irv'));
    const live = (await body(leader, '/polls/sealed-irv/results')).text;
    assert.is(
      await cli('tally', '--from-file', exported, '--poll', 'sealed-irv', '--results'),
      `${live}\n`,
    );
  },
);

sealed.run();
