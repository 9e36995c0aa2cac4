// Every public contest in test/fixtures/ranked, counted by the pure tabulators and compared
// with its published reference result (RCTab's reports for IRV, Droop's for Scottish STV).
import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBlt } from '../../../src/domain/count/blt.ts';
import { countIrv } from '../../../src/domain/count/irv.ts';
import { countScottishStv } from '../../../src/domain/count/stv-scottish.ts';
import { assertIrvConserved, assertStvConserved } from './conservation.ts';

const DIR = new URL('../../fixtures/ranked/', import.meta.url);
const contests = readdirSync(DIR)
  .filter((file) => file.endsWith('.blt'))
  .map((file) => file.slice(0, -'.blt'.length))
  .sort();
const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');

interface IrvExpected {
  method: 'irv';
  options: { batchElimination: boolean };
  winners: string[];
  rounds: {
    round: number;
    tally: Record<string, string>;
    elected: string[];
    eliminated: string[];
    threshold: string;
  }[];
  ballots: number;
}
interface StvExpected {
  method: 'stv';
  seats: number;
  ballots: number;
  quota: string;
  elected: string[];
  finalVotes: Record<string, string>;
  nonTransferable: string;
  stages: number;
}

const reference = suite('reference contests');

reference('the fixtures hold the 8 IRV and 5 Scottish STV contests', () => {
  const methods = contests.map((name) => JSON.parse(read(`${name}.expected.json`)).method);
  assert.is(methods.filter((m) => m === 'irv').length, 8);
  assert.is(methods.filter((m) => m === 'stv').length, 5);
});

for (const name of contests) {
  const contest = parseBlt(read(`${name}.blt`));
  const expected = JSON.parse(read(`${name}.expected.json`)) as IrvExpected | StvExpected;

  if (expected.method === 'irv') {
    reference(`${name}: IRV winner and every round's tally, threshold and elimination`, () => {
      const result = countIrv(contest.profile, {
        seed: name,
        batchElimination: expected.options.batchElimination,
      });
      assert.equal(result.winners, expected.winners);
      assert.equal(
        result.rounds.map(({ round, tally, elected, eliminated, threshold }) => ({
          round,
          tally,
          elected,
          eliminated,
          threshold,
        })),
        expected.rounds,
      );
      assert.is(result.ballots, String(expected.ballots));
      assert.equal(result.tieBreaks, []);
      assertIrvConserved(result);
    });
  } else {
    reference(
      `${name}: STV order of election, quota, final votes, non-transferable, stages`,
      () => {
        const result = countScottishStv(contest.profile, {
          seats: contest.seats,
          seed: name,
          // Droop draws a lot as the first tied candidate in its tie order, which is the ballot
          // order unless the file has a [tie] line (weak-surplus ends in one such lot).
          lotOrder: contest.lotOrder ?? contest.profile.options,
        });
        assert.is(contest.seats, expected.seats);
        assert.equal(result.winners, expected.elected);
        assert.is(result.quota, expected.quota);
        assert.equal(result.finalVotes, expected.finalVotes);
        assert.is(result.exhausted, expected.nonTransferable);
        // Droop numbers the first-preference count round 0; here it is stage 1.
        assert.is(result.rounds.length - 1, expected.stages);
        assert.is(BigInt(result.ballots) - BigInt(result.blank), BigInt(expected.ballots));
        assertStvConserved(result);
      },
    );
  }
}

reference.run();
