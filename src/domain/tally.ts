// The tally of one poll: the sum over shards of each shard's counts (shards never share a voter,
// so summing counts every voter once).
import type { Poll } from './events.ts';
import { asFold, optionCounts, type ShardState } from './fold-state.ts';
import { hasRoll, isWeighted } from './roll.ts';

export interface PollTally {
  pollId: string;
  /**
   * Per option: voters whose latest committed vote chose it (approval: each choice counts; a
   * ranked poll: first preferences only), each by its weight in a weighted poll.
   */
  finalized: Record<string, number>;
  /** Per option: voters with no committed vote yet, by their latest vote. */
  pending: Record<string, number>;
  /** finalized + pending = voters counted; finalized never decreases. */
  ballots: { finalized: number; pending: number };
  /** Voters counted in finalized whose later vote is not committed yet. */
  revotesPending: number;
  /**
   * A weighted poll: the weight of the ballots in `ballots` (its per-option figures are
   * weights too). Absent for other polls, whose ballots each weigh 1.
   */
  weight?: { finalized: number; pending: number };
  /** A poll with a roll: the voters on it and their total weight, from its RollChanged entries. */
  roll?: { voters: number; weight: number };
  /** The progress of every shard summed, by shard number. */
  shards: { shard: number; appliedSeq: number; committedSeq: number }[];
}

/**
 * Tallies `pollId` over `shards` (each shard once). With `poll`, every option of the poll is
 * listed, in the poll's order; options seen in votes but not in the poll (or all of them, without
 * `poll`) follow in sorted order. A ranked `poll` counts each ballot's first preference only
 * (its full count is the method's, in src/domain/count/).
 */
export function tallyPoll(pollId: string, shards: Iterable<ShardState>, poll?: Poll): PollTally {
  const finalized = new Map<string, number>();
  const pending = new Map<string, number>();
  for (const option of poll?.options ?? []) {
    finalized.set(option.id, 0);
    pending.set(option.id, 0);
  }
  const seen: string[] = [];
  const ballots = { finalized: 0, pending: 0 };
  const weight = { finalized: 0, pending: 0 };
  const roll = { voters: 0, weight: 0 };
  let revotesPending = 0;
  const progress: PollTally['shards'] = [];
  for (const state of shards) {
    const fold = asFold(state);
    progress.push({
      shard: fold.shard,
      appliedSeq: fold.appliedSeq,
      committedSeq: fold.committedSeq,
    });
    const index = fold.pollIndex.get(pollId);
    if (index === undefined) continue;
    const counts = fold.polls[index]!;
    const ranked = poll?.method !== undefined;
    const perOption = optionCounts(counts, ranked ? 'first' : 'every');
    const shardFinalized = perOption.finalized;
    const shardPending = perOption.pending;
    counts.options.forEach((option, i) => {
      if (!finalized.has(option)) seen.push(option);
      finalized.set(option, (finalized.get(option) ?? 0) + shardFinalized[i]!);
      pending.set(option, (pending.get(option) ?? 0) + shardPending[i]!);
    });
    ballots.finalized += counts.ballotsFinalized;
    ballots.pending += counts.ballotsPending;
    weight.finalized += counts.weightFinalized;
    weight.pending += counts.weightPending;
    roll.voters += counts.rollCount;
    roll.weight += counts.rollWeight;
    revotesPending += counts.revotesPending;
  }
  const order = [...(poll?.options.map((option) => option.id) ?? []), ...seen.sort()];
  // Object.fromEntries defines own properties, so an option id like "__proto__" stays data.
  return {
    pollId,
    finalized: Object.fromEntries(order.map((option) => [option, finalized.get(option) ?? 0])),
    pending: Object.fromEntries(order.map((option) => [option, pending.get(option) ?? 0])),
    ballots,
    revotesPending,
    ...(poll && isWeighted(poll) ? { weight } : {}),
    ...(poll && hasRoll(poll) ? { roll } : {}),
    shards: progress.sort((a, b) => a.shard - b.shard),
  };
}
