import { suite } from 'uvu';
import type { Poll, PollClosed, PollCreated } from '../../src/domain/events.ts';
import { EMPTY_CATALOGUE } from '../../src/domain/fold-catalogue.ts';
import { given, thenCatalogue as then, when } from './catalogue-scenario.ts';

const poll = (id: string, title = 'Lunch'): Poll => ({
  id,
  title,
  options: [{ id: 'a' }, { id: 'b' }],
  maxChoices: 1,
  revote: 'reject',
  createdAt: 0,
});
const created = (id: string, title?: string): PollCreated => ({
  type: 'PollCreated',
  v: 1,
  poll: poll(id, title),
});
const closed = (pollId: string, at = 5): PollClosed => ({
  type: 'PollClosed',
  v: 1,
  pollId,
  at,
  by: 'schedule',
});

const catalogue = suite('catalogue fold');

catalogue('a created poll is listed open, in creation order', () => {
  const c = given([created('p2')]);
  then(when(c, created('p1')), {
    order: ['p2', 'p1'],
    polls: { p1: { poll: poll('p1'), closed: false } },
  });
  then(EMPTY_CATALOGUE, { order: [] });
});

catalogue('a close marks the poll closed with when and by whom', () => {
  const open = given([created('p')]);
  then(when(open, closed('p')), {
    polls: { p: { poll: poll('p'), closed: true, closedAt: 5, closedBy: 'schedule' } },
  });
  then(open, { polls: { p: { poll: poll('p'), closed: false } } });
});

catalogue('a second create, a second close or a close of an unknown poll change nothing', () => {
  const c = given([created('p'), closed('p')]);
  then(when(c, created('p', 'Other')), { unchanged: true });
  then(when(c, closed('p', 9)), { unchanged: true });
  then(when(c, closed('unknown')), { unchanged: true, order: ['p'] });
  then(c, { polls: { p: { poll: poll('p'), closed: true, closedAt: 5, closedBy: 'schedule' } } });
});

catalogue.run();
