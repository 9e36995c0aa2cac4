// Fuzzing every route with generated hostile requests (fast-check): never a 5xx, never a
// crash, nothing written for a refused request, and the node still takes a valid vote after.
import { connect } from 'node:net';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { controlKeys } from '../../src/log/keys.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, caughtUp, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { MANY_SPELLINGS, respelledId } from './fuzz-input-classes.ts';
import {
  encodeSegment,
  type FuzzRequest,
  type RouteFuzz,
  routeFuzzers,
  type Target,
  wrongMethods,
} from './fuzz-requests.ts';

/** Requests per route; 15 routes and the wrong-method set make over 10,000 in all. */
const RUNS = 700;

const fuzz = suite('fuzzing: hostile requests get a 4xx, never a 5xx, and write nothing');
let node: RunningNode;
let target: Target;
let before = 0;
let sent = 0;
let fuzzMs = 0;

/** Everything a refused request could have written: polls, shard logs, membership changes. */
async function written(n: RunningNode): Promise<number> {
  const { client, prefix } = n.ctx.target;
  return (await logLength(n)) + (await client.xlen(controlKeys(prefix).election));
}

/** Per voter of MANY_SPELLINGS: the seq of their vote in the target poll. */
const votedSeq = new Map<string, number>();
let tokenPoll = '';

fuzz.before(async () => {
  node = await startTestNode(
    await sharedCluster(),
    { VS_VOTER_SECRET: 'fuzz-voter-secret-0123456789abcdef' },
    { listen: true },
  );
  const pollId = await createPoll(node, { maxChoices: 2 });
  // Voters whose names have other Unicode spellings: a spelling must never vote again.
  for (const voterId of MANY_SPELLINGS) {
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId, voteId: `vid-${voterId}`, choices: ['a'] },
    });
    assert.is(res.statusCode, 201, res.body);
    votedSeq.set(voterId, res.json().receipt.seq);
  }
  tokenPoll = await createPoll(node, { voterAuth: 'token' });
  const rankedPollId = await createPoll(node, {
    method: 'stv',
    seats: 2,
    options: ['a', 'b', 'c', 'd'],
  });
  for (const [i, ranking] of [['a', 'b'], ['c'], ['b', 'd', 'a']].entries()) {
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId: rankedPollId, voterId: `ranked-${i}`, choices: ranking },
    });
    assert.is(res.statusCode, 201, res.body);
  }
  await caughtUp(node);
  target = { pollId, adminToken: ADMIN_TOKEN, voted: MANY_SPELLINGS, rankedPollId };
  before = await written(node);
});
fuzz.after(async () => {
  await node.close();
});

fuzz('the fuzz table names every route the app has', () => {
  const table = routeFuzzers(target).map((r) => `${r.method} ${r.route}`);
  assert.equal(new Set(table).size, table.length, 'a route is listed twice');
  assert.equal([...table].sort(), appRoutes(node).sort());
});

/** One inject; throws (with the request shown) when the answer breaks a rule. */
async function send(req: FuzzRequest): Promise<void> {
  sent++;
  const res = await node.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers,
    ...(req.payload === undefined ? {} : { payload: req.payload }),
  });
  const status = res.statusCode;
  const where = `${req.method} ${req.url.slice(0, 200)} → ${status} ${res.body.slice(0, 300)}`;
  if (status >= 500) throw new Error(`5xx: ${where}`);
  if (status >= 400 && req.method !== 'HEAD') {
    const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string')
      throw new Error(`not our error shape: ${where}`);
  }
  if (req.route === '/votes/batch' && status === 200) {
    // A batch answers 200 with one result per vote: every one of them must be a refusal.
    const { results } = res.json() as { results: { status: number }[] };
    const accepted = results.find((r) => r.status < 400 || r.status >= 500);
    if (accepted) throw new Error(`a batch item was not refused with a 4xx: ${where}`);
  } else if (req.mustRefuse && (status < 400 || status >= 500)) {
    throw new Error(`a request that must be refused got ${status}: ${where}`);
  }
}

/** Checks RUNS generated inputs; hostile requests are checked by `send`. */
async function run<T>(inputs: fc.Arbitrary<T>, check: (input: T) => Promise<void>): Promise<void> {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      await check(input);
    }),
    { numRuns: RUNS, includeErrorInReport: true },
  );
  fuzzMs += Date.now() - started;
}

const get = (url: string) => {
  sent++;
  return node.app.inject({ url });
};

for (const r of routeFuzzers({ pollId: 'placeholder', adminToken: ADMIN_TOKEN })) {
  fuzz(`${r.method} ${r.route}: ${RUNS} hostile requests, none a 5xx`, async () => {
    await run(fuzzerOf(r), send);
  });
}

fuzz(`${RUNS} requests with a method no route has: 404, never a 5xx`, async () => {
  await run(wrongMethods(target), send);
});

/** The route's generator for the node under test (the table above was made for its names). */
function fuzzerOf(r: RouteFuzz): fc.Arbitrary<FuzzRequest> {
  const live = routeFuzzers(target).find((x) => x.method === r.method && x.route === r.route);
  if (!live) throw new Error(`no fuzzer for ${r.method} ${r.route}`);
  return live.requests;
}

fuzz(
  `${RUNS} other spellings of voters who voted: their vote, their receipt, a retry`,
  async () => {
    await run(respelledId, async ({ id, spelling }) => {
      if (spelling.normalize('NFC') !== id) throw new Error(`not a spelling of ${id}: ${spelling}`);
      const voter = await get(`/polls/${target.pollId}/voters/${encodeSegment(spelling)}`);
      if (voter.statusCode !== 200 || voter.json().vote.seq !== votedSeq.get(id))
        throw new Error(`voter ${JSON.stringify(spelling)}: ${voter.statusCode} ${voter.body}`);
      const vote = await get(`/votes/${encodeSegment(`vid-${spelling}`)}`);
      if (vote.statusCode !== 200 || vote.json().receipt.seq !== votedSeq.get(id))
        throw new Error(`vote vid-${JSON.stringify(spelling)}: ${vote.statusCode} ${vote.body}`);
    });
  },
);

