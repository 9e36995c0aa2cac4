// Each command's --help lists exactly the options it uses, and an option it does not use is a
// usage error, never silently ignored. Real `votestream` processes; none of them reaches Redis.
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const options = suite('each command lists and takes only the options it uses');
const BIN = 'bin/votestream.js';

/** The flags that set VS_* variables (src/cli/config-flags.ts), in its table's order. */
const CONFIG_FLAGS = [
  '--node-id',
  '--host',
  '--port',
  '--redis-cluster',
  '--redis-url',
  '--prefix',
  '--shards',
  '--members',
  '--durability',
  '--log-level',
  '--redis-username',
  '--redis-tls',
  '--redis-tls-ca',
  '--rate-limit',
  '--rate-limit-window-ms',
];
/** The settings of a connection to Redis that have a flag. */
const REDIS_FLAGS = [
  '--redis-cluster',
  '--redis-url',
  '--prefix',
  '--shards',
  '--redis-username',
  '--redis-tls',
  '--redis-tls-ca',
];

/** Every command, with the options its --help must list (besides -h, --help), in order. */
const EXPECTED: Record<string, string[]> = {
  node: CONFIG_FLAGS,
  config: [...CONFIG_FLAGS, '--json'],
  up: ['--nodes', '--port', '--redis-port', '--redis-replicas', '--dir'],
  load: [
    '--target',
    '--rate',
    '--duration',
    '--votes',
    '--warmup',
    '--connections',
    '--batch',
    '--polls',
    '--voters',
    '--duplicates',
    '--revotes',
    '--seed',
    '--poll',
    '--admin-token',
    '--verify',
    '--verify-timeout',
    '--json',
  ],
  replay: [
    ...REDIS_FLAGS,
    '--poll',
    '--shard',
    '--type',
    '--from',
    '--to',
    '--format',
    '--follow',
    '--speed',
    '--into',
    '--into-prefix',
    '--verify',
    '--json',
  ],
  rebuild: [...REDIS_FLAGS, '--compare', '--node', '--write', '--json'],
  tally: [
    '--from-file',
    '--format',
    '--poll',
    '--json',
    '--method',
    '--seats',
    '--batch-elimination',
    '--seed',
    '--results',
  ],
  tokens: ['--poll', '--voters', '--target', '--admin-token', '--json'],
  roll: ['--poll', '--voters', '--target', '--admin-token', '--json'],
  'redis up': ['--port', '--masters', '--replicas', '--host', '--json', '--dir'],
  'redis down': ['--dir', '--json'],
  'redis status': ['--port', '--masters', '--replicas', '--host', '--json'],
};

const run = (args: string[]) =>
  execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    env: { VS_LOG_LEVEL: 'silent' },
  });

/** The long options a --help lists, in its order. */
function listed(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);
}

options('the commands are those listed here (a new one must say its options)', async () => {
  const top = String((await run(['--help'])).stdout);
  const commands = [...top.matchAll(/^ {2}([a-z]+)\b/gm)]
    .map((m) => m[1]!)
    .filter((c) => c !== 'help');
  const redis = String((await run(['redis', '--help'])).stdout);
  const sub = [...redis.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => `redis ${m[1]}`);
  assert.equal(
    [...commands.filter((c) => c !== 'redis'), ...sub.filter((c) => c !== 'redis help')].sort(),
    Object.keys(EXPECTED).sort(),
  );
});

for (const [command, expected] of Object.entries(EXPECTED)) {
  options(`${command} --help lists exactly its options`, async () => {
    const help = await run([...command.split(' '), '--help']);
    assert.is(help.exitCode, 0, String(help.stderr));
    assert.equal(listed(String(help.stdout)), [...expected, '--help']);
  });
}

