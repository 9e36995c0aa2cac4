// What the page knows of the polls and of the chosen poll: stored by the data handlers, read
// by the renderers (the tally, the count) and by the admin panel.

export const state = {
  polls: [],
  /** The last GET /polls body: the list is rebuilt only when it changes. */
  pollsJson: '',
  pollsError: '',
  selected: '',
  tally: undefined,
  live: false,
};

/** The chosen poll as GET /polls last listed it, if it did. */
export function selectedPoll() {
  return state.polls.find((p) => p.id === state.selected);
}

/** Whether a poll is counted by ranks (IRV, STV, Schulze) rather than plurality. */
export function isRanked(poll) {
  return poll !== undefined && poll.method !== undefined && poll.method !== 'plurality';
}

/** Whether a poll's per-option figures are sealed now: `afterClose` and not yet final. */
export function isSealed(poll) {
  return poll !== undefined && poll.results === 'afterClose' && poll.status !== 'final';
}
