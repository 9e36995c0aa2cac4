// Secret polls (`secrecy: "pseudonymous"`) on a real cluster: the log, its indexes and the API
// carry voter tags, never voter ids; one voter under two spellings is one tag; tokens are for
// the tag; nodes without the secret, or with another one, refuse and write nothing; the
// participation query answers voted / not voted and nothing else.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { tagKey, voterTag } from '../../src/domain/voter-tag.ts';
import { decodeCatalogueEntry, type RawEntry } from '../../src/log/codec.ts';
import { controlKeys, shardKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, logLength, peerEnv, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const VOTER_SECRET = 'secret-ballots-voter-secret-0123456789';

let node: RunningNode;
/** A second node on the same log without VS_VOTER_SECRET, a third with another secret. */
let bare: RunningNode;
let other: RunningNode;

const cast = (payload: Record<string, unknown>, on = node) =>
  on.app.inject({ method: 'POST', url: '/votes', payload });
const batch = (votes: Record<string, unknown>[], on = node) =>
  on.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
const secretPoll = (body: Record<string, unknown> = {}) =>
  createPoll(node, { secrecy: 'pseudonymous', ...body });
const participation = (
  pollId: string,
  voters: unknown,
  headers: Record<string, string> = ADMIN,
  on = node,
) =>
  on.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/participation`,
    headers,
    payload: { voters },
  });

async function pollOf(pollId: string): Promise<Poll> {
  const entry = await node.ctx.catalogue.get(pollId);
  if (!entry) throw new Error(`no poll ${pollId}`);
  return entry.poll;
}

/** The tag the log should record for `voterId` (NFC) in `pollId`, computed from the domain. */
async function tagOf(pollId: string, voterId: string): Promise<string> {
  return voterTag(tagKey(VOTER_SECRET, await pollOf(pollId)), voterId.normalize('NFC'));
}

/** Every raw field of every stream and every one-vote index of the poll, as one string. */
async function wholeLog(pollId: string): Promise<string> {
  const { client, prefix, shards } = node.ctx.target;
  const streams = await Promise.all(
    [
      controlKeys(prefix).polls,
      ...Array.from({ length: shards }, (_, s) => shardKeys(prefix, s).log),
    ].map((k) => client.xrange(k, '-', '+')),
  );
  const voters = await Promise.all(
    Array.from({ length: shards }, (_, s) => client.hgetall(shardKeys(prefix, s).voters(pollId))),
  );
  return JSON.stringify([streams, voters]);
}

const create = suite('secret polls: creation');

create.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
  bare = await startTestNode(await sharedCluster(), {
    ...peerEnv(node, 'bare-node'),
    VS_VOTER_SECRET: '',
  });
  other = await startTestNode(await sharedCluster(), {
    ...peerEnv(node, 'other-secret-node'),
    VS_VOTER_SECRET: `${VOTER_SECRET}-not-the-same`,
  });
});

create('a secret poll shows its secrecy and is a v4 PollCreated with a check value', async () => {
  const pollId = await secretPoll();
  const openPoll = await createPoll(node);
  const shown = (await node.app.inject({ url: `/polls/${pollId}` })).json().poll;
  assert.is(shown.secrecy, 'pseudonymous');
  assert.match(shown.tagCheck, /^[A-Za-z0-9_-]{43}$/);
  const open = (await node.app.inject({ url: `/polls/${openPoll}` })).json().poll;
  assert.is(open.secrecy, 'none');
  assert.not.ok('tagCheck' in open);
  const raw = (await node.ctx.target.client.xrange(
    controlKeys(node.ctx.target.prefix).polls,
    '-',
    '+',
  )) as RawEntry[];
  const created = (id: string) =>
    raw.map(decodeCatalogueEntry).find((e) => e.type === 'PollCreated' && e.poll.id === id) as
      | { v: number; poll: Record<string, unknown> }
      | undefined;
  assert.is(created(pollId)?.v, 4);
  assert.is(created(pollId)?.poll.secrecy, 'pseudonymous');
  assert.is(created(openPoll)?.v, 1);
  assert.not.ok('secrecy' in (created(openPoll)?.poll ?? {}));
  assert.not.match(JSON.stringify(raw), VOTER_SECRET);
});

create(
  'secrecy is part of the definition: a repeat is the same poll, a change is 409',
  async () => {
    const pollId = await secretPoll();
    const body = { id: pollId, title: 'Test poll', options: ['a', 'b', 'c'] };
    const again = await node.app.inject({
      method: 'POST',
      url: '/polls',
      headers: ADMIN,
      payload: { ...body, secrecy: 'pseudonymous' },
    });
    assert.is(again.statusCode, 200, again.body);
    assert.is(again.json().poll.tagCheck, (await pollOf(pollId)).tagCheck);
    for (const secrecy of ['none', undefined]) {
      const changed = await node.app.inject({
        method: 'POST',
        url: '/polls',
        headers: ADMIN,
        payload: { ...body, ...(secrecy ? { secrecy } : {}) },
      });
      assert.is(changed.statusCode, 409, changed.body);
      assert.is(changed.json().error.code, 'POLL_EXISTS');
    }
  },
);

create('a node without VS_VOTER_SECRET refuses to create one (409), writing nothing', async () => {
  const before = await logLength(node);
  const res = await bare.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { title: 'T', options: ['a', 'b'], secrecy: 'pseudonymous' },
  });
  assert.is(res.statusCode, 409, res.body);
  assert.is(res.json().error.code, 'SECRET_BALLOT_UNAVAILABLE');
  assert.is(await logLength(node), before);
});

create('an unknown secrecy is a 400', async () => {
  const res = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { title: 'T', options: ['a', 'b'], secrecy: 'secret' },
  });
  assert.is(res.statusCode, 400);
});

create.run();

const votes = suite('secret polls: votes');

votes('the log and its index record the tag; the reply and GET /votes carry no voter', async () => {
  const pollId = await secretPoll();
  const res = await cast({ pollId, voterId: 'Zoë Q. Voter', choices: ['b'] });
  assert.is(res.statusCode, 201, res.body);
  const { receipt } = res.json();
  const tag = await tagOf(pollId, 'Zoë Q. Voter');
  assert.is(receipt.shard, shardOf(pollId, tag, node.ctx.config.shards));
  const log = await wholeLog(pollId);
  assert.ok(log.includes(tag), 'the tag is in the log');
  assert.not.ok(log.includes('Zoë'), 'the voter id is in the log');
  assert.not.ok(JSON.stringify(res.json()).includes('Zoë'));
  const lookup = await node.app.inject({ url: `/votes/${encodeURIComponent(receipt.voteId)}` });
  assert.is(lookup.statusCode, 200);
  assert.not.ok(lookup.body.includes('Zoë'));
  // The server chose the voteId: a UUIDv7, nothing of the voter's.
  assert.match(receipt.voteId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

votes('one voter under two spellings (NFC, NFD) votes once, alone or in a batch', async () => {
  const pollId = await secretPoll();
  const nfc = 'Jos\u00e9 Secret';
  const nfd = 'Jose\u0301 Secret';
  assert.is((await cast({ pollId, voterId: nfc, choices: ['a'] })).statusCode, 201);
  const again = await cast({ pollId, voterId: nfd, choices: ['b'] });
  assert.is(again.statusCode, 409, again.body);
  assert.is(again.json().error.code, 'ALREADY_VOTED');
  assert.not.ok(again.body.includes('Jos'), 'the refusal echoes the voter');
  const res = await batch([
    { pollId, voterId: 'Ren\u00e9e', choices: ['a'] },
    { pollId, voterId: 'Rene\u0301e', choices: ['c'] },
  ]);
  assert.equal(
    res.json().results.map((r: { status: number }) => r.status),
    [201, 409],
  );
  await until(
    async () => (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().pending.a === 2,
    10_000,
    'the votes were not counted',
  );
  const tally = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.equal(tally.pending, { a: 2, b: 0, c: 0 });
});

votes(
  'a token is for the tag: the own one is 201, another voter or poll 403, nothing written',
  async () => {
    const pollId = await secretPoll({ voterAuth: 'token' });
    const elsewhere = await secretPoll({ voterAuth: 'token' });
    const tokens = async (p: string, voters: string[]) => {
      const res = await node.app.inject({
        method: 'POST',
        url: `/polls/${p}/tokens`,
        headers: ADMIN,
        payload: { voters },
      });
      assert.is(res.statusCode, 200, res.body);
      return (res.json().tokens as { voterId: string; token: string }[]).map((t) => t.token);
    };
    const [alice, bob] = await tokens(pollId, ['alice', 'bob']);
    const [aliceElsewhere] = await tokens(elsewhere, ['alice']);
    const before = await logLength(node);
    for (const [what, token] of [
      ["bob's token", bob],
      ["another poll's token", aliceElsewhere],
    ]) {
      const res = await cast({ pollId, voterId: 'alice', choices: ['a'], token });
      assert.is(res.statusCode, 403, `${what}: ${res.body}`);
      assert.is(res.json().error.code, 'VOTER_TOKEN_INVALID', what);
    }
    assert.is(await logLength(node), before);
    // Two spellings of a voter get one token, and it takes a vote under either.
    const [nfc, nfd] = await tokens(pollId, ['Zo\u00eb', 'Zoe\u0308']);
    assert.is(nfc, nfd);
    assert.is(
      (await cast({ pollId, voterId: 'Zoe\u0308', choices: ['a'], token: nfc })).statusCode,
      201,
    );
    const res = await cast({ pollId, voterId: 'alice', choices: ['a'], token: alice });
    assert.is(res.statusCode, 201, res.body);
    assert.is(await logLength(node), before + 2);
  },
);

votes(
  'a node without the secret (409) or with another one (503) refuses votes, writing nothing',
  async () => {
    const pollId = await secretPoll();
    await other.ctx.catalogue.refresh();
    const before = await logLength(node);
    const without = await cast({ pollId, voterId: 'alice', choices: ['a'] }, bare);
    assert.is(without.statusCode, 409, without.body);
    assert.is(without.json().error.code, 'SECRET_BALLOT_UNAVAILABLE');
    const mismatched = await cast({ pollId, voterId: 'alice', choices: ['a'] }, other);
    assert.is(mismatched.statusCode, 503, mismatched.body);
    assert.is(mismatched.json().error.code, 'VOTER_SECRET_MISMATCH');
    const inBatch = await batch([{ pollId, voterId: 'bob', choices: ['a'] }], other);
    assert.is(inBatch.json().results[0].error.code, 'VOTER_SECRET_MISMATCH');
    const asked = await participation(pollId, ['alice'], ADMIN, other);
    assert.is(asked.statusCode, 503);
    assert.is(await logLength(node), before);
    // The poll's own node still takes them: the refusals left nothing behind.
    assert.is((await cast({ pollId, voterId: 'alice', choices: ['a'] })).statusCode, 201);
  },
);

votes('a ballot is not looked up by voter id: 403 for voters with and without a vote', async () => {
  const pollId = await secretPoll();
  assert.is((await cast({ pollId, voterId: 'alice', choices: ['a'] })).statusCode, 201);
  for (const voter of ['alice', 'nobody', await tagOf(pollId, 'alice')]) {
    const res = await node.app.inject({ url: `/polls/${pollId}/voters/${voter}` });
    assert.is(res.statusCode, 403, res.body);
    assert.is(res.json().error.code, 'BALLOT_SECRET');
  }
});

votes('a client-chosen voteId is still taken (the docs warn what it may carry)', async () => {
  const pollId = await secretPoll();
  const res = await cast({ pollId, voterId: 'carol', choices: ['c'], voteId: 'my-own-id-1' });
  assert.is(res.statusCode, 201, res.body);
  assert.is(res.json().receipt.voteId, 'my-own-id-1');
});

votes.run();

const asked = suite('POST /polls/:pollId/participation');

asked.after(async () => {
  await Promise.all([bare.close(), other.close()]);
  await node.close();
});

asked('answers voted and not voted, ids as sent, and nothing else', async () => {
  for (const secrecy of ['pseudonymous', 'none']) {
    const pollId = await createPoll(node, { secrecy, revote: 'replace' });
    const res = await batch([
      { pollId, voterId: 'alice', choices: ['a'] },
      { pollId, voterId: 'Zo\u00eb', choices: ['b'] },
      { pollId, voterId: 'alice', choices: ['c'] },
    ]);
    assert.equal(
      res.json().results.map((r: { status: number }) => r.status),
      [201, 201, 201],
    );
    const before = await logLength(node);
    const answer = await participation(pollId, ['bob', 'alice', 'Zoe\u0308', 'carol', 'alice']);
    assert.is(answer.statusCode, 200, answer.body);
    assert.equal(answer.json(), {
      voted: ['alice', 'Zoe\u0308', 'alice'],
      notVoted: ['bob', 'carol'],
    });
    assert.is(await logLength(node), before);
  }
});

asked(
  'refuses what is not an id (400), too many ids, no admin token, an unknown poll',
  async () => {
    const pollId = await secretPoll();
    for (const voters of [
      [],
      ['tab\there'],
      [' edge'],
      Array.from({ length: 1001 }, (_, i) => `v${i}`),
    ]) {
      const res = await participation(pollId, voters);
      assert.is(res.statusCode, 400, JSON.stringify(voters).slice(0, 60));
      assert.is(res.json().error.code, 'VALIDATION_FAILED');
    }
    assert.is((await participation(pollId, ['alice'], {})).statusCode, 401);
    const wrong = await participation(pollId, ['alice'], {
      authorization: 'Bearer nope-nope-nope',
    });
    assert.is(wrong.statusCode, 403);
    assert.is((await participation('no-such-poll', ['alice'])).statusCode, 404);
    const thousand = await participation(
      pollId,
      Array.from({ length: 1000 }, (_, i) => `${'v'.repeat(120)}-${i}`),
    );
    assert.is(thousand.statusCode, 200);
    assert.is(thousand.json().notVoted.length, 1000);
  },
);

asked.run();