for (const command of ['replay', 'rebuild']) {
  options(`${command} refuses every configuration flag it does not use`, async () => {
    const flags = CONFIG_FLAGS.filter((f) => !EXPECTED[command]!.includes(f));
    // Side by side: each is a process of its own, and CI time is bounded.
    const results = await Promise.all(flags.map((flag) => run([command, flag, '9'])));
    for (const [i, result] of results.entries()) {
      const flag = flags[i]!;
      assert.is(result.exitCode, 2, `${command} ${flag}: ${result.stdout} ${result.stderr}`);
      assert.match(String(result.stderr), `error: unknown option '${flag}'`);
      assert.is(String(result.stdout), '');
    }
  });
}

options('replay --port 9 --members x, as reported, is refused at its first option', async () => {
  const result = await run(['replay', '--port', '9', '--members', 'x']);
  assert.is(result.exitCode, 2);
  assert.match(String(result.stderr), /^error: unknown option '--port'/);
});

options(
  'a usage error exits 2, never 1, which replay, rebuild, load and tally give for a finding',
  async () => {
    const cases: [string[], RegExp][] = [
      [['replay', '--verify', '--shrads', '16'], /^error: unknown option '--shrads'/],
      [['replay-verify'], /^error: unknown command 'replay-verify'/],
      [['tally'], /^error: required option '--from-file <path>' not specified/],
      [['load', '--rate'], /^error: option '--rate <n\|max>' argument missing/],
      [['rebuild', 'extra'], /^error: too many arguments for 'rebuild'/],
      [['roll'], /^error: required option '--poll <id>' not specified/],
      [
        ['load', '--target', 'notaurl', '--votes', '1'],
        /^error: option '--target <urls>' argument 'notaurl' is invalid\. notaurl is not a URL/,
      ],
      [
        ['tokens', '--poll', 'p', '--voters', '/dev/null', '--target', 'ftp://x'],
        /is not an http or https URL/,
      ],
      [
        ['rebuild', '--compare', 'notaurl'],
        /^error: option '--compare <nodeUrl>' argument 'notaurl' is invalid/,
      ],
      [['replay', '--into', 'ftp://x'], /is not a redis:\/\/ or rediss:\/\/ URL/],
      [
        ['load', '--target', 'http://127.0.0.1:9', '--votes', '1'],
        /^votestream: creating polls needs an admin token/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    for (const [i, result] of results.entries()) {
      const [args, said] = cases[i]!;
      assert.is(result.exitCode, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(String(result.stderr), said);
    }
    const help = await Promise.all([run(['--help']), run(['help', 'replay'])]);
    assert.equal(
      help.map((h) => h.exitCode),
      [0, 0],
    );
  },
);

options('tally refuses the flags of the other format', async () => {
  const blt = await run([
    'tally',
    '--from-file',
    'test/fixtures/ranked/Calton-2007.blt',
    '--results',
  ]);
  assert.is(blt.exitCode, 2, String(blt.stderr));
  assert.is(String(blt.stderr).trim(), 'votestream: --results does not apply to a BLT file');
  const ndjson = await run([
    'tally',
    '--from-file',
    '-',
    '--format',
    'ndjson',
    '--method',
    'irv',
    '--seed',
    'ab'.repeat(16),
  ]);
  assert.is(ndjson.exitCode, 2, String(ndjson.stderr));
  assert.is(
    String(ndjson.stderr).trim(),
    'votestream: --method, --seed do not apply to an NDJSON export',
  );
});

options(
  'replay --verify refuses the options of an export (it checks every whole chain)',
  async () => {
    const cases = [
      ['--poll', 'p'],
      ['--shard', '1'],
      ['--type', 'VoteCast'],
      ['--follow'],
      ['--format', 'blt'],
    ];
    const runs = await Promise.all(cases.map((c) => run(['replay', '--verify', ...c])));
    for (const [i, result] of runs.entries()) {
      assert.is(result.exitCode, 2, `${cases[i]}: ${result.stderr}`);
      assert.match(
        String(result.stderr),
        /^votestream: --verify checks every shard's whole chain: /,
      );
    }
  },
);

options('rebuild --node without --write is refused', async () => {
  const result = await run(['rebuild', '--node', 'n1']);
  assert.is(result.exitCode, 2);
  assert.is(String(result.stderr).trim(), 'votestream: --node <id> applies to --write only');
});

options.run();
