// What a shard's reader does after its fold met a chain break (a gap, a repeat with another
// hash, a wrong hash, a marker the fold contradicts, an invalid entry). A break can be this
// node's fault (a stale snapshot, a fold that read a tail a failover then dropped) or the
// log's; the reader tells them apart by refolding, each time from further back:
//
//   a new break              → refold from the last snapshot that still matches the log;
//   the same break again     → refold from zero (the snapshot may carry the fault);
//   the same break from zero → the log itself is broken: halt (report it, wait, and try from
//                              zero again, in case someone repaired the log).
//
// "The same" is the same reason at the same seq.

/** A chain break as this rule sees it. */
export interface FoldBreak {
  reason: string;
  /** The seq of the entry that broke the chain. */
  gotSeq: number;
}

/** Where the next fold starts: a snapshot that still matches the log, or the log's start. */
export type FoldStart = 'snapshot' | 'zero';

/** What the reader remembers between breaks. */
export interface RefoldState {
  /** The last break met, if any. */
  last?: FoldBreak;
  /** Where the fold now running was started from. */
  foldedFrom: FoldStart;
}

/** A reader's first fold: from its snapshot, no break met yet. */
export const FIRST_FOLD: RefoldState = { foldedFrom: 'snapshot' };

/**
 * What to do after `problem`: `action` refold from a snapshot, from zero, or halt (the log is
 * broken: report it, pause, then fold from zero); `next` is the state to pass with the next
 * break. Pure: the reader does the logging, the pause and the refold.
 */
export function refoldAfterBreak(
  state: RefoldState,
  problem: FoldBreak,
): { action: FoldStart | 'halt'; next: RefoldState } {
  const again =
    state.last !== undefined &&
    state.last.reason === problem.reason &&
    state.last.gotSeq === problem.gotSeq;
  const action = !again ? 'snapshot' : state.foldedFrom === 'snapshot' ? 'zero' : 'halt';
  return {
    action,
    next: { last: problem, foldedFrom: action === 'snapshot' ? 'snapshot' : 'zero' },
  };
}
