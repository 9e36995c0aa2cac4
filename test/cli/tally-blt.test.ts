// Every public contest in test/fixtures/ranked through `votestream tally --from-file`: the CLI
// counts a BLT file exactly as the published reference counts do.
import { readdirSync, readFileSync } from 'node:fs';
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
