import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { TokenRequestError } from '../../src/tools/issue-tokens.ts';
import { checkRollWeights, parseRoll, rollRefusal } from '../../src/tools/roll-voters.ts';
import { ADMIN, ADMIN_TOKEN, createPoll, logLength, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const BIN = 'bin/votestream.js';

let node: RunningNode;
let dir: string;

const roll = (args: string[], input?: string, o: { uid?: number; gid?: number } = {}) =>
  execa('node', [BIN, 'roll', '--target', node.url, ...args], {
    reject: false,
    input,
    env: { VS_ADMIN_TOKEN: ADMIN_TOKEN },
    ...o,
  });

/** Writes a roll file in the test's directory; returns its path. */
function rollFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const cli = suite('votestream roll');

cli.before(async () => {
  // As `npm start` runs nodes: with a voter secret (polls with a roll are secret by default).
  node = await startTestNode(
    await sharedCluster(),
    { VS_VOTER_SECRET: 'roll-cli-voter-secret-0123456789abcdef' },
    { listen: true },
  );
  dir = mkdtempSync(join(tmpdir(), 'votestream-roll-'));
});
cli.after(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

cli('a CSV with weights: the voters are on the roll and vote with their weights', async () => {
  const pollId = await createPoll(node, { weighted: true });
  const file = join(dir, 'roll.csv');
  writeFileSync(file, 'voterId,weight\r\nann,1000000000000\r\n"b, ""the"" second",2\r\n\r\ncy,1\n');
  const result = await roll(['--poll', pollId, '--voters', file, '--json']);
  assert.is(result.exitCode, 0, String(result.stderr));
  const summary = JSON.parse(String(result.stdout).trimEnd().split('\n').at(-1)!);
  assert.equal(summary, {
    pollId,
    voters: 3,
    added: 3,
    weight: 1_000_000_000_003,
    unchanged: 0,
  });
  const vote = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'b, "the" second', choices: ['a'] },
  });
  assert.is(vote.statusCode, 201, vote.body);
  assert.is(vote.json().receipt.weight, 2);
  // Again: nothing added.
  const again = await roll(['--poll', pollId, '--voters', file]);
  assert.is(again.exitCode, 0);
  assert.match(String(again.stdout), /0 voters added \(weight 0\), 3 already on the roll/);
});

cli('one id per line from standard input; a refusal is one line and exit 1', async () => {
  const pollId = await createPoll(node, { roll: true });
  const ok = await roll(['--poll', pollId, '--voters', '-'], 'alice\nbob\n');
  assert.is(ok.exitCode, 0, String(ok.stderr));
  assert.match(String(ok.stdout), /2 voters added/);
  const open = await createPoll(node);
  // The runs are independent: side by side, as every case of this file that can be (CI time).
  const runs = [[], ['--json']].map((json) =>
    roll(['--poll', open, '--voters', '-', ...json], 'alice\n'),
  );
  for (const refused of await Promise.all(runs)) {
    assert.is(refused.exitCode, 1);
    assert.match(String(refused.stderr), /409 NO_ROLL/);
    assert.is(String(refused.stdout), '', 'no summary for a refused roll');
  }
});

cli('a poll that does not exist: the error alone, no summary on standard output', async () => {
  const runs = [[], ['--json']].map((json) =>
    roll(['--poll', 'nosuch', '--voters', '-', ...json], 'alice\n'),
  );
  for (const result of await Promise.all(runs)) {
    assert.is(result.exitCode, 1);
    assert.is(String(result.stdout), '');
    assert.match(
      String(result.stderr).trim(),
      /^votestream roll: http.*: 404 POLL_NOT_FOUND: [^\n]*$/,
    );
  }
});

