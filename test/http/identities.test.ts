// Voter ids and vote ids that look the same are the same id: one identity policy (NFC; no
// invisible, format or unassigned characters, no unpaired surrogates, no whitespace at either
// end) applied before sharding, token checks and token issuance, on every route an id enters.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shardOf } from '../../src/domain/shard-of.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, caughtUp, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const VOTER_SECRET = 'test-voter-secret-0123456789abcdef';
const JOSE_NFC = 'Jos\u00e9';
const JOSE_NFD = 'Jose\u0301';
/** 128 Hangul syllables: 128 characters in NFC, 384 once decomposed (NFD). */
const HANGUL_NFC = '한'.repeat(128);
const HANGUL_NFD = HANGUL_NFC.normalize('NFD');

let node: RunningNode;

const cast = (payload: Record<string, unknown>) =>
  node.app.inject({ method: 'POST', url: '/votes', payload });
const batch = (votes: unknown[]) =>
  node.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
const issue = (pollId: string, voters: unknown[]) =>
  node.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/tokens`,
    headers: ADMIN,
    payload: { voters },
  });
const lookUpVoter = (pollId: string, voterId: string) =>
  node.app.inject({ url: `/polls/${pollId}/voters/${encodeURIComponent(voterId)}` });
const lookUpVote = (voteId: string) =>
  node.app.inject({ url: `/votes/${encodeURIComponent(voteId)}` });

function refusedAs(res: { statusCode: number; body: string }, field: string): void {
  assert.is(res.statusCode, 400, res.body);
  const { error } = JSON.parse(res.body);
  assert.is(error.code, 'VALIDATION_FAILED', res.body);
  assert.is(error.field, field, res.body);
}

const samples = suite("the issue's samples");

samples.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
});
samples.after(async () => {
  await node.close();
});

samples(
  '"José" precomposed and decomposed are one voter: the second is ALREADY_VOTED',
  async () => {
    const pollId = await createPoll(node);
    const first = await cast({ pollId, voterId: JOSE_NFC, choices: ['a'] });
    assert.is(first.statusCode, 201, first.body);
    const before = await logLength(node);
    const second = await cast({ pollId, voterId: JOSE_NFD, choices: ['b'] });
    assert.is(second.statusCode, 409, second.body);
    assert.is(second.json().error.code, 'ALREADY_VOTED');
    assert.is(await logLength(node), before, 'the second spelling was written');
  },
);

samples(
  '"alice" followed by U+200B (zero-width space) is refused: 400, field voterId',
  async () => {
    const pollId = await createPoll(node);
    assert.is((await cast({ pollId, voterId: 'alice', choices: ['a'] })).statusCode, 201);
    const before = await logLength(node);
    refusedAs(await cast({ pollId, voterId: 'alice\u200b', choices: ['b'] }), 'voterId');
    assert.is(await logLength(node), before);
  },
);

samples.run();

const refused = suite('ids the policy refuses: 400 VALIDATION_FAILED naming the field');

refused.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
});
refused.after(async () => {
  await node.close();
});

/** [what, an id the policy refuses]. Each is tried as a voterId and as a voteId. */
const badIds: [string, string][] = [
  ['a zero-width space (U+200B)', 'alice\u200b'],
  ['a zero-width space inside', 'al\u200bice'],
  ['a zero-width non-joiner (U+200C)', 'ali\u200cce'],
  ['a zero-width joiner (U+200D)', 'ali\u200dce'],
  ['a byte-order mark at the start (U+FEFF)', '\ufeffalice'],
  ['a word joiner (U+2060)', 'ali\u2060ce'],
  ['a soft hyphen (U+00AD)', 'ali\u00adce'],
  ['a left-to-right mark (U+200E)', 'alice\u200e'],
  ['a right-to-left override (U+202E)', '\u202ealice'],
  ['a first-strong isolate (U+2068)', 'ali\u2068ce\u2069'],
  ['an Arabic letter mark (U+061C)', 'ali\u061cce'],
  ['a Hangul filler (U+3164)', '\u3164'],
  ['a variation selector (U+FE0F)', 'alice\ufe0f'],
  ['a combining grapheme joiner (U+034F)', 'ali\u034fce'],
  ['a tag character (U+E0041)', 'alice\u{e0041}'],
  ['a leading space', ' alice'],
  ['a trailing space', 'alice '],
  ['a trailing no-break space', 'alice\u00a0'],
  ['a leading ideographic space', '\u3000alice'],
  ['only spaces', '   '],
  ['a line separator at the end (U+2028)', 'alice\u2028'],
  ['an unpaired high surrogate', 'alice\ud800'],
  ['an unpaired low surrogate', '\udc00alice'],
  ['surrogates in the wrong order', 'a\udc00\ud800b'],
  ['an unassigned code point (U+0378)', 'ali\u0378ce'],
  ['a noncharacter (U+FFFF)', 'alice\uffff'],
  ['a C1 control (U+0085)', 'ali\u0085ce'],
  ['a tab', 'ali\tce'],
  ['129 characters', 'v'.repeat(129)],
  // NFC maps U+FB2C to three code points: 50 of them are 150 once normalized.
  ['50 characters that are 150 once normalized (U+FB2C)', '\ufb2c'.repeat(50)],
  ['65 characters that are 130 once normalized (U+0958)', '\u0958'.repeat(65)],
];

for (const [what, id] of badIds) {
  refused(`POST /votes: a voterId with ${what}`, async () => {
    const pollId = await createPoll(node);
    const before = await logLength(node);
    refusedAs(await cast({ pollId, voterId: id, choices: ['a'] }), 'voterId');
    assert.is(await logLength(node), before);
  });
  refused(`POST /votes: a voteId with ${what}`, async () => {
    const pollId = await createPoll(node);
    const before = await logLength(node);
    refusedAs(await cast({ pollId, voterId: 'bob', voteId: id, choices: ['a'] }), 'voteId');
    assert.is(await logLength(node), before);
  });
}

refused('/votes/batch: an item with a refused voterId is 400 for that item alone', async () => {
  const pollId = await createPoll(node);
  const res = await batch([
    { pollId, voterId: 'carol', choices: ['a'] },
    { pollId, voterId: 'carol\u200b', choices: ['a'] },
    { pollId, voterId: 'dave', voteId: '\ufeffv-1', choices: ['a'] },
    { pollId, voterId: ' erin', choices: ['a'] },
    { pollId, voterId: 'frank', choices: ['b'] },
  ]);
  assert.is(res.statusCode, 200, res.body);
  const { results } = res.json();
  assert.equal(
    results.map((r: { status: number }) => r.status),
    [201, 400, 400, 400, 201],
  );
  assert.equal(
    results.slice(1, 4).map((r: { error: { code: string; field: string } }) => r.error.field),
    ['votes[1].voterId', 'votes[2].voteId', 'votes[3].voterId'],
  );
});

refused('token issuance: a refused voter id is 400 naming its place in voters', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  refusedAs(await issue(pollId, ['alice', 'bob\u200b']), 'voters.1');
  refusedAs(await issue(pollId, ['alice\ud800']), 'voters.0');
});

refused('GET /polls/:pollId/voters/:voterId: a refused voter id is 400', async () => {
  const pollId = await createPoll(node);
  refusedAs(await lookUpVoter(pollId, 'alice\u200b'), 'voterId');
  refusedAs(await lookUpVoter(pollId, 'alice '), 'voterId');
});

refused('GET /votes/:voteId: a refused vote id is 400', async () => {
  refusedAs(await lookUpVote('v-1\u200b'), 'voteId');
  refusedAs(await lookUpVote('\u202ev-1'), 'voteId');
});

refused('a poll title or option label with an unpaired surrogate is 400', async () => {
  const create = (body: Record<string, unknown>) =>
    node.app.inject({ method: 'POST', url: '/polls', headers: ADMIN, payload: body });
  const before = await logLength(node);
  refusedAs(await create({ title: 'T\ud800', options: ['a', 'b'] }), 'title');
  refusedAs(
    await create({ title: 'T', options: ['a', { id: 'b', label: '\udfffB' }] }),
    'options.1',
  );
  assert.is(await logLength(node), before);
});

refused.run();

const same = suite('two spellings of one normalized id are one id');

same.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_VOTER_SECRET: VOTER_SECRET });
});
same.after(async () => {
  await node.close();
});

same('a vote is recorded under the NFC spelling, in the NFC spelling’s shard', async () => {
  const pollId = await createPoll(node);
  const res = await cast({ pollId, voterId: JOSE_NFD, choices: ['a'] });
  assert.is(res.statusCode, 201, res.body);
  const { shard } = res.json().receipt;
  assert.is(shard, shardOf(pollId, JOSE_NFC, node.ctx.config.shards));
  await caughtUp(node);
  for (const spelling of [JOSE_NFC, JOSE_NFD]) {
    const found = await lookUpVoter(pollId, spelling);
    assert.is(found.statusCode, 200, found.body);
    assert.is(found.json().vote.shard, shard);
  }
});

same('a voteId retried in another spelling is the same vote: 200 with the receipt', async () => {
  const pollId = await createPoll(node);
  const voteId = 'vo\u0308te-1'; // "vöte-1", decomposed
  const first = await cast({ pollId, voterId: 'gina', voteId, choices: ['a'] });
  assert.is(first.statusCode, 201, first.body);
  assert.is(first.json().receipt.voteId, voteId.normalize('NFC'));
  const before = await logLength(node);
  const again = await cast({ pollId, voterId: 'gina', voteId: 'v\u00f6te-1', choices: ['a'] });
  assert.is(again.statusCode, 200, again.body);
  assert.equal(again.json().receipt, first.json().receipt);
  assert.is(await logLength(node), before);
  for (const spelling of [voteId, voteId.normalize('NFC')]) {
    const found = await lookUpVote(spelling);
    assert.is(found.statusCode, 200, found.body);
    assert.is(found.json().receipt.seq, first.json().receipt.seq);
  }
});

same('in one batch, the second spelling of a voter is ALREADY_VOTED', async () => {
  const pollId = await createPoll(node);
  const res = await batch([
    { pollId, voterId: JOSE_NFD, choices: ['a'] },
    { pollId, voterId: JOSE_NFC, choices: ['b'] },
  ]);
  const statuses = res.json().results.map((r: { status: number }) => r.status);
  assert.equal(statuses, [201, 409]);
});

same('tokens issued for two spellings are the same token, and it votes in either', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const res = await issue(pollId, [JOSE_NFC, JOSE_NFD]);
  assert.is(res.statusCode, 200, res.body);
  const [a, b] = res.json().tokens as { voterId: string; token: string }[];
  assert.is(a?.token, b?.token);
  assert.is(a?.voterId, JOSE_NFC);
  assert.is(b?.voterId, JOSE_NFC);
  const vote = await cast({ pollId, voterId: JOSE_NFD, choices: ['a'], token: a?.token });
  assert.is(vote.statusCode, 201, vote.body);
});

same('a token made for one unpaired surrogate is not another’s', async () => {
  // Before the policy, both ids hashed as U+FFFD (UTF-8 replaces unpaired surrogates), so the
  // first voter's token let anyone vote as the second.
  const pollId = await createPoll(node, { voterAuth: 'token' });
  refusedAs(await issue(pollId, ['x\ud800']), 'voters.0');
  refusedAs(
    await cast({ pollId, voterId: 'x\udbff', choices: ['a'], token: 'x'.repeat(43) }),
    'voterId',
  );
});

same('an id at the length limit is accepted in its longest spelling (NFD)', async () => {
  const pollId = await createPoll(node);
  const res = await cast({ pollId, voterId: HANGUL_NFD, voteId: HANGUL_NFD, choices: ['a'] });
  assert.is(res.statusCode, 201, res.body);
  assert.is(res.json().receipt.voteId, HANGUL_NFC);
  const again = await cast({ pollId, voterId: HANGUL_NFC, choices: ['b'] });
  assert.is(again.statusCode, 409, again.body);
  await caughtUp(node);
  const found = await lookUpVoter(pollId, HANGUL_NFD);
  assert.is(found.statusCode, 200, found.body);
  assert.is((await lookUpVote(HANGUL_NFD)).statusCode, 200);
});

same('a thousand voter ids at the limit, decomposed, get their tokens in one request', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const voters = Array.from({ length: 1000 }, (_, i) =>
    `${String(i).padStart(4, '0')}${'한'.repeat(124)}`.normalize('NFD'),
  );
  const res = await issue(pollId, voters);
  assert.is(res.statusCode, 200, res.body.slice(0, 300));
  const { tokens } = res.json() as { tokens: { voterId: string }[] };
  assert.is(tokens.length, 1000);
  assert.is(tokens[7]?.voterId, voters[7]?.normalize('NFC'));
});

same('what stays distinct: case, inner spaces, compatibility forms', async () => {
  const pollId = await createPoll(node);
  const ids = ['alice smith', 'Alice Smith', 'alice  smith', 'alice\u00a0smith', 'ﬁ', 'fi'];
  for (const voterId of ids) {
    const res = await cast({ pollId, voterId, choices: ['a'] });
    assert.is(res.statusCode, 201, `${JSON.stringify(voterId)}: ${res.body}`);
  }
});

same.run();

const old = suite('votes recorded before the policy: read, counted, never rewritten');

old.before(async () => {
  node = await startTestNode(await sharedCluster());
});
old.after(async () => {
  await node.close();
});

old('a vote under a decomposed or invisible-character id is folded and counted', async () => {
  const pollId = await createPoll(node);
  // What a node before the policy appended: the id exactly as the client sent it.
  for (const voterId of [JOSE_NFD, 'alice\u200b']) {
    const outcome = await node.ctx.appender.append({
      voteId: `old-${voterId}`,
      pollId,
      voterId,
      choices: ['a'],
      revote: 'reject',
      at: Date.now(),
    });
    assert.is(outcome.status, 'appended');
  }
  await caughtUp(node);
  const tally = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.is(tally.pending.a, 2, JSON.stringify(tally));
  // The recorded id keeps its spelling in the log; its NFC spelling is another voter there.
  const now = await cast({ pollId, voterId: JOSE_NFC, choices: ['b'] });
  assert.is(now.statusCode, 201, now.body);
});

old.run();
