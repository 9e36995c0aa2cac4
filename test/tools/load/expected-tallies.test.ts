import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedTallies } from '../../../src/tools/load/verify.ts';
import { seededRandom, VoteSource } from '../../../src/tools/load/votes.ts';

const expected = suite('load --verify: the tally every target must show');

const vote = (voterId: string, choice: string, voteId = `${voterId}-${choice}`) => ({
  pollId: 'p',
  voterId,
  voteId,
  choices: [choice],
});

expected('a voter counts once, by the acknowledged vote with the highest seq', () => {
  const tallies = expectedTallies(
    ['p', 'q'],
    new Map([
      ['p', ['a', 'b']],
      ['q', ['x']],
    ]),
    [
      { vote: vote('v1', 'b'), seq: 9 },
      { vote: vote('v1', 'a'), seq: 4 },
      { vote: vote('v2', 'a'), seq: 5 },
    ],
  );
  assert.equal(tallies.get('p'), { tally: { a: 1, b: 1 }, ballots: 2 });
  assert.equal(tallies.get('q'), { tally: { x: 0 }, ballots: 0 });
});

expected.run();

const source = suite('load: the votes it sends');

source('the same seed draws the same votes, apart from the voteIds', () => {
  const draw = () => {
    const s = new VoteSource(
      { seed: 3, voters: 5, duplicates: 0.2, revotes: 0.2 },
      ['p'],
      new Map([['p', ['a', 'b', 'c']]]),
    );
    const out = [];
    for (let i = 0; i < 50; i++) {
      const v = s.next();
      s.acknowledged(v);
      out.push(`${v.voterId}:${v.choices.join()}`);
    }
    return out;
  };
  assert.equal(draw(), draw());
});

source('duplicates repeat an acknowledged vote, voteId and all', () => {
  const s = new VoteSource(
    { seed: 1, voters: 1000, duplicates: 1, revotes: 0 },
    ['p'],
    new Map([['p', ['a']]]),
  );
  const first = s.next();
  s.acknowledged(first);
  assert.is(s.next(), first);
});

source('the PRNG stays in [0, 1)', () => {
  const r = seededRandom(42);
  for (let i = 0; i < 10_000; i++) {
    const x = r();
    assert.ok(x >= 0 && x < 1);
  }
});

source.run();