cli('a weighted poll: a line without a weight is refused by number, nothing sent', async () => {
  const pollId = await createPoll(node, { weighted: true });
  const before = await logLength(node);
  const cases: [string, RegExp][] = [
    // European Excel's CSV: a semicolon header, then semicolon lines.
    [
      'voterId;weight\r\nx1;10\r\nx2;5\r\n',
      /^votestream: line 1: .*";".*separate the fields with commas/,
    ],
    ['voterId\tweight\nx1\t10\n', /^votestream: line 1: .*"\\t".*separate the fields with commas/],
    ['"voterId"|"weight"\nx1|10\n', /^votestream: line 1: .*"\|".*separate the fields with commas/],
    // Without a header the semicolon lines carry no weight.
    ['x1;10\nx2;5\n', /^votestream: line 1: "x1;10" holds ";": separate the fields with commas/],
    ['voterId,weight\nx1,10\n\nx2\nx3,4\n', /^votestream: line 4: no weight: poll .* is weighted/],
    ['x1\n', /^votestream: line 1: no weight/],
  ];
  const runs = cases.map(([text], i) =>
    roll(['--poll', pollId, '--voters', rollFile(`weights-${i}.csv`, text)]),
  );
  for (const [i, result] of (await Promise.all(runs)).entries()) {
    const [text, message] = cases[i]!;
    assert.is(result.exitCode, 2, `${JSON.stringify(text)}: ${result.stderr}`);
    assert.match(String(result.stderr), message, JSON.stringify(text));
    assert.is(String(result.stdout), '');
  }
  assert.is(await logLength(node), before, 'nothing was sent');
});

cli('a poll that is not weighted: a line with a weight is refused by number', async () => {
  const pollId = await createPoll(node, { roll: true });
  const before = await logLength(node);
  const result = await roll(['--poll', pollId, '--voters', '-'], 'ann\nben\n"c, d",3\n');
  assert.is(result.exitCode, 2);
  assert.match(String(result.stderr), /^votestream: line 3: a weight, but poll .* is not weighted/);
  assert.is(await logLength(node), before, 'nothing was sent');
});

cli('an Excel "CSV UTF-8" file: its byte-order mark is not part of the first line', async () => {
  const pollId = await createPoll(node, { weighted: true });
  const file = rollFile('excel.csv', '\uFEFFvoterId,weight\r\nann,5\r\nben,7\r\n');
  const result = await roll(['--poll', pollId, '--voters', file]);
  assert.is(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /: 2 voters added \(weight 12\), 0 already on the roll/);
  const headless = await roll(['--poll', pollId, '--voters', '-'], '\uFEFFcy,1\n');
  assert.is(headless.exitCode, 0, String(headless.stderr));
  assert.match(String(headless.stdout), /: 1 voter added \(weight 1\)/);
});

cli(
  'a conflict in a later request: its lines and ids as written, what was added before it',
  async () => {
    // A secret poll: the node knows its voters by tags, the file by ids and lines.
    const pollId = await createPoll(node, { weighted: true });
    const enrolled = await node.app.inject({
      method: 'POST',
      url: `/polls/${pollId}/roll`,
      headers: ADMIN,
      payload: { voters: [{ voterId: 'Jos\u00e9', weight: 7 }] },
    });
    assert.is(enrolled.statusCode, 200, enrolled.body);
    // Line 1 a header, lines 2–1001 the first request (1000 voters), line 1002 empty, then
    // the second request: line 1003 new, line 1004 José spelled e + U+0301, on the roll with 7.
    const first = Array.from({ length: 1000 }, (_, i) => `v-${i},2`);
    const file = rollFile(
      'conflict.csv',
      `voterId,weight\n${first.join('\n')}\n\nv-1000,2\nJose\u0301,3\n`,
    );
    for (const json of [[], ['--json']]) {
      const result = await roll(['--poll', pollId, '--voters', file, ...json]);
      assert.is(result.exitCode, 1, String(result.stderr));
      const [error, before, ...more] = String(result.stderr).trimEnd().split('\n');
      assert.equal(more, []);
      assert.match(
        error!,
        /409 ROLL_CONFLICT: .*: line 1004 \("Jose\u0301"\): weight 3 in the file, 7 on the roll$/,
      );
      assert.is(
        before,
        json.length === 0
          ? 'votestream roll: before the failure, lines 2 to 1001: 1000 voters added (weight 2000), 0 already on the roll'
          : 'votestream roll: before the failure, lines 2 to 1001: 0 voters added (weight 0), 1000 already on the roll',
      );
      // No success line: only --json's line for the request that was answered.
      const stdout = String(result.stdout).trimEnd();
      if (json.length === 0) assert.is(stdout, '');
      else
        assert.equal(
          stdout.split('\n').map((l) => JSON.parse(l).unchanged),
          [1000],
        );
    }
  },
);

