import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ElidedRun, ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { PollExport } from '../../src/domain/poll-export.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';

const exported = suite('a poll export with other polls elided');

/** p and q interleaved; markers inside q's runs, at p's votes and at the head. */
function mixedLog(): { log: ChainBuilder; entries: ShardEvent[] } {
  const log = new ChainBuilder();
  const entries: ShardEvent[] = [
    log.vote('q', 'x1', ['a']),
    log.vote('q', 'x2', ['b']),
    log.vote('p', 'alice', ['a']),
    log.vote('q', 'x3', ['a']),
    log.vote('q', 'x4', ['a']),
  ];
  entries.push(log.mark(4)); // inside q's run 4…5
  entries.push(log.vote('p', 'bob', ['b']), log.vote('q', 'x5', ['b']), log.mark(6));
  entries.push(log.vote('p', 'alice', ['b']), log.vote('q', 'x6', ['a']), log.close('p'));
  entries.push(log.vote('q', 'x7', ['a']), log.mark(9), log.vote('q', 'x8', ['b']));
  return { log, entries };
}

function exportOf(pollId: string, entries: ShardEvent[]): (ShardEvent | ElidedRun)[] {
  const poll = new PollExport(pollId);
  const out = entries.flatMap((e) => poll.accept(0, e));
  return [...out, ...poll.finish().map((f) => f.run)];
}

function fold(entries: (ShardEvent | ElidedRun)[]): { state: ShardState; outcomes: string[] } {
  const state = createShardState(0);
  const outcomes = entries.map((e) => {
    const o = evolveShard(state, e);
    return o.kind === 'applied' ? 'applied' : JSON.stringify(o);
  });
  return { state, outcomes };
}

exported('recounts the poll exactly as the whole log does', () => {
  const { entries } = mixedLog();
  const whole = fold(entries);
  const part = fold(exportOf('p', entries));
  assert.ok(
    part.outcomes.every((o) => o === 'applied'),
    part.outcomes.join('\n'),
  );
  const pick = (s: ShardState) => {
    const { shards: _shards, ...t } = tallyPoll('p', [s]);
    return t;
  };
  assert.equal(pick(part.state), pick(whole.state));
  assert.equal(pick(part.state).finalized, { a: 0, b: 2 });
  assert.is(part.state.appliedSeq, whole.state.appliedSeq);
  assert.is(part.state.headHash, whole.state.headHash);
  assert.is(part.state.committedSeq, 9);
});

exported('is much shorter than the log: runs of other polls become one line each', () => {
  const { entries } = mixedLog();
  const out = exportOf('p', entries);
  assert.equal(
    out.map((e) => (e.type === 'ElidedRun' ? `${e.fromSeq}…${e.seq}` : e.type)),
    [
      '1…2',
      'VoteCast',
      '4…5',
      'CommitMarked',
      'VoteCast',
      '7…7',
      'CommitMarked',
      'VoteCast',
      '9…9',
      'PollClosed',
      '11…11',
      'CommitMarked',
      '12…12',
    ],
  );
});

exported('a changed vote of the poll breaks the chain at its seq', () => {
  const { entries } = mixedLog();
  const out = exportOf('p', entries).map((e) =>
    e.type === 'VoteCast' && e.voterId === 'bob' ? { ...e, choices: ['a'] } : e,
  );
  const { outcomes } = fold(out);
  assert.ok(
    outcomes.includes(JSON.stringify({ kind: 'break', reason: 'hash', expectedSeq: 6, gotSeq: 6 })),
    outcomes.join('\n'),
  );
});

exported('a vote left out of the export is a gap', () => {
  const { entries } = mixedLog();
  const out = exportOf('p', entries).filter((e) => !(e.type === 'VoteCast' && e.voterId === 'bob'));
  const { outcomes } = fold(out);
  assert.ok(
    outcomes.some((o) => o.includes('"gap"')),
    outcomes.join('\n'),
  );
});

exported('a marker whose hash disagrees at a seq the export shows is rejected', () => {
  const { log, entries } = mixedLog();
  const out = exportOf('p', entries).map((e) =>
    e.type === 'CommitMarked' && e.seq === 6 ? { ...e, hash: log.hashes[5]! } : e,
  );
  const { outcomes } = fold(out);
  assert.ok(
    outcomes.some((o) => o.includes('commit-rejected')),
    outcomes.join('\n'),
  );
});

exported('a long run, past the first tail capacity, keeps every hash a marker needs', () => {
  const log = new ChainBuilder();
  const entries: ShardEvent[] = [log.vote('p', 'alice', ['a'])];
  for (let i = 0; i < 5000; i++) entries.push(log.vote('q', `x${i}`, ['a']));
  entries.push(log.vote('p', 'bob', ['b']));
  // Markers inside the run (unchecked), at the run's end, and at p's votes (checked).
  entries.push(log.mark(2500), log.mark(4000), log.mark(5001), log.mark(5002));
  const part = fold(exportOf('p', entries));
  assert.ok(
    part.outcomes.every((o) => o === 'applied'),
    part.outcomes.filter((o) => o !== 'applied').join('\n'),
  );
  assert.equal(tallyPoll('p', [part.state]).finalized, { a: 1, b: 1 });
  assert.is(part.state.committedSeq, 5002);
});

exported.run();
