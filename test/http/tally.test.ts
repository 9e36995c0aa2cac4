import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { markCommit } from '../../src/log/commit-marker.ts';
import type { RunningNode } from '../../src/node.ts';
import { createPoll, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { readEvents as readTallyEvents, type TallyEvent } from '../helpers/server-events.ts';

const tally = suite('tallies: GET /polls/:pollId/tally, voters, and live events');
let node: RunningNode;

tally.before(async () => {
  node = await startTestNode(await sharedCluster(), { VS_NODE_ID: 'tally-node' }, { listen: true });
});
tally.after(async () => {
  await node.close();
});

const vote = (pollId: string, voterId: string, choices: string[]) =>
  node.app.inject({ method: 'POST', url: '/votes', payload: { pollId, voterId, choices } });

tally('a new poll has every option at zero; an unknown poll is 404', async () => {
  const pollId = await createPoll(node);
  const res = await node.app.inject({ url: `/polls/${pollId}/tally` });
  assert.is(res.statusCode, 200);
  const t = res.json();
  assert.equal(t.finalized, { a: 0, b: 0, c: 0 });
  assert.equal(t.pending, { a: 0, b: 0, c: 0 });
  assert.equal(t.ballots, { finalized: 0, pending: 0 });
  assert.is(t.shards.length, node.ctx.config.shards);
  const missing = await node.app.inject({ url: '/polls/nope/tally' });
  assert.is(missing.statusCode, 404);
  assert.is(missing.json().error.code, 'POLL_NOT_FOUND');
});

tally('a voter lookup shows the counted vote; a revote under replace moves the count', async () => {
  const pollId = await createPoll(node, { revote: 'replace' });
  assert.is((await vote(pollId, 'rita', ['a'])).statusCode, 201);
  const second = await vote(pollId, 'rita', ['c']);
  assert.is(second.statusCode, 201);
  await until(
    async () => (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().pending.c === 1,
    5000,
    'not folded',
  );
  const t = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.equal(t.pending, { a: 0, b: 0, c: 1 });
  const looked = (await node.app.inject({ url: `/polls/${pollId}/voters/rita` })).json().vote;
  assert.equal(looked.choices, ['c']);
  assert.is(looked.status, 'pending');
  assert.is(looked.seq, second.json().receipt.seq);
  const first = (await node.app.inject({ url: `/votes/${second.json().receipt.voteId}` })).json();
  assert.is(first.status, 'pending');
  assert.is(first.folded, true);
  const none = await node.app.inject({ url: `/polls/${pollId}/voters/nobody` });
  assert.is(none.statusCode, 404);
});

interface Tally {
  pending: Record<string, number>;
  finalized: Record<string, number>;
}

/** Reads Server-Sent Events from the listening node until `stop` says enough. */
const readEvents = (
  path: string,
  stop: (events: TallyEvent<Tally>[]) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
) => readTallyEvents<Tally>(`${node.url}${path}`, stop, headers, timeoutMs);

tally('events push tally changes, at most one per 100 ms, up to finalized', async () => {
  const pollId = await createPoll(node);
  const reading = readEvents(`/polls/${pollId}/events`, (events) =>
    events.some((e) => e.data.finalized.b === 1),
  );
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 20; i++)
    assert.is((await vote(pollId, `sse-${i}`, [i === 0 ? 'b' : 'a'])).statusCode, 201);
  const first = await vote(pollId, 'sse-final', ['b']);
  await until(
    async () => (await node.app.inject({ url: `/polls/${pollId}/tally` })).json().pending.b === 2,
    5000,
    'not folded',
  );
  const { shard, seq, hash } = first.json().receipt;
  assert.is(
    (await markCommit(node.ctx.target, shard, { term: 1, seq, hash, by: 'test', at: Date.now() }))
      .status,
    'marked',
  );
  const events = await reading;
  assert.ok(events.length >= 2, `only ${events.length} events`);
  assert.equal(
    events[0]?.data.pending,
    { a: 0, b: 0, c: 0 },
    'the first event is the tally at connect time',
  );
  const last = events[events.length - 1]!;
  // The marker finalizes every vote of its shard up to its seq: sse-final, maybe sse-0 too.
  const now = (await node.app.inject({ url: `/polls/${pollId}/tally` })).json();
  assert.ok((last.data.finalized.b ?? 0) >= 1);
  assert.equal(last.data.finalized, now.finalized);
  for (let i = 1; i < events.length; i++) {
    assert.ok(Number(events[i]!.id) > Number(events[i - 1]!.id), 'ids increase');
    assert.ok(events[i]!.at - events[i - 1]!.at >= 80, 'events are at least ~100 ms apart');
  }
});

tally(
  'a client resuming with the current Last-Event-ID gets no repeat; an older one gets the tally',
  async () => {
    const pollId = await createPoll(node);
    const [current] = await readEvents(`/polls/${pollId}/events`, (events) => events.length >= 1);
    assert.ok(current);
    const again = await readEvents(
      `/polls/${pollId}/events`,
      () => false,
      { 'last-event-id': current.id },
      600,
    );
    assert.is(again.length, 0);
    const older = await readEvents(`/polls/${pollId}/events`, (events) => events.length >= 1, {
      'last-event-id': '0',
    });
    assert.is(older.length, 1, JSON.stringify(older));
  },
);

tally.run();
