import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { parseVoterIds, withTarget } from '../../src/tools/issue-tokens.ts';
import { isRollCsv } from '../../src/tools/roll-voters.ts';
import { ADMIN, ADMIN_TOKEN, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const BIN = 'bin/votestream.js';
const VOTERS = ['alice', 'bob', 'carol with spaces', 'dörte'];

let node: RunningNode;
let dir: string;
let votersFile: string;

/** Runs `votestream tokens` against the node; the admin token comes from the environment. */
const tokens = (
  args: string[],
  env: Record<string, string> = { VS_ADMIN_TOKEN: ADMIN_TOKEN },
  as: { uid?: number; gid?: number } = {},
) =>
  execa('node', [BIN, 'tokens', '--target', node.url, ...args], {
    reject: false,
    env: { VS_ADMIN_TOKEN: '', ...env },
    ...as,
  });

const cli = suite('votestream tokens');

cli.before(async () => {
  node = await startTestNode(
    await sharedCluster(),
    { VS_VOTER_SECRET: 'test-voter-secret-0123456789abcdef' },
    { listen: true },
  );
  dir = mkdtempSync(join(tmpdir(), 'votestream-tokens-'));
  votersFile = join(dir, 'voters.txt');
  // CRLF line ends and an empty line, as files edited elsewhere have them.
  writeFileSync(votersFile, `${VOTERS[0]}\r\n${VOTERS[1]}\n\n${VOTERS[2]}\n${VOTERS[3]}\n`);
});

cli.after(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

cli('prints voterId<TAB>token lines that the node accepts as votes', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const result = await tokens(['--poll', pollId, '--voters', votersFile]);
  assert.is(result.exitCode, 0, String(result.stderr));
  const lines = String(result.stdout).trimEnd().split('\n');
  assert.equal(
    lines.map((l) => l.split('\t')[0]),
    VOTERS,
  );
  for (const line of lines) {
    const [voterId, token] = line.split('\t');
    const res = await node.app.inject({
      method: 'POST',
      url: '/votes',
      payload: { pollId, voterId, choices: ['a'], token },
    });
    assert.is(res.statusCode, 201, `${voterId}: ${res.body}`);
  }
  // And a token is good for its own voter only.
  const [, aliceToken] = lines[0]!.split('\t');
  const stolen = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'mallory', choices: ['a'], token: aliceToken },
  });
  assert.is(stolen.statusCode, 403);
});

cli('a reader that closes the output early (| head): exit 0, no stack trace', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const many = join(dir, 'many.txt');
  writeFileSync(many, `${Array.from({ length: 3000 }, (_, i) => `member-${i}`).join('\n')}\n`);
  const run = await execa(
    'bash',
    [
      '-c',
      `set -o pipefail; node ${BIN} tokens --target ${node.url} --poll ${pollId} --voters ${many} | head -2`,
    ],
    { reject: false, env: { VS_ADMIN_TOKEN: ADMIN_TOKEN } },
  );
  assert.is(run.exitCode, 0, String(run.stderr));
  assert.is(String(run.stdout).split('\n').length, 2);
  assert.is(String(run.stderr), '');
});

cli('--json prints NDJSON tokens then one summary; --admin-token and stdin work', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const result = await execa(
    'node',
    [BIN, 'tokens', '--target', node.url, '--poll', pollId, '--voters', '-', '--json'],
    { input: 'alice\nbob\n', env: { VS_ADMIN_TOKEN: '' }, reject: false },
  );
  // No admin token anywhere: refused before any request.
  assert.is(result.exitCode, 2);
  assert.match(String(result.stderr), /admin token is required/);
  const ok = await execa(
    'node',
    [
      BIN,
      'tokens',
      '--target',
      node.url,
      '--poll',
      pollId,
      '--voters',
      '-',
      '--json',
      '--admin-token',
      ADMIN_TOKEN,
    ],
    { input: 'alice\nbob\n', env: { VS_ADMIN_TOKEN: '' } },
  );
  const objects = String(ok.stdout)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(objects.length, 3);
  assert.equal(
    objects.slice(0, 2).map((o) => o.voterId),
    ['alice', 'bob'],
  );
  for (const o of objects.slice(0, 2)) assert.match(String(o.token), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(objects[2], { pollId, voters: 2, issued: 2 });
});

