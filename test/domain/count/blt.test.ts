import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBlt, parseBlt } from '../../../src/domain/count/blt.ts';
import { BltSyntaxError } from '../../../src/domain/count/count-error.ts';

const DIR = new URL('../../fixtures/ranked/', import.meta.url);

/** The contest "Board 2024": two seats among Ann Smith, Bob and Cy, with `ballots`. */
const board2024 = (ballots: { ranking: string[]; count: bigint }[]) => ({
  title: 'Board 2024',
  seats: 2,
  profile: { options: ['Ann Smith', 'Bob', 'Cy'], ballots },
});

const parse = suite('blt parse');

parse('reads the header, ballot groups, blank ballots, names and title', () => {
  const contest = parseBlt(
    [
      '3 2  # three candidates, two seats',
      '4 1 2 0',
      '2 3 0',
      '1 0',
      '0',
      '"Ann Smith"',
      '"Bob"',
      '"Cy"',
      '"Board 2024"',
      '',
    ].join('\n'),
  );
  assert.equal(
    contest,
    board2024([
      { ranking: ['Ann Smith', 'Bob'], count: 4n },
      { ranking: ['Cy'], count: 2n },
      { ranking: [], count: 1n },
    ]),
  );
});

parse('reads withdrawn candidates and a [tie] order', () => {
  const contest = parseBlt('3 1\n-2\n[tie 3 1 2]\n5 2 1 0\n0\n"A"\n"B"\n"C"\n"T"\n');
  assert.equal(contest.profile.withdrawn, ['B']);
  assert.equal(contest.lotOrder, ['C', 'A', 'B']);
});

parse('reads every fixture; ballot totals agree with the reference results', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.blt'))) {
    const contest = parseBlt(readFileSync(new URL(file, DIR), 'utf8'));
    const expected = JSON.parse(
      readFileSync(new URL(file.replace(/\.blt$/, '.expected.json'), DIR), 'utf8'),
    );
    const total = contest.profile.ballots.reduce((sum, b) => sum + BigInt(b.count), 0n);
    assert.is(total, BigInt(expected.ballots), file);
  }
});

const errors: [string, string, number, RegExp][] = [
  ['a bad header', 'x 1\n0\n"A"\n"T"\n', 1, /number of candidates/],
  ['zero seats', '1 0\n0\n"A"\n"T"\n', 1, /number of seats/],
  ['a candidate out of range', '2 1\n1 1 3 0\n0\n"A"\n"B"\n"T"\n', 2, /from 1 to 2/],
  ['a candidate twice', '2 1\n1 1 0\n1 2 1 2 0\n0\n"A"\n"B"\n"T"\n', 3, /ranked twice/],
  ['a ballot not ended on its line', '2 1\n1 1 2\n0\n"A"\n"B"\n"T"\n', 2, /end with 0/],
  ['an equal ranking', '2 1\n1 1=2 0\n0\n"A"\n"B"\n"T"\n', 2, /equal rankings/],
  ['a ballot id', '2 1\n(b1) 1 2 0\n0\n"A"\n"B"\n"T"\n', 2, /ballot ids/],
  ['no end of ballots', '2 1\n1 1 2 0\n', 2, /ends before/],
  ['an unquoted name', '2 1\n1 1 0\n0\nA\n"B"\n"T"\n', 4, /quoted name/],
  ['a missing title', '2 1\n1 1 0\n0\n"A"\n"B"\n', 5, /title/],
  ['duplicate names', '2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 5, /same name/],
  ['text after the title', '1 1\n1 1 0\n0\n"A"\n"T"\n7\n', 6, /after the title/],
  ['an unclosed quote', '1 1\n1 1 0\n0\n"A\n"T"\n', 4, /not closed/],
  ['an unknown option', '1 1\n[nick a]\n1 1 0\n0\n"A"\n"T"\n', 2, /unsupported option/],
  ['a withdrawn number out of range', '2 1\n-3\n1 1 0\n0\n"A"\n"B"\n"T"\n', 2, /from 1 to 2/],
];

for (const [what, text, line, message] of errors) {
  parse(`refuses ${what}, naming line ${line}`, () => {
    try {
      parseBlt(text);
    } catch (error) {
      assert.instance(error, BltSyntaxError);
      assert.is((error as BltSyntaxError).line, line);
      assert.is((error as BltSyntaxError).code, 'BLT_SYNTAX');
      assert.match((error as Error).message, message);
      assert.match((error as Error).message, `BLT line ${line}:`);
      return;
    }
    assert.unreachable('parsed a malformed file');
  });
}

const format = suite('blt format');

format('writes a contest that parses back to itself', () => {
  const board = board2024([
    { ranking: ['Cy', 'Ann Smith'], count: 3n },
    { ranking: [], count: 1n },
  ]);
  const contest = {
    ...board,
    profile: { ...board.profile, withdrawn: ['Bob'] },
    lotOrder: ['Bob', 'Cy', 'Ann Smith'],
  };
  const text = formatBlt(contest);
  assert.is(
    text,
    '3 2\n-2\n[tie 2 3 1]\n3 3 1 0\n1 0\n0\n"Ann Smith"\n"Bob"\n"Cy"\n"Board 2024"\n',
  );
  assert.equal(parseBlt(text), contest);
});

format('every fixture survives a round trip', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.blt'))) {
    const contest = parseBlt(readFileSync(new URL(file, DIR), 'utf8'));
    assert.equal(parseBlt(formatBlt(contest)), contest, file);
  }
});

format('refuses a name BLT cannot quote', () => {
  const profile = { options: ['say "hi"'], ballots: [{ ranking: ['say "hi"'], count: 1 }] };
  assert.throws(() => formatBlt({ title: 'T', seats: 1, profile }), /cannot quote/);
});

parse.run();
format.run();
