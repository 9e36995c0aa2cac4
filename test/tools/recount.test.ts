// The recount of an export (`tally --from-file`) and its text, from hand-built boards: no I/O.
// Which polls it reports (only those the file holds), when a poll is final (the nodes' rule),
// and that the text shows what the JSON shows: state, winners, weight, roll.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { pollCreatedVersion } from '../../src/domain/poll-rules.ts';
import { describeRecount } from '../../src/tools/count-summary.ts';
import { recountLines } from '../../src/tools/recount.ts';
import { ChainBuilder } from '../domain/chain-builder.ts';

const recounted = suite('tally --from-file: what a recount reports, and its text');

const line = (entry: object, shard?: number) =>
  JSON.stringify(shard === undefined ? entry : { ...entry, shard });
const created = (poll: Poll) =>
  line({ type: 'PollCreated', v: pollCreatedVersion(poll), poll, id: '0-1' });
const closed = (pollId: string) =>
  line({ type: 'PollClosed', v: 1, pollId, at: 1_700_000_000_000, by: 'schedule', id: '9-0' });

const LUNCH: Poll = {
  id: 'lunch',
  title: 'Lunch?',
  options: [{ id: 'pizza' }, { id: 'sushi' }],
  maxChoices: 1,
  revote: 'replace',
  createdAt: 1_700_000_000_000,
};

/**
 * A board of `lunch` over two shards: alice and bob chose pizza (shard 0), carol sushi (shard
 * 1); then the poll closed. `commitShard1Close`: whether shard 1's marker covers its barrier.
 */
function lunchBoard(commitShard1Close: boolean): string[] {
  const [s0, s1] = [new ChainBuilder(), new ChainBuilder()];
  return [
    created(LUNCH),
    line(s0.vote('lunch', 'alice', ['pizza']), 0),
    line(s0.vote('lunch', 'bob', ['pizza']), 0),
    line(s1.vote('lunch', 'carol', ['sushi']), 1),
    line(s1.mark(), 1),
    closed('lunch'),
    line(s0.close('lunch'), 0),
    line(s0.mark(), 0),
    line(s1.close('lunch'), 1),
    ...(commitShard1Close ? [line(s1.mark(), 1)] : []),
  ];
}

recounted(
  'a poll whose barrier is committed in every shard is final, and the text says so',
  async () => {
    const { summary } = await recountLines(lunchBoard(true));
    assert.equal(summary.problems, []);
    const [poll] = summary.polls;
    assert.is(poll?.closed, true);
    assert.is(poll?.final, true);
    const text = describeRecount(summary);
    assert.is(text[0], 'poll lunch "Lunch?" (final)');
    assert.ok(text.includes('  winners: pizza'), text.join('\n'));
  },
);

recounted('closed, one barrier not committed: closed, not final', async () => {
  const { summary } = await recountLines(lunchBoard(false));
  assert.is(summary.polls[0]?.closed, true);
  assert.is(summary.polls[0]?.final, false);
  assert.is(describeRecount(summary)[0], 'poll lunch "Lunch?" (closed)');
});

recounted('a plurality poll shows the winners its result has, or none', async () => {
  const tied = [created(LUNCH)];
  const { summary: empty } = await recountLines(tied);
  assert.equal(empty.polls[0]?.result?.winners, []);
  // Open polls: the winners so far, said not to be final.
  assert.ok(describeRecount(empty).includes('  winners so far (not final): (none)'));
  const { summary } = await recountLines(lunchBoard(true));
  assert.equal(summary.polls[0]?.result?.winners, ['pizza']);
});