cli('a refusal exits 1 with one line naming the code, and prints no tokens', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const wrong = await tokens(['--poll', pollId, '--voters', votersFile], {
    VS_ADMIN_TOKEN: 'not-the-admin-token-at-all',
  });
  assert.is(wrong.exitCode, 1);
  assert.is(String(wrong.stdout), '');
  assert.match(String(wrong.stderr).trim(), /^votestream tokens: http.*: 403 FORBIDDEN: /);
  const open = await tokens(['--poll', await createPoll(node), '--voters', votersFile]);
  assert.is(open.exitCode, 1);
  assert.match(String(open.stderr), /409 VOTER_AUTH_OPEN/);
  const missing = await tokens(['--poll', 'no-such-poll', '--voters', votersFile]);
  assert.is(missing.exitCode, 1);
  assert.match(String(missing.stderr), /404 POLL_NOT_FOUND/);
});

cli('two spellings of a voter get one token, under the NFC spelling', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const file = join(dir, 'spellings.txt');
  writeFileSync(file, 'Jose\u0301\nJos\u00e9\n');
  const result = await tokens(['--poll', pollId, '--voters', file]);
  assert.is(result.exitCode, 0, String(result.stderr));
  const [first, second] = String(result.stdout).trimEnd().split('\n');
  assert.is(first, second);
  assert.is(first?.split('\t')[0], 'Jos\u00e9');
});

cli('a voters file with an invisible character is refused before any request', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const file = join(dir, 'invisible.txt');
  writeFileSync(file, 'alice\nbob\u200b\n');
  const result = await tokens(['--poll', pollId, '--voters', file]);
  assert.is(result.exitCode, 2);
  assert.is(String(result.stdout), '');
  assert.match(String(result.stderr), /line 2: not a voter id: .*U\+200B/);
});

cli(
  'an Excel "CSV UTF-8" voters file: its byte-order mark is not part of the first id',
  async () => {
    const pollId = await createPoll(node, { voterAuth: 'token' });
    const file = join(dir, 'excel.txt');
    writeFileSync(file, '\uFEFFalice\r\nbob\r\n');
    const result = await tokens(['--poll', pollId, '--voters', file]);
    assert.is(result.exitCode, 0, String(result.stderr));
    assert.equal(
      String(result.stdout)
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t')[0]),
      ['alice', 'bob'],
    );
  },
);

cli('a voters file it cannot read: one line naming it, exit 2', async () => {
  const unreadable = join(dir, 'unreadable.txt');
  writeFileSync(unreadable, 'alice\n');
  chmodSync(unreadable, 0o000);
  chmodSync(dir, 0o755);
  // root reads any file: the unreadable one is tried as nobody.
  const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const cases: [string, string, typeof nobody][] = [
    ['/nonexistent', 'no such file', {}],
    [dir, 'a directory, not a file', {}],
    [unreadable, 'permission denied', nobody],
  ];
  for (const [file, why, as] of cases) {
    const result = await tokens(['--poll', 'any', '--voters', file], undefined, as);
    assert.is(result.exitCode, 2, String(result.stderr));
    assert.is(String(result.stderr), `votestream: cannot read ${file}: ${why}`);
    assert.is(String(result.stdout), '');
  }
});

