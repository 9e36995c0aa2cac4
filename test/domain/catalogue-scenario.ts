// given / when / then for the poll catalogue's fold, as fold-scenario.ts does for shards:
//
//   const open = given([created('p')]);
//   then(when(open, closed('p')), { polls: { p: { poll, closed: true, closedAt: 5, … } } });
//
// Tests import `thenCatalogue as then` (a module exporting `then` is a thenable: see
// fold-scenario.ts).
import * as assert from 'uvu/assert';
import type { CatalogueEvent } from '../../src/domain/events.ts';
import {
  type Catalogue,
  type CataloguePoll,
  EMPTY_CATALOGUE,
  evolveCatalogue,
} from '../../src/domain/fold-catalogue.ts';

/** given: the empty catalogue with `events` folded in order; each one must change it. */
export function given(events: CatalogueEvent[]): Catalogue {
  let catalogue = EMPTY_CATALOGUE;
  for (const event of events) {
    const next = evolveCatalogue(catalogue, event);
    assert.is.not(next, catalogue, `given events apply (${JSON.stringify(event)})`);
    catalogue = next;
  }
  return catalogue;
}

/** One event folded by `when`: the catalogue before (and a deep copy of it) and after. */
export interface CatalogueStep {
  before: Catalogue;
  copyBefore: Catalogue;
  after: Catalogue;
}

/** when: one more event folded into `catalogue`. */
export function when(catalogue: Catalogue, event: CatalogueEvent): CatalogueStep {
  const copyBefore = structuredClone(catalogue);
  return { before: catalogue, copyBefore, after: evolveCatalogue(catalogue, event) };
}

/** What `thenCatalogue` checks; only the fields given. */
export interface ExpectedCatalogue {
  /** The fold returned the very catalogue it was given: nothing changed (needs a step). */
  unchanged?: true;
  /** Every poll id, in listing (creation) order. */
  order?: string[];
  /** These polls' entries; undefined: not listed. */
  polls?: Record<string, CataloguePoll | undefined>;
}

/**
 * then: every expectation given holds for the catalogue (after the step, for a step); for a
 * step, also that the catalogue before it is untouched (the fold is persistent).
 */
export function thenCatalogue(
  subject: Catalogue | CatalogueStep,
  expected: ExpectedCatalogue,
): void {
  const step = 'after' in subject ? subject : undefined;
  const catalogue = step ? step.after : (subject as Catalogue);
  if (step) assert.equal(step.before, step.copyBefore, 'the catalogue before is untouched');
  if (expected.unchanged) {
    assert.ok(step, 'unchanged needs a step: then(when(catalogue, event), …)');
    assert.is(step!.after, step!.before, 'the same catalogue is returned');
  }
  if (expected.order !== undefined)
    assert.equal([...catalogue.polls.keys()], expected.order, 'order');
  for (const [pollId, entry] of Object.entries(expected.polls ?? {})) {
    assert.equal(catalogue.polls.get(pollId), entry, `entry of ${pollId}`);
  }
}
