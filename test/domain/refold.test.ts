import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FIRST_FOLD,
  type FoldBreak,
  type FoldStart,
  type RefoldState,
  refoldAfterBreak,
} from '../../src/domain/refold.ts';

/** given: the breaks a reader met before, each answered by the rule as the reader does. */
function given(...before: FoldBreak[]): RefoldState {
  let state: RefoldState = FIRST_FOLD;
  for (const problem of before) state = refoldAfterBreak(state, problem).next;
  return state;
}

/** when: another break. */
function when(state: RefoldState, problem: FoldBreak) {
  return { problem, ...refoldAfterBreak(state, problem) };
}

/** then: what the reader does, and where its next fold starts. */
function then(
  decision: ReturnType<typeof when>,
  expected: { action: FoldStart | 'halt'; nextFoldFrom: FoldStart },
): void {
  const { action, next } = decision;
  assert.equal({ action, nextFoldFrom: next.foldedFrom }, expected);
  assert.equal(next.last, decision.problem, 'the break is remembered for the next one');
}

const gap = (gotSeq: number): FoldBreak => ({ reason: 'gap', gotSeq });
const hash = (gotSeq: number): FoldBreak => ({ reason: 'hash', gotSeq });

const refold = suite('refold after a chain break: snapshot, then zero, then halt');
const FROM_SNAPSHOT = { action: 'snapshot', nextFoldFrom: 'snapshot' } as const;

refold('a reader first folds from its snapshot', () => {
  assert.equal(FIRST_FOLD, { foldedFrom: 'snapshot' });
});

refold('a first break refolds from the last snapshot that still matches the log', () => {
  const reader = given();
  then(when(reader, gap(7)), FROM_SNAPSHOT);
});

refold('the same break after a refold from the snapshot refolds from zero', () => {
  const reader = given(gap(7));
  then(when(reader, gap(7)), { action: 'zero', nextFoldFrom: 'zero' });
});

refold('the same break from zero halts: the log itself is broken, retried from zero', () => {
  const reader = given(gap(7), gap(7));
  then(when(reader, gap(7)), { action: 'halt', nextFoldFrom: 'zero' });
});

refold('the same break after a halt halts again', () => {
  const reader = given(gap(7), gap(7), gap(7));
  then(when(reader, gap(7)), { action: 'halt', nextFoldFrom: 'zero' });
});

refold('a break at another seq starts over from the snapshot, however far the last got', () => {
  then(when(given(gap(7)), gap(8)), FROM_SNAPSHOT);
  then(when(given(gap(7), gap(7)), gap(9)), FROM_SNAPSHOT);
  then(when(given(gap(7), gap(7), gap(7)), gap(3)), FROM_SNAPSHOT);
});

refold('a break for another reason at the same seq starts over from the snapshot', () => {
  then(when(given(gap(7)), hash(7)), FROM_SNAPSHOT);
  then(when(given(gap(7), gap(7), gap(7)), hash(7)), FROM_SNAPSHOT);
});

refold('only the break just before counts: A, B, A is a new break each time', () => {
  const reader = given(gap(7), hash(9));
  then(when(reader, gap(7)), FROM_SNAPSHOT);
});

refold.run();
