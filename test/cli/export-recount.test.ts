// `votestream replay --poll` and `tally --from-file` as a user runs them, against a real cluster:
// a poll that is not there is an error and never a file or a count that passes for one; a file
// that cannot be read is one line; a reader that closes the pipe early ends the command
// quietly; the text of a recount shows what its JSON shows.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { replayLog } from '../../src/tools/replay.ts';
import {
  ADMIN,
  castMany,
  closeUntilFinal,
  createPoll,
  startMembers,
  until,
} from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { withStdoutClosed } from '../helpers/stdout-closed.ts';

let node: RunningNode;
let env: Record<string, string> = {};
let dir = '';
/** A final plurality poll of 1000 votes (an export of about 250 kB), and its export. */
let lunch = '';
let lunchFile = '';
/** An open weighted poll with a roll, and its export. */
let board = '';
let boardFile = '';

let ready: Promise<void> | undefined;
/** One member (it leads and commits) and the polls, shared by every suite of this file. */
function setUp(): Promise<void> {
  ready ??= (async () => {
    node = (await startMembers(await sharedCluster(), ['export-recount']))[0]!;
    env = {
      VS_REDIS_CLUSTER: node.ctx.config.redisCluster.map((s) => `${s.host}:${s.port}`).join(','),
      VS_PREFIX: node.ctx.config.prefix,
      VS_LOG_LEVEL: 'silent',
    };
    dir = mkdtempSync(join(tmpdir(), 'vs-export-recount-'));
    lunch = await createPoll(node, { title: 'Lunch?' });
    await castMany(node, lunch, 1000, { batch: 250, options: ['a', 'a', 'b'] });
    await closeUntilFinal(node, [node], lunch, 30_000);
    board = await createPoll(node, { title: 'Board', weighted: true, secrecy: 'none' });
    const enrolled = await node.app.inject({
      method: 'POST',
      url: `/polls/${board}/roll`,
      headers: ADMIN,
      payload: {
        voters: [
          { voterId: 'alice', weight: 30 },
          { voterId: 'bob', weight: 5 },
          { voterId: 'carol', weight: 15 },
        ],
      },
    });
    assert.is(enrolled.statusCode, 200, enrolled.body);
    for (const [voterId, choice] of [
      ['alice', 'b'],
      ['bob', 'a'],
    ] as const) {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId: board, voterId, choices: [choice] },
      });
      assert.is(res.statusCode, 201, res.body);
    }
    await until(
      async () =>
        (await node.app.inject({ url: `/polls/${board}/tally` })).json().ballots.finalized === 2,
      15_000,
      'the weighted votes were not committed',
    );
    lunchFile = await exported(lunch);
    boardFile = await exported(board);
  })();
  return ready;
}

async function exported(pollId: string): Promise<string> {
  const run = await cli('replay', '--poll', pollId);
  assert.is(run.exitCode, 0, String(run.stderr));
  const file = join(dir, `${pollId}.ndjson`);
  writeFileSync(file, `${run.stdout}\n`);
  return file;
}

// Bounded: a `replay --follow` that does not refuse the poll would follow until stopped.
const cli = (...args: string[]) =>
  execa('node', ['bin/votestream.js', ...args], { env, reject: false, timeout: 60_000 });

/** The command's stderr is exactly `line` and one newline, and it wrote nothing on stdout. */
function onlyError(run: { stdout: unknown; stderr: unknown }, line: string) {
  assert.is(String(run.stdout), '', 'nothing on stdout');
  assert.is(String(run.stderr), line);
}

const unknown = suite('replay --poll / tally --poll of a poll that is not there');
unknown.before(setUp);

// Each case's runs side by side: they are independent, and CI time is bounded.
const REPLAY_FLAGS = [[], ['--json'], ['--format', 'table'], ['--format', 'blt'], ['--follow']];
unknown(
  `replay --poll nosuch (${REPLAY_FLAGS.map((f) => f.join(' ') || 'ndjson').join(', ')}): exit 1, one line, nothing on stdout`,
  async () => {
    const runs = await Promise.all(
      REPLAY_FLAGS.map((f) => cli('replay', '--poll', 'nosuch', ...f)),
    );
    for (const [i, run] of runs.entries()) {
      assert.is(run.exitCode, 1, `${REPLAY_FLAGS[i]}: ${run.stderr}`);
      onlyError(run, 'votestream: poll nosuch is not in the log');
    }
  },
);

unknown('tally --from-file of a file that holds no poll is an error, exit 1', async () => {
  // What replay --poll nosuch wrote before it asked: every shard's runs and markers, no poll.
  const lines: string[] = [];
  const { client, prefix, shards } = node.ctx.target;
  for await (const entry of replayLog(client, prefix, shards, { pollId: 'nosuch' }))
    lines.push(JSON.stringify(entry));
  assert.ok(lines.length > 16, 'the markers and runs of the other polls');
  const file = join(dir, 'nosuch.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  for (const flags of [[], ['--json']]) {
    const run = await cli('tally', '--from-file', file, ...flags);
    assert.is(run.exitCode, 1, `${flags}: ${run.stdout}`);
    onlyError(
      run,
      'votestream: the file holds no poll: no PollCreated line and no entry of a poll',
    );
  }
});

