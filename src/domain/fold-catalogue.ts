// The poll catalogue: the fold of vs:{ctl}:polls (PollCreated, PollClosed). Few polls, so it is
// a truly pure, persistent value: evolveCatalogue returns a new catalogue when something changed
// and the very same one when nothing did (so `next !== previous` means "changed").
import type { CatalogueEvent, Poll } from './events.ts';

export interface CataloguePoll {
  readonly poll: Poll;
  readonly closed: boolean;
  /** From the first PollClosed: when (epoch ms) and by whom ("schedule" or a node id). */
  readonly closedAt?: number;
  readonly closedBy?: string;
}

export interface Catalogue {
  /** By poll id, in creation order. */
  readonly polls: ReadonlyMap<string, CataloguePoll>;
}

export const EMPTY_CATALOGUE: Catalogue = Object.freeze({ polls: new Map() });

/**
 * Applies one catalogue event. A poll is immutable: a second PollCreated for an existing id is
 * ignored (the first definition stands). A PollClosed for an unknown or already closed poll is
 * ignored too (the first close stands).
 */
export function evolveCatalogue(catalogue: Catalogue, event: CatalogueEvent): Catalogue {
  const current = catalogue.polls.get(event.type === 'PollCreated' ? event.poll.id : event.pollId);
  if (event.type === 'PollCreated') {
    if (current) return catalogue;
    return withPoll(catalogue, { poll: event.poll, closed: false });
  }
  if (!current || current.closed) return catalogue;
  return withPoll(catalogue, { ...current, closed: true, closedAt: event.at, closedBy: event.by });
}

function withPoll(catalogue: Catalogue, entry: CataloguePoll): Catalogue {
  const polls = new Map(catalogue.polls);
  polls.set(entry.poll.id, entry);
  return { polls };
}