fuzz(`${RUNS} voter ids: the tokens of a voter's spellings are one token`, async () => {
  const ids = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    respelledId.map((r) => r.spelling),
  );
  await run(ids, async (voterId) => {
    const spellings = [voterId, voterId.normalize('NFD'), voterId.normalize('NFC')];
    const res = await node.app.inject({
      method: 'POST',
      url: `/polls/${tokenPoll}/tokens`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { voters: spellings },
    });
    if (res.statusCode >= 500) throw new Error(`5xx: ${res.body}`);
    if (res.statusCode === 400) return; // the policy refuses every spelling alike
    const tokens = (res.json().tokens as { voterId: string; token: string }[]).map((t) => t.token);
    if (res.statusCode !== 200 || new Set(tokens).size !== 1)
      throw new Error(`${JSON.stringify(spellings)}: ${res.statusCode} ${res.body}`);
  });
});

fuzz('over 10,000 requests wrote nothing, and a valid vote is still taken', async () => {
  console.log(`  fuzz: ${sent} requests in ${(fuzzMs / 1000).toFixed(1)} s`);
  assert.ok(sent >= 10_000, `only ${sent} requests were sent`);
  assert.is(await written(node), before, 'a refused request wrote to the log');
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId: target.pollId, voterId: 'after-fuzz', choices: ['b'] },
  });
  assert.is(res.statusCode, 201, res.body);
  const { voteId } = res.json().receipt;
  const found = await node.app.inject({ url: `/votes/${voteId}` });
  assert.is(found.statusCode, 200, found.body);
  assert.is(await written(node), before + 1);
});

/** GET/HEAD collapse into GET; the HEAD twins fastify adds are not routes of their own. */
function appRoutes(n: RunningNode): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of n.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = line.match(/^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of match[3]!.split(', ')) {
      if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
    }
  }
  return routes;
}

fuzz.run();

const raw = suite(
  'raw malformed HTTP over a socket: the server answers 4xx or hangs up, and lives',
);
let listening: RunningNode;
let host = '';
let port = 0;
let rawBefore = 0;

raw.before(async () => {
  listening = await startTestNode(await sharedCluster(), {}, { listen: true });
  const url = new URL(listening.url);
  host = url.hostname;
  port = Number(url.port);
  rawBefore = await written(listening);
});
raw.after(async () => {
  await listening.close();
});

/** Writes `bytes`, optionally half-closes, and returns whatever the server sent back. */
function exchange(bytes: Buffer | string, { end = true, waitMs = 1500 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(reply);
    }, waitMs);
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that hangs up on garbage may reset the connection: that is an answer too.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.write(bytes, () => {
      if (end) socket.end();
    });
  });
}

async function stillServes(): Promise<void> {
  const res = await fetch(`${listening.url}/health`);
  assert.is(res.status, 200);
  assert.is(await written(listening), rawBefore, 'a malformed request wrote to the log');
}

const post = (headers: string, body: Buffer | string) =>
  Buffer.concat([
    Buffer.from(`POST /votes HTTP/1.1\r\nHost: ${host}\r\n${headers}\r\n`, 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  ]);

raw('a truncated body (Content-Length larger than what is sent) is dropped', async () => {
  const reply = await exchange(
    post('Content-Type: application/json\r\nContent-Length: 5000\r\n', '{"pollId":"p'),
  );
  assert.not.match(reply, /^HTTP\/1\.1 5/);
  await stillServes();
});

raw('a client that vanishes mid-body does not hurt the server', async () => {
  const reply = await exchange(
    post('Content-Type: application/json\r\nContent-Length: 5000\r\n', '{"pollId":"p'),
    { end: false, waitMs: 200 },
  );
  assert.not.match(reply, /^HTTP\/1\.1 5/);
  await stillServes();
});

raw('invalid UTF-8 bytes in a JSON body are 400 INVALID_JSON', async () => {
  const body = Buffer.concat([
    Buffer.from(`{"pollId":"${'p'}","voterId":"`),
    Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
    Buffer.from('","choices":["a"]}'),
  ]);
  const reply = await exchange(
    post(
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`,
      body,
    ),
  );
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.match(reply, /"code":"INVALID_JSON"/);
  await stillServes();
});

const garbage: [string, string | Buffer, RegExp][] = [
  ['a garbage request line', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400/],
  ['a bad Content-Length', post('Content-Length: abc\r\n', '{}'), /^HTTP\/1\.1 400/],
  [
    'both Content-Length and Transfer-Encoding',
    post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '{}'),
    /^HTTP\/1\.1 400/,
  ],
  [
    'a bad chunk size',
    post(
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
      'zz\r\n{}\r\n0\r\n\r\n',
    ),
    /^HTTP\/1\.1 400/,
  ],
  [
    'a 32 KiB header',
    `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`,
    /^HTTP\/1\.1 431/,
  ],
  [
    'binary noise',
    Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)),
    /^HTTP\/1\.1 400|^$/,
  ],
];

for (const [name, bytes, expected] of garbage) {
  raw(
    `${name}: ${expected.source.split('|')[0]!.replace(/\\|\^/g, '')}, and the server lives`,
    async () => {
      const reply = await exchange(bytes);
      assert.match(reply, expected, JSON.stringify(reply.slice(0, 200)));
      await stillServes();
    },
  );
}

raw.run();
