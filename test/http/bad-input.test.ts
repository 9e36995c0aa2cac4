import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const bad = suite('bad input: a 4xx with a stable code, and nothing written');
let node: RunningNode;
let pollId = '';
let closedPoll = '';
let futurePoll = '';

bad.before(async () => {
  node = await startTestNode(await sharedCluster());
  pollId = await createPoll(node, { maxChoices: 2 });
  closedPoll = await createPoll(node);
  const closed = await node.app.inject({
    method: 'POST',
    url: `/polls/${closedPoll}/close`,
    headers: ADMIN,
  });
  assert.is(closed.statusCode, 200);
  futurePoll = await createPoll(node, { opensAt: new Date(Date.now() + 3_600_000).toISOString() });
});
bad.after(async () => {
  await node.close();
});

interface Case {
  name: string;
  url?: string;
  headers?: Record<string, string>;
  body: () => string;
  status: number;
  code: string;
  field?: string;
  /** What the message must say, where a client needs the reason. */
  message?: RegExp;
}

const json = { 'content-type': 'application/json' };
const vote = (extra: Record<string, unknown>) => () =>
  JSON.stringify({ pollId, voterId: 'v-1', choices: ['a'], ...extra });

const cases: Case[] = [
  {
    name: 'invalid JSON',
    body: () => '{"pollId": ',
    status: 400,
    code: 'INVALID_JSON',
    message: /not valid JSON/,
  },
  { name: 'an empty body', body: () => '', status: 400, code: 'INVALID_JSON' },
  {
    name: 'a wrong content type',
    headers: { 'content-type': 'text/plain' },
    body: vote({}),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'form encoding',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: () => 'pollId=x',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body over 64 KiB',
    body: vote({ voterId: 'x'.repeat(70 * 1024) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a batch over 1 MiB',
    url: '/votes/batch',
    body: () =>
      JSON.stringify({ votes: [{ pollId, voterId: 'x'.repeat(1100 * 1024), choices: ['a'] }] }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a missing field',
    body: () => JSON.stringify({ pollId, choices: ['a'] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voterId',
  },
  {
    name: 'an extra field',
    body: vote({ admin: true }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'admin',
  },
  {
    name: 'a mistyped field',
    body: vote({ choices: 'a' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'choices',
  },
  {
    name: 'a number where a string belongs',
    body: vote({ voterId: 42 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voterId',
  },
  {
    name: 'an empty choices array',
    body: vote({ choices: [] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'choices',
  },
  {
    name: 'an empty voterId',
    body: vote({ voterId: '' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voterId',
  },
  {
    name: 'a voterId over 128 characters',
    body: vote({ voterId: 'v'.repeat(129) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voterId',
  },
  {
    name: 'a voterId with a control character',
    body: vote({ voterId: 'bad\u0007id' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voterId',
  },
  {
    name: 'an empty voteId',
    body: vote({ voteId: '' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voteId',
  },
  {
    name: 'a voteId over 128 characters',
    body: vote({ voteId: 'x'.repeat(129) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voteId',
  },
  {
    name: 'a voteId with a newline',
    body: vote({ voteId: 'a\nb' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'voteId',
  },
  {
    name: 'a prototype-pollution key',
    body: () => `{"pollId":"${pollId}","voterId":"v","choices":["a"],"__proto__":{"admin":true}}`,
    status: 400,
    code: 'INVALID_JSON',
    message: /"__proto__" or "constructor.prototype" key/,
  },
  {
    name: 'a constructor.prototype key',
    body: () =>
      `{"pollId":"${pollId}","voterId":"v","choices":["a"],"constructor":{"prototype":{"x":1}}}`,
    status: 400,
    code: 'INVALID_JSON',
    message: /"__proto__" or "constructor.prototype" key/,
  },
  {
    name: 'an unknown poll',
    body: vote({ pollId: 'no-such-poll' }),
    status: 404,
    code: 'POLL_NOT_FOUND',
  },
  {
    name: 'an unknown option',
    body: vote({ choices: ['zzz'] }),
    status: 422,
    code: 'UNKNOWN_OPTION',
  },
  {
    name: 'a duplicate option',
    body: vote({ choices: ['a', 'a'] }),
    status: 422,
    code: 'DUPLICATE_CHOICE',
  },
  {
    name: 'too many choices',
    body: vote({ choices: ['a', 'b', 'c'] }),
    status: 422,
    code: 'TOO_MANY_CHOICES',
  },
  {
    name: 'a closed poll',
    body: () => vote({ pollId: closedPoll })(),
    status: 409,
    code: 'POLL_CLOSED',
  },
  {
    name: 'a poll not open yet',
    body: () => vote({ pollId: futurePoll })(),
    status: 409,
    code: 'POLL_NOT_OPEN',
  },
];

for (const c of cases) {
  bad(`${c.name} → ${c.status} ${c.code}`, async () => {
    const before = await logLength(node);
    const res = await node.app.inject({
      method: 'POST',
      url: c.url ?? '/votes',
      headers: c.headers ?? json,
      payload: c.body(),
    });
    assert.is(res.statusCode, c.status, res.body);
    const { error } = res.json();
    assert.is(error.code, c.code);
    assert.type(error.message, 'string');
    if (c.field) assert.is(error.field, c.field);
    if (c.message) assert.match(error.message, c.message);
    assert.is(await logLength(node), before, 'the log grew');
  });
}

const polls: [string, Record<string, string>, unknown, number, string][] = [
  ['no admin token', json, { title: 't', options: ['a', 'b'] }, 401, 'UNAUTHORIZED'],
  [
    'a wrong admin token',
    { ...json, authorization: 'Bearer nope' },
    { title: 't', options: ['a', 'b'] },
    403,
    'FORBIDDEN',
  ],
  ['one option', { ...json, ...ADMIN }, { title: 't', options: ['a'] }, 400, 'VALIDATION_FAILED'],
  [
    '65 options',
    { ...json, ...ADMIN },
    { title: 't', options: Array.from({ length: 65 }, (_, i) => `o${i}`) },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a bad option id',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b c'] },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'duplicate options',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'a'] },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'maxChoices 0',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b'], maxChoices: 0 },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'maxChoices over the options',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b'], maxChoices: 3 },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'an unknown revote rule',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b'], revote: 'maybe' },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'closesAt before opensAt',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b'], opensAt: 2000, closesAt: 1000 },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a bad date',
    { ...json, ...ADMIN },
    { title: 't', options: ['a', 'b'], closesAt: 'tomorrow' },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'an empty title',
    { ...json, ...ADMIN },
    { title: '', options: ['a', 'b'] },
    400,
    'VALIDATION_FAILED',
  ],
];

for (const [name, headers, body, status, code] of polls) {
  bad(`a poll with ${name} → ${status} ${code}`, async () => {
    const before = await logLength(node);
    const res = await node.app.inject({
      method: 'POST',
      url: '/polls',
      headers,
      payload: JSON.stringify(body),
    });
    assert.is(res.statusCode, status, res.body);
    assert.is(res.json().error.code, code);
    assert.is(await logLength(node), before);
  });
}

bad('closing an unknown poll is 404 and writes nothing', async () => {
  const before = await logLength(node);
  const res = await node.app.inject({ method: 'POST', url: '/polls/nope/close', headers: ADMIN });
  assert.is(res.statusCode, 404);
  assert.is(res.json().error.code, 'POLL_NOT_FOUND');
  assert.is(await logLength(node), before);
});

bad('an unknown route is 404 NOT_FOUND in the error format', async () => {
  const res = await node.app.inject({ url: '/nowhere' });
  assert.is(res.statusCode, 404);
  assert.is(res.json().error.code, 'NOT_FOUND');
});

bad('a bad path parameter is 400', async () => {
  const res = await node.app.inject({ url: `/polls/${'x'.repeat(65)}` });
  assert.is(res.statusCode, 400);
  assert.is(res.json().error.code, 'VALIDATION_FAILED');
});

// Found by the fuzzer (test/http/fuzz.test.ts): fastify decoded invalid UTF-8 leniently, so a
// vote whose voterId held stray bytes was counted under a voterId full of U+FFFD.
bad('invalid UTF-8 in a vote is 400 INVALID_JSON and writes nothing', async () => {
  const before = await logLength(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes',
    headers: json,
    payload: Buffer.concat([
      Buffer.from(`{"pollId":"${pollId}","voterId":"v-`),
      Buffer.from([0xff, 0xc0, 0xaf]),
      Buffer.from('","choices":["a"]}'),
    ]),
  });
  assert.is(res.statusCode, 400, res.body);
  assert.is(res.json().error.code, 'INVALID_JSON');
  assert.is(await logLength(node), before);
});

// Found by the fuzzer: the router answered these itself, in its own error shape.
bad('a bad percent-encoding in the path is 400 BAD_REQUEST in the error format', async () => {
  const res = await node.app.inject({ url: '/polls/%' });
  assert.is(res.statusCode, 400);
  assert.is(res.json().error.code, 'BAD_REQUEST');
});

bad('an overlong path parameter is 414 URI_TOO_LONG in the error format', async () => {
  const res = await node.app.inject({ url: `/votes/${'x'.repeat(7000)}` });
  assert.is(res.statusCode, 414);
  assert.is(res.json().error.code, 'URI_TOO_LONG');
});

// Found by the fuzzer: the router's 100-character limit on path parameters made a vote whose
// (valid, ≤ 128 characters) voteId is long once percent-encoded impossible to look up.
bad('a vote with a 128-character non-ASCII voteId can be looked up', async () => {
  const voteId = '投'.repeat(128);
  const cast = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'long-vote-id', choices: ['a'], voteId },
  });
  assert.is(cast.statusCode, 201, cast.body);
  const res = await node.app.inject({ url: `/votes/${encodeURIComponent(voteId)}` });
  assert.is(res.statusCode, 200, res.body);
  assert.is(res.json().receipt.voteId, voteId);
});

bad.run();