cli('a file it cannot read: one line naming it, exit 2', async () => {
  const unreadable = rollFile('unreadable.csv', 'ann\n');
  chmodSync(unreadable, 0o000);
  chmodSync(dir, 0o755);
  // root reads any file: the unreadable one is tried as nobody.
  const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const cases: [string, string, typeof nobody][] = [
    ['/nonexistent', 'no such file', {}],
    [join(dir, 'missing', 'roll.csv'), 'no such file', {}],
    [dir, 'a directory, not a file', {}],
    [unreadable, 'permission denied', nobody],
  ];
  const runs = cases.map(([file, , as]) =>
    roll(['--poll', 'any', '--voters', file], undefined, as),
  );
  for (const [i, result] of (await Promise.all(runs)).entries()) {
    const [file, why] = cases[i]!;
    assert.is(result.exitCode, 2, String(result.stderr));
    assert.is(String(result.stderr), `votestream: cannot read ${file}: ${why}`);
    assert.is(String(result.stdout), '');
  }
});

const parse = suite('parseRoll');

parse('ids, weights, quotes, line numbers; refuses bad weights, bad ids and a voter twice', () => {
  assert.equal(parseRoll('a\n\nb,3\n"c,d",4\n'), [
    { voterId: 'a', line: 1, written: 'a' },
    { voterId: 'b', weight: 3, line: 3, written: 'b' },
    { voterId: 'c,d', weight: 4, line: 4, written: 'c,d' },
  ]);
  assert.equal(parseRoll('Jose\u0301,2'), [
    { voterId: 'Jos\u00e9', weight: 2, line: 1, written: 'Jose\u0301' },
  ]);
  assert.throws(() => parseRoll('a,0'), /line 1: the weight "0"/);
  assert.throws(() => parseRoll('a,1.5'), /line 1/);
  assert.throws(() => parseRoll('a,9007199254740992'), /line 1/);
  assert.throws(() => parseRoll('a\nb\nJos\u00e9\nJose\u0301'), /line 4: the voter of line 3/);
  assert.throws(() => parseRoll(' a'), /line 1: not a voter id/);
});

parse('fields as Excel writes them; what would turn a column into part of an id is refused', () => {
  // Quoted fields, weights too; "" for a quote.
  assert.equal(parseRoll('"alice","100"\n"O\'Brien ""Jr""",7\n'), [
    { voterId: 'alice', weight: 100, line: 1, written: 'alice' },
    { voterId: 'O\'Brien "Jr"', weight: 7, line: 2, written: 'O\'Brien "Jr"' },
  ]);
  // A semicolon CSV (European Excel), with or without a header, in any poll: never ids.
  assert.throws(() => parseRoll('Name;Shares\nalice;100\n'), /line 1: "Name;Shares" holds ";"/);
  assert.throws(
    () => parseRoll('alice;100\n'),
    /line 1: "alice;100" holds ";": separate the fields with commas/,
  );
  assert.equal(
    parseRoll('"a;b"\n').map((v) => v.voterId),
    ['a;b'],
    'a quoted id may hold ";"',
  );
  // A third column (a name), a trailing comma: refused, not folded into the id.
  assert.throws(
    () => parseRoll('alice,Alice Smith,100\n'),
    /line 1: 3 fields: a roll line is voterId or voterId,weight/,
  );
  assert.throws(() => parseRoll('voterId,weight,\n'), /line 1: 3 fields/);
  assert.throws(() => parseRoll('alice,100,\n'), /line 1: 3 fields/);
  // An unquoted comma in a name, an Excel thousands separator: the weight is named.
  assert.throws(
    () => parseRoll('Smith, John\n'),
    /line 1: the weight "John" is not an integer .*written quoted/,
  );
  assert.throws(
    () => parseRoll('alice,"1,000"\n'),
    /line 1: the weight "1,000" is not an integer from 1 to 2\^53 − 1$/,
  );
  assert.throws(() => parseRoll('al"ice,1\n'), /line 1: a quote inside a field/);
  assert.throws(() => parseRoll('"alice,1\n'), /line 1: a quoted field is not closed/);
});

