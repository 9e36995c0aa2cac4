// Generators of malformed and hostile HTTP requests for the fuzz test. Every request a
// generator makes for a writing route is invalid by construction (or lacks the admin token),
// so the log must not grow however many of them a node answers.
import fc from 'fast-check';
import { DASHBOARD_PATHS } from '../../src/http/dashboard-routes.ts';
import {
  dateTimeLike,
  illFormedText,
  refusedId,
  respelledId,
  spellingOf,
  unrepresentableDateTime,
  unrepresentableNumberText,
  widthMix,
} from './fuzz-input-classes.ts';

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** The route's template, for the coverage check and the failure message. */
  route: string;
  /** The node must answer 4xx: the request is invalid, unauthorised or has no route. */
  mustRefuse: boolean;
}

/** What the generators need to know about the node under test. */
export interface Target {
  /** An open poll with options a, b, c and maxChoices 2. */
  pollId: string;
  adminToken: string;
  /** Voters who have voted in `pollId` (ids of MANY_SPELLINGS), each with voteId `vid-<id>`. */
  voted?: readonly string[];
  /** A ranked poll with ballots, whose results are read too. */
  rankedPollId?: string;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-'.split('');

/** A well-formed id that names nothing: the `nx-` prefix is never used by a real poll or vote. */
const missingId = fc
  .array(fc.constantFrom(...ID_CHARS), { minLength: 1, maxLength: 40 })
  .map((chars) => `nx-${chars.join('')}`);

/** Strings that break naive code: proto keys, lone surrogates, RTL marks, Redis key syntax. */
const edgeString = fc.constantFrom(
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\uffff',
  '\ufeff',
  '\u202e',
  '\u200b',
  'e\u0301',
  '𝕏',
  '👩‍👩‍👧',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '%C0%AF',
  '{s0}',
  'vs:{ctl}:lease',
  '*',
  '$',
  'null',
  'true',
  '1e400',
  '-0',
  'NaN',
  '<script>alert(1)</script>',
  "'; DROP TABLE votes; --",
  '\r\nX-Injected: 1',
  'a'.repeat(65),
  'a'.repeat(129),
  'x'.repeat(10_000),
);

/** Any string a client might send: edge cases, any code point, long runs. */
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: edgeString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 129, maxLength: 3000 }) },
);

/** A value that is neither a string nor a number. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A value of the wrong type for a string field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(fc.integer(), fc.double(), wrongType);

/** A choice no poll of the test has: 422 UNKNOWN_OPTION at the latest. */
const unknownChoice = fc.string({ minLength: 1, maxLength: 20 }).map((s) => `zz-${s}`.slice(0, 64));

/** A ballot the node must refuse. */
export function rejectedBallot(target: Target): fc.Arbitrary<unknown> {
  const anyBallot = fc.record(
    {
      pollId: fc.oneof(
        missingId,
        hostileString.filter((s) => s !== target.pollId),
      ),
      voterId: hostileString,
      choices: fc.oneof(fc.array(hostileString, { maxLength: 70 }), wrongValue),
      voteId: hostileString,
    },
    { requiredKeys: [] },
  );
  const real = { pollId: target.pollId, voterId: 'fuzz-voter', choices: ['a'] };
  // One change that makes a ballot for the real poll invalid, whatever the rest is.
  const broken = fc.oneof(
    fc.record({ field: fc.constantFrom('pollId', 'voterId', 'choices', 'voteId'), v: wrongValue }),
    fc.record({ field: fc.constant('choices'), v: fc.array(unknownChoice, { minLength: 1 }) }),
    fc.record({ field: fc.constant('choices'), v: fc.constant(['a', 'a']) }),
    fc.record({ field: fc.constant('choices'), v: fc.constant(['a', 'b', 'c']) }),
    fc.record({ field: fc.constant('choices'), v: fc.constant([]) }),
    fc.record({ field: fc.constantFrom('voterId', 'voteId'), v: fc.constantFrom('', 'a\nb') }),
    fc.record({ field: fc.constantFrom('voterId', 'voteId'), v: fc.constant('v'.repeat(129)) }),
    fc.record({ field: fc.constantFrom('extra', 'admin', 'seq'), v: fc.jsonValue() }),
  );
  const brokenReal = fc
    .tuple(broken, hostileString)
    .map(([{ field, v }, voterId]) => ({ ...real, voterId: voterId || 'v', [field]: v }));
  const withoutRequired = fc
    .constantFrom('pollId', 'voterId', 'choices')
    .map((field) => Object.fromEntries(Object.entries(real).filter(([k]) => k !== field)));
  return fc.oneof(anyBallot, brokenReal, withoutRequired, fc.jsonValue(), idClasses(target));
}