recounted(
  'a ranked poll: its count\'s winners are "so far (not final)" until it is final',
  async () => {
    const poll: Poll = {
      ...LUNCH,
      id: 'chair',
      title: 'Chair',
      method: 'irv',
      seed: '0f'.repeat(16),
    };
    const s0 = new ChainBuilder();
    const open = [
      created(poll),
      line(s0.rank('chair', 'alice', ['sushi', 'pizza']), 0),
      line(s0.rank('chair', 'bob', ['sushi']), 0),
      line(s0.mark(), 0),
    ];
    const { summary: now } = await recountLines(open);
    assert.equal(now.problems, []);
    assert.equal(now.polls[0]?.result?.winners, ['sushi']);
    const text = describeRecount(now);
    assert.ok(text.includes('  winners so far (not final): sushi'), text.join('\n'));
    assert.not.ok(text.includes('  winners: sushi'), text.join('\n'));
    const { summary: final } = await recountLines([
      ...open,
      closed('chair'),
      line(s0.close('chair'), 0),
      line(s0.mark(), 0),
    ]);
    assert.is(final.polls[0]?.final, true);
    assert.ok(
      describeRecount(final).includes('  winners: sushi'),
      describeRecount(final).join('\n'),
    );
  },
);

recounted('a weighted poll shows its weight and its roll, as the JSON has them', async () => {
  const poll: Poll = {
    ...LUNCH,
    id: 'board',
    title: 'Board',
    roll: true,
    weighted: true,
  };
  const s0 = new ChainBuilder();
  const lines = [
    created(poll),
    line(
      s0.roll('board', [
        { voterId: 'alice', weight: 30 },
        { voterId: 'bob', weight: 5 },
        { voterId: 'carol', weight: 15 },
      ]),
      0,
    ),
    line(s0.weighted('board', 'alice', ['sushi'], 30), 0),
    line(s0.weighted('board', 'bob', ['pizza'], 5), 0),
    line(s0.mark(), 0),
  ];
  const { summary } = await recountLines(lines);
  assert.equal(summary.problems, []);
  const [tally] = summary.polls;
  assert.equal(tally?.weight, { finalized: 35, pending: 0 });
  assert.equal(tally?.roll, { voters: 3, weight: 50 });
  assert.equal(tally?.result?.winners, ['sushi']);
  const text = describeRecount(summary);
  assert.is(text[0], 'poll board "Board" (open)');
  assert.ok(text.includes('  ballots: 2 finalized, 0 pending'), text.join('\n'));
  assert.ok(
    text.includes('  weight: 35 finalized, 0 pending (the option figures are weights)'),
    text.join('\n'),
  );
  assert.ok(text.includes('  roll: 3 voters, weight 50'), text.join('\n'));
  assert.ok(text.includes('  winners so far (not final): sushi'), text.join('\n'));
});

recounted('--poll of a poll the file does not hold: no tally of it, one problem', async () => {
  const { summary } = await recountLines(lunchBoard(true), 'nosuch');
  assert.equal(summary.polls, []);
  assert.equal(summary.problems, ['poll nosuch is not in the file']);
});

recounted('a file of markers and runs only, no poll in it, is a problem', async () => {
  // What `replay --poll nosuch` wrote before it checked the poll: other polls' runs and markers.
  const s0 = new ChainBuilder();
  s0.vote('other', 'alice', ['a']);
  s0.vote('other', 'bob', ['b']);
  const lines = [
    line({ type: 'ElidedRun', fromSeq: 1, seq: 2, hash: s0.head, id: '2-0' }, 0),
    line(s0.mark(), 0),
  ];
  const { summary } = await recountLines(lines);
  assert.equal(summary.polls, []);
  assert.is(summary.markers, 1);
  assert.equal(summary.problems, [
    'the file holds no poll: no PollCreated line and no entry of a poll',
  ]);
  const { summary: empty } = await recountLines([]);
  assert.is(empty.problems.length, 1);
});

recounted(
  'a poll with entries but no PollCreated is tallied, without a result, and a problem',
  async () => {
    const without = lunchBoard(true).filter((l) => !l.includes('"PollCreated"'));
    const { summary } = await recountLines(without);
    assert.is(summary.polls.length, 1);
    assert.is(summary.polls[0]?.result, undefined);
    assert.equal(summary.problems, [
      'poll lunch has entries but no PollCreated in the file: no result',
    ]);
  },
);

recounted.run();
