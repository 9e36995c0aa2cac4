// A vote's status from this node's fold: its receipt (from the log's index) says where it
// is, the projection of that shard says what became of it.
import { voteStatusAt } from '../domain/fold-lookup.ts';
import type { Receipt } from '../log/append-vote.ts';
import type { AppContext } from './context.ts';

export type PresentedStatus = 'pending' | 'finalized' | 'superseded' | 'void';

/**
 * pending until a marker covers it (also while this node has not folded it yet: the
 * receipt proves it is in the log); then finalized, or superseded by a later committed vote
 * of the same voter; void if it came after its poll's barrier.
 */
export function statusOf(
  ctx: AppContext,
  receipt: Receipt,
): { status: PresentedStatus; folded: boolean } {
  const state = ctx.projections.states[receipt.shard];
  const found = state ? voteStatusAt(state, receipt.seq) : undefined;
  return { status: found?.status ?? 'pending', folded: found !== undefined };
}