/**
 * Ballots for the real poll, valid but for an id: one the identity policy refuses (400), or
 * another spelling of a voter who voted (409 ALREADY_VOTED), or of their voteId with other
 * choices or under another voter (409 VOTE_ID_CONFLICT). Code that took a spelling as a new id,
 * or a voteId as unique per shard only, would append them.
 */
function idClasses(target: Target): fc.Arbitrary<unknown> {
  const real = { pollId: target.pollId, voterId: 'fuzz-voter', choices: ['a'] };
  const refused = [
    refusedId.map((voterId) => ({ ...real, voterId })),
    refusedId.map((voteId) => ({ ...real, voteId })),
  ];
  const voted = target.voted ?? [];
  if (voted.length === 0) return fc.oneof(...refused);
  const spelled = fc.constantFrom(...voted).chain(spellingOf);
  return fc.oneof(
    ...refused,
    spelled.map((voterId) => ({ ...real, voterId })),
    // The voter's own voteId (same shard), for another ballot.
    fc
      .constantFrom(...voted)
      .chain((id) => fc.tuple(spellingOf(id), spellingOf(id)))
      .map(([voterId, id]) => ({ ...real, voterId, voteId: `vid-${id}`, choices: ['b'] })),
    // A voter's voteId planted under another voter, whose vote lands in any shard: the voteId
    // is recorded once in the deployment (409 VOTE_ID_CONFLICT).
    fc
      .tuple(fc.constantFrom(...voted).chain(spellingOf), fc.nat({ max: 10_000 }))
      .map(([id, n]) => ({ ...real, voterId: `fuzz-planter-${n}`, voteId: `vid-${id}` })),
  );
}

/**
 * A vote for the real poll that is valid but for its voterId's bytes, which are not UTF-8: a
 * lenient decoder turns them into U+FFFD and would count the vote under that voter.
 */
function badBytesBallot(target: Target): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.string({ maxLength: 10 }), fc.uint8Array({ minLength: 1, maxLength: 6 }))
    .map(([prefix, bytes]) =>
      Buffer.concat([
        Buffer.from(`{"pollId":"${target.pollId}","voterId":"${prefix.replace(/[^\w-]/g, '')}`),
        // 0xff never occurs in UTF-8; bytes with the top bit set are mostly stray continuations.
        Buffer.from([0xff, ...bytes.map((b) => b | 0x80)]),
        Buffer.from('","choices":["a"]}'),
      ]),
    );
}

/** One time in ten, a value of `arb`; otherwise undefined (the route's usual bodies). */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** A poll body the node must refuse. */
function rejectedPoll(): fc.Arbitrary<unknown> {
  const valid = { title: 'fuzz', options: ['a', 'b'] };
  return fc.oneof(
    fc
      .record({ title: fc.oneof(wrongValue, fc.constant(''), fc.constant('t'.repeat(501))) })
      .map((p) => ({ ...valid, ...p })),
    fc
      .oneof(
        fc.array(fc.constantFrom('a'), { maxLength: 1 }),
        fc.array(fc.constant('o'), { minLength: 65, maxLength: 70 }),
        fc.array(
          hostileString.filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
          {
            minLength: 2,
            maxLength: 5,
          },
        ),
        fc.constant(['a', 'a']),
        wrongValue,
      )
      .map((options) => ({ ...valid, options })),
    fc
      .oneof(fc.constantFrom(0, -1, 3, 1.5, 65, '2'), wrongType)
      .map((maxChoices) => ({ ...valid, maxChoices })),
    fc
      .oneof(
        hostileString.filter((s) => s !== 'reject' && s !== 'replace'),
        wrongValue,
      )
      .map((revote) => ({ ...valid, revote })),
    fc
      .oneof(
        hostileString.filter((s) => !/^\d{4}-/.test(s)),
        fc.constant(-1),
        wrongType,
      )
      .map((closesAt) => ({ ...valid, closesAt })),
    fc.constant({ ...valid, opensAt: 2000, closesAt: 1000 }),
    // A window that ends where it opens is refused, so any instant may be tried in it; one the
    // code cannot represent must be refused by the schema, not turn into NaN or a 500.
    fc
      .oneof(dateTimeLike, fc.integer(), fc.double())
      .map((at) => ({ ...valid, opensAt: at, closesAt: at })),
    fc
      .tuple(fc.constantFrom('opensAt', 'closesAt'), unrepresentableDateTime)
      .map(([field, at]) => ({ ...valid, [field]: at })),
    fc.oneof(illFormedText, widthMix(501, 600)).map((title) => ({ ...valid, title })),
    fc
      .oneof(illFormedText, widthMix(201, 300))
      .map((label) => ({ ...valid, options: ['a', { id: 'b', label }] })),
    fc
      .record({ key: hostileString.filter((k) => !(k in valid)), v: fc.jsonValue() })
      .map(({ key, v }) => ({ ...valid, [key === '' ? 'x' : key]: v })),
    fc.constantFrom({ title: 'fuzz' }, { options: ['a', 'b'] }, {}),
    fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  );
}

