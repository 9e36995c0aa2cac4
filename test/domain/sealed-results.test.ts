// Sealed results, given events, no I/O: a poll created `results: "afterClose"` is sealed until
// its close barrier is committed in every shard, and its sealed forms carry no option.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { voterVote } from '../../src/domain/fold-lookup.ts';
import { pollFinal } from '../../src/domain/fold-progress.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { pollResult } from '../../src/domain/poll-results.ts';
import {
  definePoll,
  isRefusal,
  type PollInput,
  pollCreatedVersion,
  pollDefinition,
} from '../../src/domain/poll-rules.ts';
import {
  isSealed,
  resultsRuleOf,
  sealedResult,
  sealVoterVote,
  servedTally,
} from '../../src/domain/sealed-results.ts';
import { ChainBuilder } from './chain-builder.ts';

const SEED = 'cd'.repeat(16);
const TAG_CHECK = 'A'.repeat(43);
const defined = (extra: Partial<PollInput> = {}): Poll => {
  const poll = definePoll({ id: 's', title: 'Sealed', options: ['a', 'b', 'c'], ...extra }, 1);
  if (isRefusal(poll)) throw new Error(poll.message);
  return poll;
};

const define = suite('a sealed poll: its definition and its PollCreated version');

define('afterClose is stored and makes PollCreated v5; live is stored as nothing', () => {
  const sealed = defined({ results: 'afterClose' });
  assert.is(sealed.results, 'afterClose');
  assert.is(resultsRuleOf(sealed), 'afterClose');
  assert.is(pollCreatedVersion(sealed), 5);
  assert.is(pollCreatedVersion(defined({ results: 'afterClose', voterAuth: 'token' })), 5);
  assert.is(pollCreatedVersion(defined({ results: 'afterClose', method: 'irv', seed: SEED })), 5);
  const secret = { secrecy: 'pseudonymous', tagCheck: TAG_CHECK } as const;
  assert.is(pollCreatedVersion(defined({ results: 'afterClose', ...secret })), 5);

  const live = defined({ results: 'live' });
  assert.not.ok('results' in live, 'a live poll keeps the form polls had before');
  assert.is(resultsRuleOf(live), 'live');
  assert.is(pollCreatedVersion(live), 1);
});

define('the rule is part of the definition: live and unset are one poll, sealed another', () => {
  assert.is(pollDefinition(defined({ results: 'live' })), pollDefinition(defined()));
  assert.is.not(pollDefinition(defined({ results: 'afterClose' })), pollDefinition(defined()));
});

define.run();

/** Two shards of poll "s": alice votes a,b in shard 0 and bob c in shard 1, both committed. */
function voted() {
  const logs = [new ChainBuilder(), new ChainBuilder()] as const;
  const shards = [createShardState(0), createShardState(1)];
  const apply = (i: 0 | 1, entry: Parameters<typeof evolveShard>[1]) =>
    evolveShard(shards[i]!, entry);
  apply(0, logs[0].vote('s', 'alice', ['a', 'b']));
  apply(0, logs[0].mark());
  apply(1, logs[1].vote('s', 'bob', ['c']));
  apply(1, logs[1].mark());
  apply(1, logs[1].vote('s', 'carol', ['a']));
  return { logs, shards, apply };
}

/** The option ids, and counts keyed by them, that appear anywhere in `value`. */
function perOption(value: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(value, (key, v) => {
    if (['a', 'b', 'c'].includes(key) || (Array.isArray(v) && v.some((x) => x === 'a'))) {
      found.push(key || JSON.stringify(v));
    }
    return v;
  });
  return found;
}

const seal = suite('sealed until final, then everything');

seal('final needs a committed barrier in every shard; closed in some is not final', () => {
  const { logs, shards, apply } = voted();
  const poll = defined({ results: 'afterClose' });
  assert.ok(isSealed(poll, shards));
  apply(0, logs[0].close('s'));
  apply(0, logs[0].mark());
  assert.not.ok(pollFinal('s', shards), 'shard 1 has no barrier');
  apply(1, logs[1].close('s'));
  assert.not.ok(pollFinal('s', shards), "shard 1's barrier is not committed");
  assert.ok(isSealed(poll, shards));
  apply(1, logs[1].mark());
  assert.ok(pollFinal('s', shards));
  assert.not.ok(isSealed(poll, shards));
  assert.not.ok(pollFinal('s', []), 'no shards: nothing is final');
});

