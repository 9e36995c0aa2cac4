import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll, PollClosed } from '../../src/domain/events.ts';
import { EMPTY_CATALOGUE, evolveCatalogue } from '../../src/domain/fold-catalogue.ts';

const poll = (id: string, title = 'Lunch'): Poll => ({
  id,
  title,
  options: [{ id: 'a' }, { id: 'b' }],
  maxChoices: 1,
  revote: 'reject',
  createdAt: 0,
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
  let c = evolveCatalogue(EMPTY_CATALOGUE, { type: 'PollCreated', v: 1, poll: poll('p2') });
  c = evolveCatalogue(c, { type: 'PollCreated', v: 1, poll: poll('p1') });
  assert.equal([...c.polls.keys()], ['p2', 'p1']);
  assert.equal(c.polls.get('p1'), { poll: poll('p1'), closed: false });
  assert.is(EMPTY_CATALOGUE.polls.size, 0, 'the previous catalogue is untouched');
});

catalogue('a close marks the poll closed with when and by whom', () => {
  const open = evolveCatalogue(EMPTY_CATALOGUE, { type: 'PollCreated', v: 1, poll: poll('p') });
  const c = evolveCatalogue(open, closed('p'));
  assert.equal(c.polls.get('p'), {
    poll: poll('p'),
    closed: true,
    closedAt: 5,
    closedBy: 'schedule',
  });
  assert.is(open.polls.get('p')?.closed, false);
});

catalogue('a second create, a second close or a close of an unknown poll change nothing', () => {
  let c = evolveCatalogue(EMPTY_CATALOGUE, { type: 'PollCreated', v: 1, poll: poll('p') });
  c = evolveCatalogue(c, closed('p'));
  assert.is(evolveCatalogue(c, { type: 'PollCreated', v: 1, poll: poll('p', 'Other') }), c);
  assert.is(evolveCatalogue(c, closed('p', 9)), c);
  assert.is(evolveCatalogue(c, closed('unknown')), c);
  assert.is(c.polls.get('p')?.poll.title, 'Lunch');
});

catalogue.run();