parse('one byte-order mark at the very start is dropped; anywhere else it is refused', () => {
  assert.equal(
    parseRoll('\uFEFFvoterId,weight\r\nann,5\r\n').map((v) => v.voterId),
    ['ann'],
  );
  assert.equal(
    parseRoll('\uFEFFann').map((v) => v.written),
    ['ann'],
  );
  assert.throws(() => parseRoll('\uFEFF\uFEFFann'), /line 1: not a voter id: .*U\+FEFF/);
  assert.throws(() => parseRoll('ann\n\uFEFFben'), /line 2: not a voter id: .*U\+FEFF/);
});

parse('a header with another separator is refused; a comma header may have spaces', () => {
  for (const header of [
    'voterId;weight',
    'VOTERID ; WEIGHT',
    'voterId\tweight',
    '"voterId"|"weight"',
  ])
    assert.throws(() => parseRoll(`${header}\nx1;10`), /line 1: .*separate the fields with commas/);
  assert.equal(parseRoll('voterId , weight\nx1,10').length, 1);
  assert.throws(() => parseRoll('x1\tweight'), /line 1: not a voter id: .*separate the fields/);
});

parse('checkRollWeights: every line weighed in a weighted poll, none in another', () => {
  const mixed = parseRoll('x1,10\nx2\n');
  assert.throws(
    () => checkRollWeights(mixed, { id: 'p', roll: true, weighted: true }),
    /^line 2: no weight: poll p is weighted/,
  );
  assert.throws(
    () => checkRollWeights(mixed, { id: 'p', roll: true, weighted: false }),
    /^line 1: a weight, but poll p is not weighted/,
  );
  checkRollWeights(parseRoll('x1,10\nx2,1'), { id: 'p', roll: true, weighted: true });
  checkRollWeights(parseRoll('x1\nx2'), { id: 'p', roll: true, weighted: false });
  // A poll without a roll: the node's NO_ROLL says more than a weight would.
  checkRollWeights(mixed, { id: 'p', roll: false, weighted: false });
});

parse(
  'rollRefusal: a ROLL_CONFLICT by the file’s lines, in its order, past earlier requests',
  () => {
    const voters = parseRoll('voterId,weight\na,1\nb,2\n\nc,3\n');
    // The refused request began with the file's second voter (`first` 1); the node lists by shard.
    const conflicts = [
      { index: 1, voterId: 'vt-1', weight: 3, onRoll: 4 },
      { index: 0, voterId: 'vt-2', weight: 2, onRoll: 5 },
    ];
    const error = new TokenRequestError(
      409,
      'ROLL_CONFLICT',
      '409 ROLL_CONFLICT: 2 voter(s)',
      {
        voters: conflicts,
      },
      1,
    );
    assert.is(
      rollRefusal(error, voters),
      '409 ROLL_CONFLICT: 2 voter(s): line 3 ("b"): weight 2 in the file, 5 on the roll; line 5 ("c"): weight 3 in the file, 4 on the roll',
    );
    const other = new TokenRequestError(409, 'NO_ROLL', '409 NO_ROLL: no roll');
    assert.is(rollRefusal(other, voters), '409 NO_ROLL: no roll');
  },
);

cli.run();
parse.run();
