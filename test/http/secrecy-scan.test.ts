// Issue 17's acceptance for secret ballots: a secret poll with a roll of 1,000 voters (secret by
// default, as every poll with a roll), 800 of whom vote
// through 3 node processes (single votes and batches, some under a second spelling of their
// id): no voter id is found in any Redis key or value, any node's log file (at trace level),
// any snapshot file or the poll's `replay --poll` export; the export verifies and recounts to
// the live results; each voter finds their ballot on it by their receipt; the participation
// query names exactly the 800. A plain poll's voters, written beside it, are found by the same
// search everywhere they are expected: the search is shown to work, not assumed to.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recount as verifierRecount, verifyBoard } from '../docs/board-verifier.ts';
import { ADMIN_TOKEN, snapshotDir, until } from '../helpers/node.ts';
import { get, type NodeProcess, startOne } from '../helpers/node-process.ts';
import { freeBasePort, startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

const VOTERS = 1000;
const VOTING = 800;
const CONTROL = 20;
const SHARDS = 16;
const OPTIONS = ['a', 'b', 'c', 'd'];

/**
 * A voter id that cannot occur by chance: 96 random bits as 24 hex digits (its core), wrapped
 * in characters that need escaping in JSON or have two Unicode spellings. Every spelling and
 * escaping of the id (NFC, NFD, JSON, \u-escaped) contains the core verbatim, so finding no
 * core finds no form of the id; `formsOf` checks that this holds.
 */
function voterId(core: string, k: number): string {
  return `Voter ${core} “Zoë” \\ "q" ${k % 2 ? 'é' : '日本'}`;
}
const formsOf = (id: string) => [
  id,
  id.normalize('NFC'),
  id.normalize('NFD'),
  JSON.stringify(id).slice(1, -1),
  JSON.stringify(id)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
];

interface Receipt {
  voteId: string;
  shard: number;
  seq: number;
  entryId: string;
  hash: string;
}
/** What the routes this test calls answer, as far as it reads them. */
interface Answer {
  receipt: Receipt;
  results: { status: number; receipt: Receipt }[];
  error: { code: string };
  voted: string[];
  notVoted: string[];
  poll: { secrecy: string };
  added: number;
}

async function post(node: NodeProcess, path: string, body: unknown, admin = false) {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

const scan = suite('a secret poll: no voter id anywhere, every ballot found by its receipt');

let cluster: TestCluster | undefined;
let nodes: NodeProcess[] = [];
let dir = '';
let env: Record<string, string> = {};
const logFiles: string[] = [];
const snapshotDirs: string[] = [];
const pollId = `secret-${randomBytes(3).toString('hex')}`;
const controlPoll = `plain-${randomBytes(3).toString('hex')}`;
const cores = Array.from({ length: VOTERS }, () => randomBytes(12).toString('hex'));
const ids = cores.map(voterId);
const controlCores = Array.from({ length: CONTROL }, () => randomBytes(12).toString('hex'));
/** Per voting voter (by index): the receipt of their vote and the choice they made. */
const receipts = new Map<number, { receipt: Receipt; choice: string }>();

const cli = (...args: string[]) =>
  execa('node', ['bin/votestream.js', ...args], { env, reject: false, stripFinalNewline: false });
const choiceOf = (k: number) => OPTIONS[(k * 7) % OPTIONS.length]!;
/** Some voters are sent in their decomposed spelling: the log must not care. */
const spelled = (k: number) => (k % 3 === 0 ? ids[k]!.normalize('NFD') : ids[k]!);

/** The cores of `cores` that occur in `text`: every 24-digit window of every hex run. */
function coresIn(text: string, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  for (const [run] of text.matchAll(/[0-9a-fA-F]{24,}/g)) {
    const lower = run.toLowerCase();
    for (let i = 0; i + 24 <= lower.length; i++) {
      const window = lower.slice(i, i + 24);
      if (known.has(window)) found.add(window);
    }
  }
  return found;
}

/** Every key of every master, with every value of every type, as text lines. */
async function wholeRedis(c: TestCluster): Promise<{ text: string; keys: number }> {
  const parts: string[] = [];
  let keys = 0;
  for (const { host, port } of c.nodes) {
    const redis = new Redis({ host, port, lazyConnect: true });
    await redis.connect();
    try {
      if ((await redis.role())[0] !== 'master') continue;
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) {
          keys++;
          const type = await redis.type(key);
          const value =
            type === 'string'
              ? await redis.get(key)
              : type === 'hash'
                ? await redis.hgetall(key)
                : type === 'stream'
                  ? await redis.xrange(key, '-', '+')
                  : type === 'set'
                    ? await redis.smembers(key)
                    : type === 'zset'
                      ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                      : type === 'list'
                        ? await redis.lrange(key, 0, -1)
                        : `(unread type ${type})`;
          assert.ok(!String(value).startsWith('(unread type'), `key ${key} of type ${type}`);
          parts.push(key, JSON.stringify(value));
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  return { text: parts.join('\n'), keys };
}

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(root)) {
    const path = join(root, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

scan.before(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 0 });
  dir = await mkdtemp(join(tmpdir(), 'vs-secrecy-'));
  const base = await freeBasePort(3);
  const ids3 = ['s1', 's2', 's3'];
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: `s${randomBytes(4).toString('hex')}`,
    VS_MEMBERS: ids3.join(','),
    VS_ADMIN_TOKEN: ADMIN_TOKEN,
    VS_VOTER_SECRET: randomBytes(32).toString('base64url'),
    VS_SHARDS: String(SHARDS),
    VS_HEARTBEAT_MS: '100',
    VS_LEASE_MS: '1000',
    VS_SNAPSHOT_MS: '500',
    // Everything a node can say (its lowest level), so that nothing it says goes unsearched.
    VS_LOG_LEVEL: 'trace',
  };
  nodes = await Promise.all(
    ids3.map((nodeId, i) => {
      const file = join(dir, `${nodeId}.log`);
      const snapshots = snapshotDir();
      logFiles.push(file);
      snapshotDirs.push(snapshots);
      return startOne(nodeId, base + i, { ...env, VS_SNAPSHOT_DIR: snapshots }, file);
    }),
  );
});

scan.after(async () => {
  await Promise.all(nodes.map((n) => n.stop(5000)));
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

scan('800 of 1,000 voters vote through 3 nodes; a second spelling votes no more', async () => {
  const created = await post(
    nodes[0]!,
    '/polls',
    // A poll with a roll: secret by default.
    { id: pollId, title: 'Secret', options: OPTIONS, roll: true },
    true,
  );
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is(created.body.poll.secrecy, 'pseudonymous');
  // The roll: all 1,000, NFD spellings where the voter votes in NFC and the other way round.
  const enrolled = await post(
    nodes[1]!,
    `/polls/${pollId}/roll`,
    { voters: ids.map((id, k) => ({ voterId: spelled(k) === id ? id.normalize('NFD') : id })) },
    true,
  );
  assert.is(enrolled.status, 200, JSON.stringify(enrolled.body));
  assert.is(enrolled.body.added, 1000);
  // Someone not on the roll: refused, nothing written.
  const stranger = await post(nodes[2]!, '/votes', {
    pollId,
    voterId: voterId(randomBytes(12).toString('hex'), 0),
    choices: ['a'],
  });
  assert.is(stranger.status, 403, JSON.stringify(stranger.body));
  assert.is(stranger.body.error.code, 'NOT_ON_ROLL');
  const plain = await post(
    nodes[1]!,
    '/polls',
    { id: controlPoll, title: 'Plain', options: OPTIONS },
    true,
  );
  assert.is(plain.status, 201);
  // The first 200 one by one, round robin over the nodes; the rest in batches of 100.
  for (let k = 0; k < 200; k++) {
    const res = await post(nodes[k % 3]!, '/votes', {
      pollId,
      voterId: spelled(k),
      choices: [choiceOf(k)],
    });
    assert.is(res.status, 201, JSON.stringify(res.body));
    receipts.set(k, { receipt: res.body.receipt, choice: choiceOf(k) });
  }
  for (let start = 200; start < VOTING; start += 100) {
    const votes = Array.from({ length: 100 }, (_, j) => ({
      pollId,
      voterId: spelled(start + j),
      choices: [choiceOf(start + j)],
    }));
    const res = await post(nodes[(start / 100) % 3]!, '/votes/batch', { votes });
    assert.is(res.status, 200);
    const results = res.body.results;
    results.forEach((r, j) => {
      assert.is(r.status, 201, JSON.stringify(r));
      receipts.set(start + j, { receipt: r.receipt, choice: choiceOf(start + j) });
    });
  }
  // The other spelling of 30 voters, on another node: refused, nothing written.
  for (let k = 0; k < 30; k++) {
    const other = spelled(k) === ids[k] ? ids[k]!.normalize('NFD') : ids[k]!;
    const res = await post(nodes[(k + 1) % 3]!, '/votes', {
      pollId,
      voterId: other,
      choices: ['a'],
    });
    assert.is(res.status, 409, JSON.stringify(res.body));
    assert.is(res.body.error.code, 'ALREADY_VOTED');
  }
  // The control: a plain poll whose voter ids, of the same form, are recorded in the clear.
  const control = await post(nodes[2]!, '/votes/batch', {
    votes: controlCores.map((core, k) => ({
      pollId: controlPoll,
      voterId: voterId(core, k),
      choices: ['a'],
    })),
  });
  assert.ok(control.body.results.every((r) => r.status === 201));
});

scan('the participation query names exactly the 800, as sent, and nothing else', async () => {
  const asked = ids.slice(0, 500);
  const second = ids.slice(500);
  const answers = await Promise.all([
    post(nodes[1]!, `/polls/${pollId}/participation`, { voters: asked }, true),
    post(nodes[2]!, `/polls/${pollId}/participation`, { voters: second }, true),
  ]);
  const voted = answers.flatMap((a) => a.body.voted);
  const notVoted = answers.flatMap((a) => a.body.notVoted);
  for (const a of answers) assert.equal(Object.keys(a.body).sort(), ['notVoted', 'voted']);
  assert.equal(voted, ids.slice(0, VOTING));
  assert.equal(notVoted, ids.slice(VOTING));
});

let board = '';

scan('after the close, the export recounts to the live results on every node', async () => {
  const closed = await post(nodes[0]!, `/polls/${pollId}/close`, {}, true);
  assert.is(closed.status, 200);
  await until(
    async () =>
      (
        await Promise.all(
          nodes.map((n) => get<{ poll: { status: string } }>(n, `/polls/${pollId}`)),
        )
      ).every((r) => r.poll.status === 'final'),
    30_000,
    'the poll did not become final on every node',
  );
  const exported = await cli('replay', '--poll', pollId);
  assert.is(exported.exitCode, 0, String(exported.stderr));
  board = String(exported.stdout);
  const verified = verifyBoard(board, SHARDS);
  assert.equal(verified.problems, []);
  // The roll's commitments on the board: 1,000 voters could vote, each with weight 1.
  assert.equal(verified.rolls.get(pollId), { voters: VOTERS, weight: VOTERS });
  const count = verifierRecount(verified, pollId);
  const expected = Object.fromEntries(
    OPTIONS.map((o) => [o, [...receipts.values()].filter((r) => r.choice === o).length]),
  );
  assert.equal(count.finalized, expected);
  assert.equal(count.ballots, { finalized: VOTING, pending: 0 });
  for (const node of nodes) {
    const tally = await get<{ finalized: Record<string, number> }>(node, `/polls/${pollId}/tally`);
    assert.equal(tally.finalized, expected, node.nodeId);
  }
  // The nodes' own recount of the export prints the results body byte for byte.
  const file = join(dir, 'board.ndjson');
  await writeFile(file, board);
  const recounted = await cli('tally', '--from-file', file, '--poll', pollId, '--results');
  assert.is(recounted.exitCode, 0, String(recounted.stderr));
  const live = await fetch(`${nodes[1]!.url}/polls/${pollId}/results`);
  assert.is(String(recounted.stdout), `${await live.text()}\n`);
  console.log(`  recount of ${VOTING} secret ballots: ${JSON.stringify(count.finalized)} = live`);
});

scan('each voter finds their ballot on the export by their receipt', async () => {
  const lines = board
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const at = new Map(
    lines.filter((l) => l.type === 'VoteCast').map((l) => [`${l.shard}/${l.seq}`, l]),
  );
  const tags = new Set<string>();
  for (const [k, { receipt, choice }] of receipts) {
    const line = at.get(`${receipt.shard}/${receipt.seq}`);
    assert.ok(line, `voter ${k}: no line at the receipt's place`);
    assert.is(line.voteId, receipt.voteId);
    assert.is(line.hash, receipt.hash);
    assert.is(line.id, receipt.entryId);
    assert.is(line.pollId, pollId);
    assert.equal(line.choices, [choice], `voter ${k}`);
    assert.match(String(line.voterId), /^vt-[A-Za-z0-9_-]{43}$/);
    tags.add(String(line.voterId));
  }
  assert.is(tags.size, VOTING, 'one tag per voter');
});

scan('no voter id in any Redis key or value, log file, snapshot or the export', async () => {
  // Stopped first, so every log line and final snapshot is written.
  await Promise.all(nodes.map((n) => n.stop(5000)));
  nodes = [];
  for (const [k, id] of ids.entries())
    for (const form of formsOf(id)) assert.ok(form.includes(cores[k]!), `form ${form}`);
  const secret = new Set(cores);
  const control = new Set(controlCores);
  const redis = await wholeRedis(cluster!);
  const logs = (await Promise.all(logFiles.map((f) => readFile(f, 'utf8')))).join('\n');
  const snapshotFiles = (await Promise.all(snapshotDirs.map(filesUnder))).flat();
  const snapshots = (
    await Promise.all(snapshotFiles.map((f) => readFile(f).then((b) => b.toString('latin1'))))
  ).join('\n');
  const whole = await cli('replay');
  assert.is(whole.exitCode, 0);
  const sources = { redis: redis.text, logs, snapshots, board, wholeExport: String(whole.stdout) };
  // What was searched is real: keys and entries of both polls, lines of every node.
  assert.ok(redis.keys > 40, `${redis.keys} keys`);
  assert.ok(redis.text.includes(pollId) && redis.text.includes(controlPoll));
  for (const id of ['s1', 's2', 's3']) assert.match(logs, `"node":"${id}"`);
  assert.match(logs, 'participation_asked');
  assert.match(logs, pollId);
  assert.ok(snapshotFiles.length >= 3 * SHARDS, `${snapshotFiles.length} snapshot files`);
  for (const [name, text] of Object.entries(sources)) {
    const leaked = coresIn(text, secret);
    assert.is(leaked.size, 0, `${name}: ${leaked.size} secret voter ids, e.g. ${[...leaked][0]}`);
  }
  // The plain poll's ids are found wherever the log holds them: the search works.
  for (const name of ['redis', 'snapshots', 'wholeExport'] as const)
    assert.is(coresIn(sources[name], control).size, CONTROL, `${name}: the control ids`);
  assert.is(coresIn(board, control).size, 0, "a poll's board shows no other poll's voters");
  console.log(
    `  searched ${redis.keys} keys (${(redis.text.length / 1e6).toFixed(1)} MB), ${(logs.length / 1e3).toFixed(0)} kB of logs from ${logFiles.length} nodes, ${snapshotFiles.length} snapshots, ${board.length} B of board for ${VOTERS} ids: none found; ${CONTROL} of ${CONTROL} control ids found`,
  );
});

scan.run();
