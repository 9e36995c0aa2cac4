// Every public contest in test/fixtures/ranked through `votestream tally --from-file`: the CLI
// counts a BLT file exactly as the published reference counts do.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const DIR = new URL('../fixtures/ranked/', import.meta.url);
const contests = readdirSync(DIR)
  .filter((file) => file.endsWith('.blt'))
  .map((file) => file.slice(0, -'.blt'.length))
  .sort();

const tally = suite('votestream tally --from-file <contest>.blt');

const count = async (name: string, ...flags: string[]) => {
  const run = await execa(
    'node',
    ['bin/votestream.js', 'tally', '--from-file', new URL(`${name}.blt`, DIR).pathname, ...flags],
    { reject: false },
  );
  assert.is(run.exitCode, 0, `${name}: ${run.stderr}`);
  return JSON.parse(run.stdout);
};

tally('every reference contest counts as published', async () => {
  assert.is(contests.length, 13);
  await Promise.all(
    contests.map(async (name) => {
      const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, DIR), 'utf8'));
      if (expected.method === 'irv') {
        const flags = expected.options.batchElimination ? ['--batch-elimination'] : [];
        const result = await count(name, '--json', ...flags);
        assert.equal(result.winners, expected.winners, name);
        assert.equal(
          result.rounds.map((r: { tally: unknown; eliminated: unknown; threshold: unknown }) => [
            r.tally,
            r.eliminated,
            r.threshold,
          ]),
          expected.rounds.map((r: { tally: unknown; eliminated: unknown; threshold: unknown }) => [
            r.tally,
            r.eliminated,
            r.threshold,
          ]),
          name,
        );
      } else {
        const result = await count(name, '--json');
        assert.is(result.quota, expected.quota, name);
        assert.equal(result.winners, expected.elected, name);
        assert.equal(result.finalVotes, expected.finalVotes, name);
        assert.is(result.exhausted, expected.nonTransferable, name);
        assert.is(result.rounds.length - 1, expected.stages, name);
      }
    }),
  );
});

/**
 * An IRV contest whose first exclusion is a tie no earlier round decides (B and C, 2 votes each):
 * a lot, and which of them it picks is what --seed and the [tie …] line decide.
 */
const tiedContest = (tieLine: string) =>
  `3 1\n${tieLine}4 1 0\n2 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n"lots"\n`;

tally(
  'without --seed the lot picks the first tied in the [tie …] line, else in candidate order',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-lot-'));
    try {
      const run = async (tieLine: string, ...flags: string[]) => {
        const file = join(dir, 'tied.blt');
        writeFileSync(file, tiedContest(tieLine));
        const result = await execa(
          'node',
          ['bin/votestream.js', 'tally', '--from-file', file, '--json', ...flags],
          {
            reject: false,
          },
        );
        assert.is(result.exitCode, 0, result.stderr);
        const [lot] = JSON.parse(result.stdout).tieBreaks;
        return { chosen: lot.chosen, lot: lot.lot, by: lot.by };
      };
      // Candidate order: B is listed before C, so B is excluded.
      assert.equal(await run(''), { chosen: 'B', lot: 'order', by: 'lot' });
      // The [tie …] line's order wins over candidate order: C before B.
      assert.equal(await run('[tie 3 2 1]\n'), { chosen: 'C', lot: 'order', by: 'lot' });
      // With --seed the lot is drawn from the seed, as the nodes draw it; the [tie …] line is ignored.
      const seed = '0123456789abcdef'.repeat(4);
      const seeded = await run('', '--seed', seed);
      assert.is(seeded.lot, 'seed');
      assert.equal(await run('[tie 3 2 1]\n', '--seed', seed), seeded);
      assert.equal(await run('[tie 2 3 1]\n', '--seed', seed), seeded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

tally('--help says what the default lot order is, as the code has it', async () => {
  const help = String(
    (await execa('node', ['bin/votestream.js', 'tally', '--help'])).stdout,
  ).replace(/\s+/g, ' ');
  assert.match(help, 'without it: the file’s [tie …] order, else candidate order');
});

tally('a malformed file is an error naming its line, exit 1', async () => {
  const run = await execa(
    'node',
    ['bin/votestream.js', 'tally', '--format', 'blt', '--from-file', '-'],
    { reject: false, input: '3 1\n1 1 4 0\n0\n"a"\n"b"\n"c"\n"t"\n' },
  );
  assert.is(run.exitCode, 1);
  assert.match(run.stderr, /^votestream: BLT line 2: /);
  assert.not.match(run.stderr, / {4}at /, 'one line, no stack trace');
});

tally.run();
