// A poll's result as GET /polls/:pollId/results and a recount give it: a ranked poll counted by
// its method from the rankings the fold keeps, a plurality poll from its tally. Pure.

import { type CountRules, countBallots } from './count/count-ballots.ts';
import type { CountResult } from './count/result.ts';
import type { Poll } from './events.ts';
import { asFold, type ShardState } from './fold-state.ts';
import { compiledRankings, type ProfileScope } from './ranking-profile.ts';
import { hasRoll, isWeighted } from './roll.ts';
import { type PollTally, tallyPoll } from './tally.ts';

/** A plurality (or approval) poll's result: one round, the options with the most votes win. */
export interface PluralityResult {
  method: 'plurality';
  /** Options a ballot may choose (approval when > 1). */
  maxChoices: number;
  /** Every option with the highest count: more than one on a tie (plurality draws no lot). */
  winners: string[];
  rounds: [{ round: 1; tally: Record<string, string> }];
  tieBreaks: [];
  ballots: string;
  exhausted: '0';
}

/**
 * What the API and a recount serve: the count, and which ballots it counts. The log position
 * counted is not part of it (other polls move it while this poll's result stays the same), so
 * a recount of an export equals the live result byte for byte.
 */
export type PollResult = (CountResult | PluralityResult) & {
  pollId: string;
  /** Counting every voter's latest ballot (`?include=pending`), not only finalized ones. */
  provisional: boolean;
} & RollFigures;

/**
 * What a poll with a roll adds to its result (absent elsewhere, so other polls' results are
 * as before). A weighted poll counts every ballot by its weight: each quantity of the count
 * (tallies, quota, transfers, `ballots`, `exhausted`) is a weight, `weighted` says so and
 * `voters` is the number of ballots counted. `roll`: the voters on the roll and their weight.
 */
export interface RollFigures {
  weighted?: true;
  voters?: string;
  roll?: { voters: string; weight: string };
}

/** The counting rules a ranked poll's definition records. */
export function countRulesOf(poll: Poll): CountRules {
  const seed = poll.seed ?? '';
  switch (poll.method) {
    case 'irv':
      return { method: 'irv', seed, batchElimination: poll.batchElimination === true };
    case 'stv':
      return { method: 'stv', seed, seats: poll.seats ?? 2 };
    case 'schulze':
      return { method: 'schulze', seed };
    default:
      throw new TypeError(`poll ${poll.id} is not ranked`);
  }
}

/**
 * A key that changes whenever the counts `pollResult(poll, shards, scope)` reads change: each
 * shard's change mark for the poll (finalized counts, or any count for `pending`). Cheap, so a
 * cache can be asked first; other polls' votes and commits do not change it, and a final
 * poll's never changes again.
 */
export function resultKey(
  pollId: string,
  shards: readonly ShardState[],
  scope: ProfileScope,
): string {
  return shards
    .map((state) => {
      const fold = asFold(state);
      const index = fold.pollIndex.get(pollId);
      if (index === undefined) return 0;
      const poll = fold.polls[index]!;
      return scope === 'finalized' ? poll.finalizedChange : poll.change;
    })
    .join(',');
}

/**
 * Counts `poll` over `shards` (every shard once): its finalized ballots, or with `pending` every
 * voter's latest ballot (provisional). Ranked polls: src/domain/count (IRV, Scottish STV,
 * Schulze) over the distinct rankings; plurality: the tally.
 */
export function pollResult(
  poll: Poll,
  shards: readonly ShardState[],
  scope: ProfileScope,
): PollResult {
  const base = { pollId: poll.id, provisional: scope === 'pending' };
  const tally = tallyPoll(poll.id, shards, poll);
  if (poll.method === undefined) {
    const counts = Object.entries(tally.finalized).map(([option, n]) => {
      const pending = scope === 'pending' ? (tally.pending[option] ?? 0) : 0;
      return [option, n + pending] as const;
    });
    const top = Math.max(0, ...counts.map(([, n]) => n));
    const counted = isWeighted(poll) ? tally.weight! : tally.ballots;
    const ballots = counted.finalized + (scope === 'pending' ? counted.pending : 0);
    return {
      ...base,
      method: 'plurality',
      maxChoices: poll.maxChoices,
      winners: top > 0 ? counts.filter(([, n]) => n === top).map(([option]) => option) : [],
      rounds: [{ round: 1, tally: Object.fromEntries(counts.map(([o, n]) => [o, String(n)])) }],
      tieBreaks: [],
      ballots: String(ballots),
      exhausted: '0',
      ...rollFigures(poll, tally, scope),
    };
  }
  const options = poll.options.map((o) => o.id);
  const profile = compiledRankings(poll.id, options, shards, scope);
  return rankedResult(poll, scope, countBallots(profile, countRulesOf(poll)), tally);
}

/**
 * A ranked poll's count as the API serves it: the poll id and scope, then the count, then
 * (a poll with a roll) its roll figures from `tally`.
 */
export function rankedResult(
  poll: Poll,
  scope: ProfileScope,
  count: CountResult,
  tally?: PollTally,
): PollResult {
  return {
    pollId: poll.id,
    provisional: scope === 'pending',
    ...count,
    ...(tally ? rollFigures(poll, tally, scope) : {}),
  };
}

/** The roll figures of `poll`'s result in `scope`; nothing for a poll without a roll. */
export function rollFigures(poll: Poll, tally: PollTally, scope: ProfileScope): RollFigures {
  if (!hasRoll(poll)) return {};
  const voters = tally.ballots.finalized + (scope === 'pending' ? tally.ballots.pending : 0);
  const roll = tally.roll ?? { voters: 0, weight: 0 };
  return {
    ...(isWeighted(poll) ? { weighted: true as const, voters: String(voters) } : {}),
    roll: { voters: String(roll.voters), weight: String(roll.weight) },
  };
}