seal('a live poll is never sealed', () => {
  assert.not.ok(isSealed(defined(), voted().shards));
});

seal('the sealed tally is the turnout: ballots, revotes, shard progress, no option', () => {
  const { shards } = voted();
  const served = servedTally(defined({ results: 'afterClose' }), shards);
  assert.equal(served, {
    pollId: 's',
    ballots: { finalized: 2, pending: 1 },
    revotesPending: 0,
    shards: [
      { shard: 0, appliedSeq: 1, committedSeq: 1 },
      { shard: 1, appliedSeq: 2, committedSeq: 1 },
    ],
    sealed: true,
  });
  assert.equal(perOption(served), []);
  const live = servedTally(defined(), shards);
  assert.not.ok('sealed' in live, 'a live tally is what it was before sealing');
  assert.equal('finalized' in live && live.finalized, { a: 1, b: 1, c: 1 });
});

seal('the sealed result counts ballots of the scope asked and nothing else', () => {
  const { shards } = voted();
  for (const poll of [
    defined({ results: 'afterClose' }),
    defined({ results: 'afterClose', method: 'irv', seed: SEED }),
  ]) {
    const method = poll.method ?? 'plurality';
    assert.equal(sealedResult(poll, shards, 'finalized'), {
      pollId: 's',
      method,
      provisional: false,
      sealed: true,
      ballots: '2',
    });
    assert.equal(sealedResult(poll, shards, 'pending'), {
      pollId: 's',
      method,
      provisional: true,
      sealed: true,
      ballots: '3',
    });
  }
});

seal('a weighted poll: the turnout is its ballots and their weight, and its roll', () => {
  const log = new ChainBuilder();
  const shard = createShardState(0);
  for (const entry of [
    log.roll('s', [
      { voterId: 'ann', weight: 3 },
      { voterId: 'bo', weight: 1_000_000_000_000 },
      { voterId: 'cy', weight: 2 },
    ]),
    log.weighted('s', 'ann', ['a'], 3),
    log.weighted('s', 'bo', ['b'], 1_000_000_000_000),
  ])
    evolveShard(shard, entry);
  evolveShard(shard, log.mark());
  evolveShard(shard, log.weighted('s', 'cy', ['c'], 2));
  const poll = { ...defined({ results: 'afterClose' }), roll: true, weighted: true } as Poll;
  const tally = servedTally(poll, [shard]);
  assert.equal(perOption(tally), []);
  assert.equal(tally.ballots, { finalized: 2, pending: 1 });
  assert.equal(tally.weight, { finalized: 1_000_000_000_003, pending: 2 });
  assert.equal(tally.roll, { voters: 3, weight: 1_000_000_000_005 });
  // The full result's turnout fields, in the same form: ballots by weight, voters counted.
  assert.equal(sealedResult(poll, [shard], 'pending'), {
    pollId: 's',
    method: 'plurality',
    provisional: true,
    sealed: true,
    ballots: '1000000000005',
    weighted: true,
    voters: '3',
    roll: { voters: '3', weight: '1000000000005' },
  });
  assert.is(sealedResult(poll, [shard], 'finalized').ballots, '1000000000003');
  for (const scope of ['finalized', 'pending'] as const) {
    const { ballots, weighted, voters, roll } = pollResult(poll, [shard], scope);
    const sealed = sealedResult(poll, [shard], scope);
    assert.equal(
      {
        ballots: sealed.ballots,
        weighted: sealed.weighted,
        voters: sealed.voters,
        roll: sealed.roll,
      },
      { ballots, weighted, voters, roll },
      `the ${scope} turnout as the full result gives it`,
    );
  }
});

seal("a sealed voter's vote says when, not what", () => {
  const { shards } = voted();
  const vote = voterVote(shards[0] as ShardState, 's', 'alice')!;
  assert.equal(vote.choices, ['a', 'b']);
  assert.equal(sealVoterVote(vote), {
    pollId: 's',
    voterId: 'alice',
    seq: 1,
    status: 'finalized',
    finalized: { seq: 1 },
    sealed: true,
  });
  const pending = voterVote(shards[1] as ShardState, 's', 'carol')!;
  assert.equal(sealVoterVote(pending).finalized, null);
  assert.equal(perOption(sealVoterVote(pending)), []);
});

seal.run();