cli(
  'a refusal after earlier requests: their tokens, no --json summary, what was printed',
  async () => {
    const pollId = await createPoll(node, { roll: true, voterAuth: 'token' });
    const onRoll = Array.from({ length: 1000 }, (_, i) => `member-${i}`);
    const enrolled = await node.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/roll`,
      headers: ADMIN,
      payload: { voters: onRoll.map((voterId) => ({ voterId })) },
    });
    assert.is(enrolled.statusCode, 200, enrolled.body);
    const file = join(dir, 'roll-and-one.txt');
    writeFileSync(file, `${[...onRoll, 'stranger'].join('\n')}\n`);
    const result = await tokens(['--poll', pollId, '--voters', file, '--json']);
    assert.is(result.exitCode, 1);
    const printed = String(result.stdout)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(
      printed.map((o) => o.voterId),
      onRoll,
      'the first request’s tokens, and no summary object',
    );
    const [error, before, ...more] = String(result.stderr).split('\n');
    // The voters the node refused are named (the API lists them).
    assert.match(error!, /403 NOT_ON_ROLL: .*: stranger$/);
    assert.is(
      before,
      'votestream tokens: before the failure, the tokens of the first 1000 voters were printed',
    );
    assert.equal(more, []);
  },
);

cli('more voters than one request takes are issued in chunks, in order', async () => {
  const pollId = await createPoll(node, { voterAuth: 'token' });
  const many = Array.from({ length: 2500 }, (_, i) => `voter-${i}`);
  const file = join(dir, 'many.txt');
  writeFileSync(file, `${many.join('\n')}\n`);
  const before = await logLength(node);
  const result = await tokens(['--poll', pollId, '--voters', file]);
  assert.is(result.exitCode, 0, String(result.stderr));
  const lines = String(result.stdout).trimEnd().split('\n');
  assert.equal(
    lines.map((l) => l.split('\t')[0]),
    many,
  );
  assert.is(await logLength(node), before, 'issuing tokens wrote to the log');
});

cli('--help lists every flag with its default', async () => {
  const { stdout } = await execa('node', [BIN, 'tokens', '--help']);
  for (const flag of ['--poll', '--voters', '--target', '--admin-token', '--json'])
    assert.match(String(stdout), flag);
  assert.match(String(stdout), /--target <url>.*default: "http:\/\/127\.0\.0\.1:3001"/);
});

cli.run();

const parse = suite('voters file');

parse('one voter id per line, in its NFC form; empty lines skipped', () => {
  assert.equal(parseVoterIds('a\r\nb c\n\nc'), ['a', 'b c', 'c']);
  assert.equal(parseVoterIds(''), []);
  assert.equal(parseVoterIds('Jose\u0301\nJos\u00e9'), ['Jos\u00e9', 'Jos\u00e9']);
});

parse('a header naming the column is skipped; a roll CSV is told by its header', () => {
  assert.equal(parseVoterIds('voterId\r\nalice\nbob'), ['alice', 'bob']);
  assert.equal(parseVoterIds('\uFEFF"voterId"\nalice'), ['alice']);
  assert.equal(parseVoterIds('alice\nvoterId'), ['alice', 'voterId'], 'only as the first line');
  assert.ok(isRollCsv('\uFEFFvoterId,weight\r\nalice,100\n'));
  assert.ok(isRollCsv('"voterId","weight"\n'));
  assert.not.ok(isRollCsv('voterId\nalice\n'));
  assert.not.ok(isRollCsv('alice,100\n'));
});

parse('an error line names the node once', () => {
  const target = 'http://127.0.0.1:3999';
  assert.is(
    withTarget(target, `${target}: connect ECONNREFUSED 127.0.0.1:3999`),
    `${target}: connect ECONNREFUSED 127.0.0.1:3999`,
  );
  assert.is(
    withTarget(target, '404 POLL_NOT_FOUND: no poll x'),
    `${target}: 404 POLL_NOT_FOUND: no poll x`,
  );
});

parse('one byte-order mark at the very start is dropped; anywhere else it is refused', () => {
  assert.equal(parseVoterIds('\uFEFFalice\r\nbob'), ['alice', 'bob']);
  assert.throws(() => parseVoterIds('\uFEFF\uFEFFalice'), /line 1: .*U\+FEFF/);
  assert.throws(() => parseVoterIds('alice\n\uFEFFbob'), /line 2: .*U\+FEFF/);
});

parse('a line that is not a voter id is named by its number', () => {
  assert.throws(() => parseVoterIds('a\nb\tc\n'), /line 2/);
  assert.throws(() => parseVoterIds(`a\n\n${'x'.repeat(129)}`), /line 3/);
  // 128 characters outside the BMP are 256 UTF-16 units but a valid voter id.
  assert.is(parseVoterIds('🗳'.repeat(128))[0]?.length, 256);
});

parse('the identity policy: invisible characters and edge spaces are refused, with why', () => {
  assert.throws(
    () => parseVoterIds('alice\nalice\u200b'),
    /line 2: .*invisible or format .*U\+200B/,
  );
  assert.throws(() => parseVoterIds(' b '), /line 1: .*whitespace/);
  assert.throws(() => parseVoterIds('x\ud800'), /line 1: .*unpaired surrogate/);
});

parse.run();