/** A members body the node must refuse. */
function rejectedMembers(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant({ members: [] }),
    fc.constant({ members: ['n1', 'n1'] }),
    fc.array(fc.constant('n'), { minLength: 65, maxLength: 70 }).map((m) => ({
      members: m.map((x, i) => `${x}${i}`),
    })),
    fc
      .array(
        hostileString.filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
        { minLength: 1 },
      )
      .map((members) => ({ members })),
    wrongValue.map((members) => ({ members })),
    fc.constant({ members: ['n1'], extra: true }),
    fc.constant({}),
  );
}

/** A batch the node must refuse as a whole (4xx) or item by item (200, every item 4xx). */
function rejectedBatch(target: Target): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.array(rejectedBallot(target), { minLength: 1, maxLength: 30 }).map((votes) => ({ votes })),
    fc.constant({ votes: [] }),
    fc.constant({ votes: Array.from({ length: 1001 }, () => 1) }),
    wrongValue.map((votes) => ({ votes })),
    fc.constant({ votes: [{ pollId: target.pollId }], extra: 1 }),
    fc.constant({}),
  );
}

/** Raw bodies: deep nesting, truncation, invalid UTF-8, proto keys, duplicates, huge values. */
function rawBody(json: fc.Arbitrary<unknown>): fc.Arbitrary<string | Buffer> {
  const text = json.map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    { weight: 6, arbitrary: text },
    {
      weight: 1,
      arbitrary: fc
        .tuple(text, fc.nat())
        .filter(([t]) => t.length > 1)
        .map(([t, n]) => t.slice(0, n % t.length)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'))
        .map(([depth, open]) => {
          const close = open === '[' ? ']' : '}';
          return `{"votes":${open.repeat(depth)}1${close.repeat(depth)},"members":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(text, fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat())
        .map(([t, bytes, at]) => {
          // Bytes that are never valid UTF-8 on their own: a lone continuation or 0xff.
          const bad = Buffer.from([0xff, ...bytes.map((b) => b | 0x80), 0xc0]);
          const cut = Buffer.from(t, 'utf8');
          const i = at % (cut.length + 1);
          return Buffer.concat([cut.subarray(0, i), bad, cut.subarray(i)]);
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"admin":true}}',
        '{"votes":[{"__proto__":{"polluted":1}}]}',
        '{"constructor":{"prototype":{"admin":true}}}',
        '{"title":"t","options":["a","b"],"__proto__":{}}',
        '{"members":["n1"],"constructor":{"prototype":{"x":1}}}',
        '{"pollId":"x","pollId":"y","voterId":"v","choices":["a"]}',
        '',
        ' ',
        'null',
        '[]',
        '"string"',
        '0',
        '1e400',
        'NaN',
        '{"a":1}{"b":2}',
        '\ufeff{}',
        '{"a":"\\ud800"}',
        '{"a":"\\u0000"}',
        `{"voterId":"${'x'.repeat(63 * 1024)}"}`,
        `{"votes":["${'x'.repeat(65 * 1024)}"]}`,
      ),
    },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/JSON',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  '',
  ';;;',
  'application/json, text/plain',
];

/** Headers: usually JSON, sometimes any content type or none at all. */
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string | undefined>('application/json') },
  { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...CONTENT_TYPES, undefined) },
);

type Auth = { header: string | undefined; valid: boolean };

/** An Authorization header: none, the admin token, or something that is not it. */
function authorization(adminToken: string): fc.Arbitrary<Auth> {
  const invalid = fc
    .oneof(
      fc.constant(undefined),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        `Bearer ${adminToken}x`,
        `Bearer ${adminToken.slice(1)}`,
        adminToken,
        `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`,
        `Bearer ${adminToken} ${adminToken}`,
        `Bearer ${'x'.repeat(10_000)}`,
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => `Bearer ${printableAscii(s)}`),
    )
    .map((header) => ({ header, valid: false }));
  const valid = fc.constantFrom('Bearer', 'bearer', 'BEARER').map((scheme) => ({
    header: `${scheme} ${adminToken}`,
    valid: true,
  }));
  return fc.oneof(invalid, valid);
}

/** Header values must be printable ASCII, or the HTTP client refuses to send them. */
function printableAscii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** A path segment: encoded bytes, or raw text that may be a bad percent-encoding. */
const segment = (good: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 2, arbitrary: good.map(encodeSegment) },
    { weight: 2, arbitrary: hostileString.map(encodeSegment) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%C0%AF', '%FF%FE', '%00', '..', '.', '%2e%2e', '%2F'),
    },
  );

/** Percent-encodes every byte outside the unreserved set; never throws on lone surrogates. */
export function encodeSegment(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A hostile query string: proto keys, repeated keys, bad encodings, long values. */
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(hostileString, hostileString), { minLength: 1, maxLength: 5 })
      .map(
        (pairs) => `?${pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?__proto__[admin]=1',
      '?constructor[prototype][admin]=1',
      '?a=1&a=2&a=3',
      '?%zz=%',
      '?&&&==',
      `?x=${'y'.repeat(20_000)}`,
      '?pollId[]=1',
    ),
  },
);

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The dashboard's static files: the page, its ES modules, its CSS and icon. */
const DASHBOARD_FILES = DASHBOARD_PATHS;

/** One route of the API and how to make hostile requests for it. */
export interface RouteFuzz {
  method: string;
  route: string;
  writes: boolean;
  requests: fc.Arbitrary<FuzzRequest>;
}

/** Every route of the API with its generator. The test checks this list against the app. */
export function routeFuzzers(target: Target): RouteFuzz[] {
  const id = fc.oneof(
    missingId,
    fc.constant(target.pollId),
    fc.constant(target.rankedPollId ?? target.pollId),
  );
  const absentPoll = segment(missingId);
  const anyPoll = segment(id);
  const auth = authorization(target.adminToken);

  const get = (route: string, path: fc.Arbitrary<string>, extra = fc.constant({})) => ({
    method: 'GET',
    route,
    writes: false,
    requests: fc
      .tuple(path, query, fc.constantFrom('GET', 'HEAD'), auth, extra)
      .map(([p, q, method, a, headers]) => ({
        method,
        url: `${p}${q}`,
        headers: { ...headers, ...(a.header ? { authorization: a.header } : {}) },
        route,
        mustRefuse: false,
      })),
  });

  /** A POST whose body is refused; with the admin token only invalid bodies are sent. */
  const post = (
    route: string,
    path: fc.Arbitrary<string>,
    body: fc.Arbitrary<unknown>,
    {
      admin = false,
      anyBodyWithoutToken = fc.jsonValue() as fc.Arbitrary<unknown>,
      raw = fc.constant<Buffer | undefined>(undefined),
    } = {},
  ): RouteFuzz => ({
    method: 'POST',
    route,
    writes: true,
    requests: fc.tuple(path, query, auth, contentType, raw).chain(([p, q, a, type, bytes]) =>
      (bytes
        ? fc.constant(bytes)
        : rawBody(admin && !a.valid ? fc.oneof(body, anyBodyWithoutToken) : body)
      ).map((payload) => ({
        method: 'POST',
        url: `${p}${q}`,
        headers: {
          ...(type === undefined ? {} : { 'content-type': type }),
          ...(a.header ? { authorization: a.header } : {}),
        },
        payload,
        route,
        mustRefuse: true,
      })),
    ),
  });

  const validPoll = fc.constant({ title: 'fuzz', options: ['a', 'b'] });
  // With any token, only polls that do not exist: closing the real one would write.
  const closePath = fc.oneof(absentPoll, segment(hostileString)).map((p) => `/polls/${p}/close`);
  const close = post('/polls/:pollId/close', closePath, fc.jsonValue());
  return [
    // The dashboard: static files, whatever the query or headers.
    ...DASHBOARD_FILES.map((file) => get(file, fc.constant(file))),
    get('/health', fc.constant('/health')),
    get('/metrics', fc.constant('/metrics')),
    get('/cluster', fc.constant('/cluster')),
    get('/cluster/digests', fc.constant('/cluster/digests')),
    get('/openapi.json', fc.constant('/openapi.json')),
    get('/reference', fc.constant('/reference')),
    get('/polls', fc.constant('/polls')),
    get(
      '/polls/:pollId',
      anyPoll.map((p) => `/polls/${p}`),
    ),
    get(
      '/polls/:pollId/tally',
      anyPoll.map((p) => `/polls/${p}/tally`),
    ),
    get(
      '/polls/:pollId/results',
      fc
        .tuple(anyPoll, fc.constantFrom('', '?include=pending', '?include=', '?include=all'))
        .map(([p, q]) => `/polls/${p}/results${q}`),
    ),
    get(
      '/polls/:pollId/voters/:voterId',
      fc
        .tuple(
          anyPoll,
          segment(
            fc.oneof(
              hostileString,
              refusedId,
              respelledId.map((r) => r.spelling),
            ),
          ),
        )
        .map(([p, v]) => `/polls/${p}/voters/${v}`),
    ),
    // An existing poll's event stream never ends, so only polls that do not exist are asked.
    get(
      '/polls/:pollId/events',
      absentPoll.map((p) => `/polls/${p}/events`),
      fc
        .oneof(fc.constant('0'), fc.string({ unit: 'binary-ascii', maxLength: 200 }))
        .map((id) => ({ 'last-event-id': printableAscii(id), accept: 'text/event-stream' })),
    ),
    get(
      '/votes/:voteId',
      segment(
        fc.oneof(
          missingId,
          hostileString,
          refusedId,
          respelledId.map((r) => `vid-${r.spelling}`),
        ),
      ).map((v) => `/votes/${v}`),
    ),
    post('/votes', fc.constant('/votes'), rejectedBallot(target), {
      raw: sometimes(badBytesBallot(target)),
    }),
    post('/votes/batch', fc.constant('/votes/batch'), rejectedBatch(target), {
      raw: sometimes(
        fc
          .array(badBytesBallot(target), { minLength: 1, maxLength: 5 })
          .map((ballots) =>
            Buffer.concat([
              Buffer.from('{"votes":['),
              ...ballots.flatMap((b, i) => (i ? [Buffer.from(','), b] : [b])),
              Buffer.from(']}'),
            ]),
          ),
      ),
    }),
    post('/polls', fc.constant('/polls'), rejectedPoll(), {
      admin: true,
      anyBodyWithoutToken: validPoll,
      // Numbers written out, as JSON.parse meets them: past 2^53, past a Date, Infinity.
      raw: sometimes(
        fc
          .tuple(fc.constantFrom('opensAt', 'closesAt', 'maxChoices'), unrepresentableNumberText)
          .map(([field, n]) => Buffer.from(`{"title":"fuzz","options":["a","b"],"${field}":${n}}`)),
      ),
    }),
    { ...close, requests: fc.oneof(close.requests, closeWithoutToken(target)) },
    // Issuing tokens writes nothing; the fuzzed poll is open (409) or absent (404), so even a
    // well-formed body with the admin token is refused.
    post(
      '/polls/:pollId/tokens',
      anyPoll.map((p) => `/polls/${p}/tokens`),
      fc.oneof(
        fc.jsonValue(),
        fc.record({ voters: fc.array(fc.oneof(hostileString, refusedId), { maxLength: 5 }) }),
      ),
      { admin: true },
    ),
    // The fuzzed poll has no roll (409 NO_ROLL) or is absent (404): a roll request writes nothing.
    post(
      '/polls/:pollId/roll',
      anyPoll.map((p) => `/polls/${p}/roll`),
      fc.oneof(
        fc.jsonValue(),
        fc.record({
          voters: fc.array(
            fc.record({
              voterId: fc.oneof(hostileString, refusedId),
              weight: fc.oneof(fc.integer(), fc.double(), hostileString),
            }),
            { maxLength: 5 },
          ),
        }),
      ),
      { admin: true },
    ),
    // Asking who voted writes nothing, but a well-formed question about an existing poll is
    // answered (200): with the admin token only bodies the schema refuses are sent (no voters,
    // or one the identity policy refuses among them); any body goes without it.
    post(
      '/polls/:pollId/participation',
      anyPoll.map((p) => `/polls/${p}/participation`),
      fc.oneof(
        fc.constant({ voters: [] }),
        fc
          .tuple(fc.array(hostileString, { maxLength: 4 }), refusedId)
          .map(([voters, refused]) => ({ voters: [...voters, refused] })),
        fc.record({ voters: fc.array(hostileString, { maxLength: 5 }), extra: fc.jsonValue() }),
      ),
      {
        admin: true,
        anyBodyWithoutToken: fc.oneof(
          fc.jsonValue(),
          fc.record({ voters: fc.array(fc.oneof(hostileString, refusedId), { maxLength: 5 }) }),
        ),
      },
    ),
    post('/cluster/members', fc.constant('/cluster/members'), rejectedMembers(), {
      admin: true,
      anyBodyWithoutToken: fc.constant({ members: ['n1', 'n2'] }),
    }),
  ];
}

/** Closing the real poll, without a valid token. */
function closeWithoutToken(target: Target): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      fc.oneof(fc.constant(undefined), fc.constantFrom('Bearer nope', 'Basic x', target.pollId)),
      contentType,
      rawBody(fc.jsonValue()),
    )
    .map(([header, type, payload]) => ({
      method: 'POST',
      url: `/polls/${target.pollId}/close`,
      headers: {
        ...(type === undefined ? {} : { 'content-type': type }),
        ...(header ? { authorization: header } : {}),
      },
      payload,
      route: '/polls/:pollId/close',
      mustRefuse: true,
    }));
}

/** Requests with a method no route has, on every path. */
export function wrongMethods(target: Target): fc.Arbitrary<FuzzRequest> {
  const paths = [
    '/health',
    '/metrics',
    '/cluster',
    '/cluster/digests',
    '/cluster/members',
    '/openapi.json',
    '/reference',
    '/polls',
    `/polls/${target.pollId}`,
    `/polls/${target.pollId}/tally`,
    `/polls/${target.pollId}/close`,
    '/votes',
    '/votes/batch',
    '/votes/nx-1',
    `/polls/${target.pollId}/tokens`,
    `/polls/${target.pollId}/participation`,
    '/',
    '/dashboard.js',
    '/count-view.js',
    '/nowhere',
    '//',
    '/polls/',
    '/votes/',
  ];
  return fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom(...METHODS), rawBody(fc.jsonValue()))
    .filter(([path, method]) => !isRoute(method, path, target))
    .map(([path, method, payload]) => ({
      method,
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: method === 'GET' || method === 'HEAD' ? undefined : payload,
      route: '(no route)',
      mustRefuse: true,
    }));
}

function isRoute(method: string, path: string, target: Target): boolean {
  const get = [
    '/health',
    '/metrics',
    '/cluster',
    '/cluster/digests',
    '/openapi.json',
    '/reference',
    '/polls',
    `/polls/${target.pollId}`,
    `/polls/${target.pollId}/tally`,
    '/votes/nx-1',
    ...DASHBOARD_FILES,
  ];
  const post = [
    `/polls/${target.pollId}/tokens`,
    `/polls/${target.pollId}/participation`,
    '/polls',
    '/votes',
    '/votes/batch',
    '/cluster/members',
    `/polls/${target.pollId}/close`,
  ];
  if (method === 'GET' || method === 'HEAD') return get.includes(path);
  return method === 'POST' && post.includes(path);
}
