// given / when / then for the shard fold, so that an expectation reads as one statement:
//
//   const state = given([log.vote('p', 'alice', ['a'])]);
//   then(when(state, log.mark()), { outcome: APPLIED, finalized: { a: 1 }, committedSeq: 1 });
//
// Tests import `thenFold as then`. `then` is a plain function, not a method of a scenario
// object, and not exported under that name either: an object, or a module namespace, with a
// `then` is a thenable. `await import()` of this file (uvu imports every file a test pattern
// matches, helpers included, e.g. 'domain/') would call it and never resolve.
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard, type FoldOutcome } from '../../src/domain/fold.ts';
import {
  type VoterVote,
  type VoteStatus,
  voterVote,
  voteStatusAt,
} from '../../src/domain/fold-lookup.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { type PollTally, tallyPoll } from '../../src/domain/tally.ts';

export const APPLIED: FoldOutcome = { kind: 'applied' };

/** given: a new shard state with `entries` folded in order; each one must apply. */
export function given(entries: ShardEvent[], shard = 0): ShardState {
  const state = createShardState(shard);
  for (const entry of entries) {
    const outcome = evolveShard(state, entry);
    assert.equal(outcome, APPLIED, `given entries apply (${JSON.stringify(outcome)})`);
  }
  return state;
}

/** One entry folded by `when`: the state after it, what the fold answered, the digest before. */
export interface Step {
  state: ShardState;
  outcome: FoldOutcome;
  digestBefore: string;
}

/** when: one more entry folded into `state` (with `payload`, the stream bytes the reader passes). */
export function when(state: ShardState, entry: ShardEvent, payload?: string): Step {
  const digestBefore = digestShard(state);
  return { state, outcome: evolveShard(state, entry, payload), digestBefore };
}

/** What `then` checks; only the fields given. Tally fields are about `pollId` (default 'p'). */
export interface Expected extends Partial<Omit<PollTally, 'pollId' | 'shards'>> {
  /** What the fold answered to the `when` entry (needs a Step). */
  outcome?: FoldOutcome;
  /** The `when` entry left the state exactly as it was: same digest (needs a Step). */
  unchanged?: true;
  pollId?: string;
  appliedSeq?: number;
  committedSeq?: number;
  /** voteStatusAt per seq; undefined: no vote there. */
  statuses?: Record<number, VoteStatus | undefined>;
  /** voterVote per voter of `pollId` (which it echoes, with the voter's id); undefined: none. */
  voters?: Record<string, ExpectedVoter | undefined>;
}

/** What `then` expects of a voter's vote: all of voterVote's answer but the ids it echoes. */
export type ExpectedVoter = Omit<VoterVote, 'pollId' | 'voterId'>;

/** A voter's latest vote, at `seq` with `choices`, and the committed one counted (null: none). */
export function voter(
  seq: number,
  choices: string[],
  status: ExpectedVoter['status'],
  finalized: ExpectedVoter['finalized'],
): ExpectedVoter {
  return { seq, choices, status, finalized };
}

const TALLY_FIELDS = ['finalized', 'pending', 'ballots', 'revotesPending'] as const;

/** then: every expectation given holds for the state (after the step, for a Step). */
export function thenFold(subject: ShardState | Step, expected: Expected): void {
  const step = 'outcome' in subject ? subject : undefined;
  const state = step ? step.state : (subject as ShardState);
  const pollId = expected.pollId ?? 'p';
  if (expected.outcome !== undefined || expected.unchanged) {
    assert.ok(step, 'outcome and unchanged need a step: then(when(state, entry), …)');
  }
  if (expected.outcome !== undefined) assert.equal(step!.outcome, expected.outcome, 'outcome');
  if (expected.unchanged)
    assert.is(digestShard(state), step!.digestBefore, 'the state is unchanged');
  if (expected.appliedSeq !== undefined)
    assert.is(state.appliedSeq, expected.appliedSeq, 'appliedSeq');
  if (expected.committedSeq !== undefined)
    assert.is(state.committedSeq, expected.committedSeq, 'committedSeq');
  if (TALLY_FIELDS.some((field) => expected[field] !== undefined)) {
    const tally = tallyPoll(pollId, [state]);
    for (const field of TALLY_FIELDS) {
      if (expected[field] !== undefined)
        assert.equal(tally[field], expected[field], `${field} of ${pollId}`);
    }
  }
  for (const [seq, status] of Object.entries(expected.statuses ?? {})) {
    const want = status === undefined ? undefined : { seq: Number(seq), status };
    assert.equal(voteStatusAt(state, Number(seq)), want, `status at seq ${seq}`);
  }
  for (const [voterId, vote] of Object.entries(expected.voters ?? {})) {
    const want = vote === undefined ? undefined : { pollId, voterId, ...vote };
    assert.equal(voterVote(state, pollId, voterId), want, `vote of ${voterId} in ${pollId}`);
  }
}