unknown(
  'tally --from-file P.ndjson --poll nosuch (text, --json, --results): only the error, exit 1',
  async () => {
    const flags = [[], ['--json'], ['--results']];
    const runs = await Promise.all(
      flags.map((f) => cli('tally', '--from-file', lunchFile, '--poll', 'nosuch', ...f)),
    );
    for (const [i, run] of runs.entries()) {
      assert.is(run.exitCode, 1, `${flags[i]}: ${run.stdout}`);
      onlyError(run, 'votestream: poll nosuch is not in the file');
    }
  },
);

const files = suite('tally --from-file of a file it cannot read: one line, exit 2');
files.before(setUp);

files('a missing file and a directory, as a board, an ndjson file and a BLT file', async () => {
  const cases: [string, string[], string][] = [];
  for (const format of [[], ['--format', 'ndjson'], ['--format', 'blt']]) {
    cases.push(['/nonexistent/x.ndjson', format, 'no such file']);
    cases.push([dir, format, 'a directory, not a file']);
  }
  const runs = await Promise.all(
    cases.map(([file, format]) => cli('tally', '--from-file', file, ...format)),
  );
  for (const [i, run] of runs.entries()) {
    const [file, format, why] = cases[i]!;
    assert.is(run.exitCode, 2, `${file} ${format}: ${run.stderr}`);
    onlyError(run, `votestream: cannot read ${file}: ${why}`);
  }
});

const closed = suite('a reader that closes stdout early: the command ends quietly');
closed.before(setUp);

closed('replay --poll P | head -3: three lines, exit 0 for both, no stack trace', async () => {
  assert.ok(readFileSync(lunchFile).length > 200_000, 'more than a pipe holds');
  const run = await execa(
    'bash',
    [
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, not a template
      'set -o pipefail; node bin/votestream.js replay --poll "$1" | head -3; echo "status ${PIPESTATUS[*]}"',
      'bash',
      lunch,
    ],
    { env, reject: false },
  );
  const lines = String(run.stdout).split('\n');
  assert.is(lines.length, 4, String(run.stdout));
  assert.is(lines[3], 'status 0 0');
  assert.is(String(run.stderr), '');
});

// Each command that writes to stdout, named as a user types it (P: the poll, resolved later).
for (const command of [
  'replay --poll P',
  'replay --poll P --format table',
  'replay --verify',
  'tally --from-file P.ndjson',
  'tally --from-file P.ndjson --json',
  'rebuild --json',
]) {
  closed(`${command}: exit 0, nothing on stderr`, async () => {
    const args = command
      .split(' ')
      .map((a) => (a === 'P' ? lunch : a === 'P.ndjson' ? lunchFile : a));
    assert.equal(await withStdoutClosed(args, env), { code: 0, stderr: '' });
  });
}

closed('a verdict decided before the reader went is still the exit code', async () => {
  const lines = readFileSync(lunchFile, 'utf8').trim().split('\n');
  const at = lines.findIndex((l) => JSON.parse(l).type === 'VoteCast');
  const vote = JSON.parse(lines[at]!);
  vote.choices = vote.choices[0] === 'a' ? ['b'] : ['a'];
  lines[at] = JSON.stringify(vote);
  const tampered = join(dir, 'tampered.ndjson');
  writeFileSync(tampered, `${lines.join('\n')}\n`);
  assert.equal(await withStdoutClosed(['tally', '--from-file', tampered], env), {
    code: 1,
    stderr: '',
  });
});

const text = suite('tally --from-file text: what the JSON shows');
text.before(setUp);
text.after(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

text('a final plurality poll says final, and its winners', async () => {
  const json = JSON.parse(String((await cli('tally', '--from-file', lunchFile, '--json')).stdout));
  assert.is(json.polls[0].final, true);
  assert.equal(json.polls[0].result.winners, ['a']);
  const run = await cli('tally', '--from-file', lunchFile);
  assert.is(run.exitCode, 0, String(run.stdout));
  const out = String(run.stdout).split('\n');
  assert.is(out[0], `poll ${lunch} "Lunch?" (final)`);
  assert.ok(out.includes('  ballots: 1000 finalized, 0 pending'), String(run.stdout));
  assert.ok(out.includes('  winners: a'), String(run.stdout));
});

text('a weighted poll shows its weight and roll; open until closed', async () => {
  const json = JSON.parse(String((await cli('tally', '--from-file', boardFile, '--json')).stdout));
  const [poll] = json.polls;
  assert.equal([poll.final, poll.closed], [false, false]);
  assert.equal(poll.weight, { finalized: 35, pending: 0 });
  assert.equal(poll.roll, { voters: 3, weight: 50 });
  const run = await cli('tally', '--from-file', boardFile);
  assert.is(run.exitCode, 0, String(run.stdout));
  const out = String(run.stdout).split('\n');
  assert.is(out[0], `poll ${board} "Board" (open)`);
  for (const expected of [
    '  ballots: 2 finalized, 0 pending',
    '  weight: 35 finalized, 0 pending (the option figures are weights)',
    '  roll: 3 voters, weight 50',
    '  winners so far (not final): b',
  ])
    assert.ok(out.includes(expected), `${expected} in\n${run.stdout}`);
});

unknown.run();
files.run();
closed.run();
text.run();
