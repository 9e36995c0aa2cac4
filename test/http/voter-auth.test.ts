import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCatalogueEntry, type RawEntry } from '../../src/log/codec.ts';
import { controlKeys, shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, logLength, peerEnv, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const VOTER_SECRET = 'test-voter-secret-0123456789abcdef';

let node: RunningNode;
/** A second node on the same log, started without VS_VOTER_SECRET. */
let bare: RunningNode;

const cast = (payload: Record<string, unknown>, on = node) =>
  on.app.inject({ method: 'POST', url: '/votes', payload });
const issue = (
  pollId: string,
  voters: unknown,
  headers: Record<string, string> = ADMIN,
  on = node,
) =>
  on.app.inject({ method: 'POST', url: `/polls/${pollId}/tokens`, headers, payload: { voters } });

async function tokensOf(pollId: string, voters: string[]): Promise<Record<string, string>> {
  const res = await issue(pollId, voters);
  assert.is(res.statusCode, 200, res.body);
  const { tokens } = res.json() as { tokens: { voterId: string; token: string }[] };
  assert.equal(
    tokens.map((t) => t.voterId),
    voters,
  );
  return Object.fromEntries(tokens.map((t) => [t.voterId, t.token]));
}

/** Every raw field of every stream of the node's log, to search for leaked secrets. */
async function wholeLog(): Promise<string> {
  const { client, prefix, shards } = node.ctx.target;
  const keys = [
    controlKeys(prefix).polls,
    ...Array.from({ length: shards }, (_, s) => shardKeys(prefix, s).log),
  ];
  const streams = await Promise.all(keys.map((k) => client.xrange(k, '-', '+')));
  return JSON.stringify(streams);
}

const create = suite('token polls: creation');

create.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
  bare = await startTestNode(await sharedCluster(), {
    ...peerEnv(node, 'bare-node'),
    VS_VOTER_SECRET: '',
  });
});

create('a token poll shows voterAuth and is a v2 PollCreated; an open one stays v1', async () => {
  const tokenPoll = await createPoll(node, { voterAuth: 'token' });
  const openPoll = await createPoll(node);
  const shown = await node.app.inject({ url: `/polls/${tokenPoll}` });
  assert.is(shown.json().poll.voterAuth, 'token');
  assert.is((await node.app.inject({ url: `/polls/${openPoll}` })).json().poll.voterAuth, 'open');
  const raw = (await node.ctx.target.client.xrange(
    controlKeys(node.ctx.target.prefix).polls,
    '-',
    '+',
  )) as RawEntry[];
  const events = raw.map(decodeCatalogueEntry);
  const created = (id: string) =>
    events.find((e) => e.type === 'PollCreated' && e.poll.id === id) as
      | { v: number; poll: Record<string, unknown> }
      | undefined;
  assert.is(created(tokenPoll)?.v, 2);
  assert.is(created(tokenPoll)?.poll.voterAuth, 'token');
  assert.is(created(openPoll)?.v, 1);
  assert.not.ok('voterAuth' in (created(openPoll)?.poll ?? {}));
  assert.not.match(await wholeLog(), VOTER_SECRET);
});

create('the same id as an open and as a token poll are different polls', async () => {
  const pollId = await createPoll(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { id: pollId, title: 'Test poll', options: ['a', 'b', 'c'], voterAuth: 'token' },
  });
  assert.is(res.statusCode, 409);
  assert.is(res.json().error.code, 'POLL_EXISTS');
});

create('an unknown voterAuth is a 400 that writes nothing', async () => {
  const before = await logLength(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { title: 'T', options: ['a', 'b'], voterAuth: 'password' },
  });
  assert.is(res.statusCode, 400);
  assert.is(res.json().error.code, 'VALIDATION_FAILED');
  assert.is(await logLength(node), before);
});

create('a node without VS_VOTER_SECRET refuses to create a token poll (409)', async () => {
  const before = await logLength(node);
  const res = await bare.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { title: 'T', options: ['a', 'b'], voterAuth: 'token' },
  });
  assert.is(res.statusCode, 409, res.body);
  assert.is(res.json().error.code, 'VOTER_AUTH_UNAVAILABLE');
  assert.is(await logLength(node), before);
});

create.run();

const tokens = suite('POST /polls/:pollId/tokens');

tokens('issues one stable token per voter and writes nothing', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const before = await logLength(node);
  const first = await tokensOf(pollId, ['alice', 'bob', 'carol with space']);
  assert.equal(await tokensOf(pollId, ['bob']), { bob: first.bob });
  assert.is(new Set(Object.values(first)).size, 3);
  for (const t of Object.values(first)) assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.is(await logLength(node), before);
});

tokens('needs the admin token: 401 without, 403 with a wrong one', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const without = await issue(pollId, ['alice'], {});
  assert.is(without.statusCode, 401);
  assert.is(without.json().error.code, 'UNAUTHORIZED');
  const wrong = await issue(pollId, ['alice'], { authorization: 'Bearer not-the-admin-token' });
  assert.is(wrong.statusCode, 403);
  assert.is(wrong.json().error.code, 'FORBIDDEN');
  assert.not.ok('tokens' in wrong.json());
});

tokens('404 for an unknown poll, 409 for an open poll or a node without the secret', async () => {
  const unknown = await issue('no-such-poll', ['alice']);
  assert.is(unknown.statusCode, 404);
  assert.is(unknown.json().error.code, 'POLL_NOT_FOUND');
  const open = await issue(await createPoll(node), ['alice']);
  assert.is(open.statusCode, 409);
  assert.is(open.json().error.code, 'VOTER_AUTH_OPEN');
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const unconfigured = await issue(pollId, ['alice'], ADMIN, bare);
  assert.is(unconfigured.statusCode, 409, unconfigured.body);
  assert.is(unconfigured.json().error.code, 'VOTER_AUTH_UNAVAILABLE');
});

