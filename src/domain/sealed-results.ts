// Sealed results: a poll created `results: "afterClose"` shows, until it is final, its turnout
// and nothing per option — in its tally, its live tally (SSE), its results and a voter's
// counted vote. Every read path asks `isSealed` and serves the sealed form these functions
// make; there is no other way in, and no admin bypass. Pure: the caller passes the fold.
import type { CountingMethod, Poll } from './events.ts';
import type { VoterVote } from './fold-lookup.ts';
import { pollFinal } from './fold-progress.ts';
import type { ShardState } from './fold-state.ts';
import { type RollFigures, rollFigures } from './poll-results.ts';
import { methodOf } from './poll-rules.ts';
import type { ProfileScope } from './ranking-profile.ts';
import { isWeighted } from './roll.ts';
import { type PollTally, tallyPoll } from './tally.ts';

/** When a poll's per-option figures may be read: always, or once the poll is final. */
export type ResultsRule = 'live' | 'afterClose';

/** A poll's rule (`live` when its definition names none, as every poll before sealing). */
export function resultsRuleOf(poll: Poll): ResultsRule {
  return poll.results ?? 'live';
}

/**
 * Whether `poll`'s per-option figures are hidden now: it is `afterClose` and not final in this
 * fold (pollFinal: its close barrier committed in every shard). Closed is not enough: until
 * every barrier is committed, a node may still count a ballot that came before it.
 */
export function isSealed(poll: Poll, shards: readonly ShardState[]): boolean {
  return resultsRuleOf(poll) === 'afterClose' && !pollFinal(poll.id, shards);
}

/**
 * A sealed poll's tally: the tally without its per-option maps. What stays is the turnout:
 * `ballots` (voters counted, finalized and pending), a weighted poll's total `weight` of those
 * ballots, a poll's `roll` (voters on it and their weight), revotes and shard progress.
 */
export type SealedTally = Omit<PollTally, 'finalized' | 'pending'> & { sealed: true };

/** Drops every per-option figure of `tally`. */
export function sealTally(tally: PollTally): SealedTally {
  const { finalized: _finalized, pending: _pending, ...turnout } = tally;
  return { ...turnout, sealed: true };
}

/** The tally a node serves of `poll`: sealed (sealTally) while `isSealed`, else the tally. */
export function servedTally(poll: Poll, shards: readonly ShardState[]): PollTally | SealedTally {
  const tally = tallyPoll(poll.id, shards, poll);
  return isSealed(poll, shards) ? sealTally(tally) : tally;
}

/**
 * What GET /polls/:pollId/results serves of a sealed poll: which count was asked for and the
 * turnout it would count, in the fields the full result gives it — `ballots` (a decimal
 * string; a weighted poll's is their weight, as in its count) and a poll with a roll's
 * `weighted`, `voters`, `roll` (rollFigures) — and no winners, rounds or tallies.
 */
export type SealedResult = {
  pollId: string;
  method: CountingMethod;
  provisional: boolean;
  sealed: true;
  ballots: string;
} & RollFigures;

/** The sealed result of `poll` for `scope`: the turnout from the tally, nothing counted. */
export function sealedResult(
  poll: Poll,
  shards: readonly ShardState[],
  scope: ProfileScope,
): SealedResult {
  const tally = tallyPoll(poll.id, shards, poll);
  const counted = isWeighted(poll) ? tally.weight! : tally.ballots;
  return {
    pollId: poll.id,
    method: methodOf(poll),
    provisional: scope === 'pending',
    sealed: true,
    ballots: String(counted.finalized + (scope === 'pending' ? counted.pending : 0)),
    ...rollFigures(poll, tally, scope),
  };
}

/** A voter's counted vote without its choices: that, and when, they voted. */
export type SealedVoterVote = Omit<VoterVote, 'choices' | 'finalized'> & {
  finalized: { seq: number } | null;
  sealed: true;
};

/** Drops the choices of a voter's counted vote (anyone may ask for any voter id). */
export function sealVoterVote(vote: VoterVote): SealedVoterVote {
  const { choices: _choices, finalized, ...rest } = vote;
  return { ...rest, finalized: finalized && { seq: finalized.seq }, sealed: true };
}