tokens('bad bodies are 400: no voters, too many, a control character, extra fields', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  for (const payload of [
    {},
    { voters: [] },
    { voters: Array.from({ length: 1001 }, (_, i) => `v${i}`) },
    { voters: ['tab\there'] },
    { voters: ['alice'], pollSecret: 'x' },
  ]) {
    const res = await node.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/tokens`,
      headers: ADMIN,
      payload,
    });
    assert.is(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
    assert.is(res.json().error.code, 'VALIDATION_FAILED');
  }
});

tokens('a thousand voters with long ids fit in one request', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const voters = Array.from({ length: 1000 }, (_, i) => `${'v'.repeat(120)}-${i}`);
  const res = await issue(pollId, voters);
  assert.is(res.statusCode, 200, res.body.slice(0, 200));
  assert.is(res.json().tokens.length, 1000);
});

tokens.run();

const votes = suite('votes in a token poll');

votes('a vote with its token is 201 and counted; the token is not in the log', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const { alice } = await tokensOf(pollId, ['alice']);
  const res = await cast({ pollId, voterId: 'alice', choices: ['b'], token: alice });
  assert.is(res.statusCode, 201, res.body);
  await until(
    async () => (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().pending.b === 1,
    10_000,
    'the vote was not counted',
  );
  const log = await wholeLog();
  assert.ok(log.includes(res.json().receipt.hash), 'the vote is in the log');
  assert.not.ok(log.includes(alice!), 'the token is in the log');
  assert.not.match(log, /"token"/);
});

votes('a missing token is 403 VOTER_TOKEN_REQUIRED and writes nothing', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const before = await logLength(node);
  const res = await cast({ pollId, voterId: 'alice', choices: ['a'] });
  assert.is(res.statusCode, 403, res.body);
  assert.is(res.json().error.code, 'VOTER_TOKEN_REQUIRED');
  assert.is(await logLength(node), before);
});

votes('forged tokens are 403 VOTER_TOKEN_INVALID and write nothing', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const otherPoll = await createPoll(node, { voterAuth: 'token' });
  const { bob } = await tokensOf(pollId, ['bob']);
  const { alice: aliceElsewhere } = await tokensOf(otherPoll, ['alice']);
  const before = await logLength(node);
  const forged = {
    "another voter's token": bob,
    "another poll's token": aliceElsewhere,
    garbage: 'garbage',
    empty: '',
    'well-formed but made up': 'A'.repeat(43),
  };
  for (const [what, token] of Object.entries(forged)) {
    const res = await cast({ pollId, voterId: 'alice', choices: ['a'], token });
    assert.is(res.statusCode, 403, `${what}: ${res.body}`);
    assert.is(res.json().error.code, 'VOTER_TOKEN_INVALID', what);
  }
  assert.is(await logLength(node), before);
  const tally = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.equal(tally.pending, { a: 0, b: 0, c: 0 });
});

votes('a token is checked before the choices: a bad ballot without one is still 403', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const res = await cast({ pollId, voterId: 'alice', choices: ['no-such-option'] });
  assert.is(res.statusCode, 403);
});

votes('a token longer than any token is a 400 that writes nothing', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const before = await logLength(node);
  const res = await cast({ pollId, voterId: 'alice', choices: ['a'], token: 'x'.repeat(129) });
  assert.is(res.statusCode, 400);
  assert.is(await logLength(node), before);
});

votes('a batch gets a result per item: valid tokens appended, the others 403', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const t = await tokensOf(pollId, ['alice', 'bob', 'carol']);
  const before = await logLength(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes/batch',
    payload: {
      votes: [
        { pollId, voterId: 'alice', choices: ['a'], token: t.alice },
        { pollId, voterId: 'dave', choices: ['a'] },
        { pollId, voterId: 'erin', choices: ['a'], token: t.carol },
        { pollId, voterId: 'bob', choices: ['b'], token: t.bob },
      ],
    },
  });
  assert.is(res.statusCode, 200, res.body);
  const results = res.json().results as { status: number; error?: { code: string } }[];
  assert.equal(
    results.map((r) => r.status),
    [201, 403, 403, 201],
  );
  assert.is(results[1]?.error?.code, 'VOTER_TOKEN_REQUIRED');
  assert.is(results[2]?.error?.code, 'VOTER_TOKEN_INVALID');
  assert.is(await logLength(node), before + 2);
});

votes('a node without VS_VOTER_SECRET refuses token votes (409) and writes nothing', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const { alice } = await tokensOf(pollId, ['alice']);
  const before = await logLength(node);
  const res = await cast({ pollId, voterId: 'alice', choices: ['a'], token: alice }, bare);
  assert.is(res.statusCode, 409, res.body);
  assert.is(res.json().error.code, 'VOTER_AUTH_UNAVAILABLE');
  assert.is(await logLength(node), before);
});

votes.run();

const open = suite('votes in an open poll');

open.after(async () => {
  await bare.close();
  await node.close();
});

open('need no token, and one sent anyway is accepted and ignored', async () => {
  const pollId = await createPoll(node);
  assert.is((await cast({ pollId, voterId: 'alice', choices: ['a'] })).statusCode, 201);
  const res = await cast({ pollId, voterId: 'bob', choices: ['a'], token: 'anything' });
  assert.is(res.statusCode, 201, res.body);
  assert.not.match(await wholeLog(), /anything/);
});

open.run();
