import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash, GENESIS_HASH, voteCastPayload } from '../../src/domain/chain.ts';
import { decodeCatalogueEntry, decodeShardEntry } from '../../src/log/codec.ts';
import { EVENT_TYPES, EventSchemaError, eventOf, type ValidEvent } from '../../src/log/schemas.ts';
import { unionMembers } from '../helpers/union-members.ts';

const vote = { voteId: 'v-1', pollId: 'p', voterId: 'alice', choices: ['a'], at: 1 };
const payload = voteCastPayload(vote);
const hash = chainHash(GENESIS_HASH, 1, payload);
const pollCreated = JSON.stringify({
  type: 'PollCreated',
  v: 1,
  poll: {
    id: 'p',
    title: 'T',
    options: [{ id: 'a' }, { id: 'b' }],
    maxChoices: 1,
    revote: 'reject',
    createdAt: 1,
  },
});
const marker = JSON.stringify({
  type: 'CommitMarked',
  v: 1,
  term: 1,
  seq: 1,
  hash,
  by: 'n',
  at: 2,
});

const types = suite('ValidEvent: the TypeScript side of streams/schemas');

types('names every event type that has a schema, and no other', () => {
  // The typecheck fails when a type of ValidEvent is missing here.
  const typed = unionMembers<ValidEvent['type']>({
    Applied: true,
    Candidacy: true,
    CommitMarked: true,
    Heartbeat: true,
    LeaderElected: true,
    LeaderResigned: true,
    MembershipChanged: true,
    PollClosed: true,
    PollCreated: true,
    VoteCast: true,
  });
  assert.equal(EVENT_TYPES, typed);
});

types('eventOf returns a valid event of the type asked for, and refuses another', () => {
  const event = eventOf('CommitMarked', JSON.parse(marker));
  assert.is(event.term, 1);
  const refused = (error: Error) => error instanceof EventSchemaError;
  assert.throws(() => eventOf('VoteCast', JSON.parse(marker)), refused);
  assert.throws(() => eventOf('CommitMarked', { ...JSON.parse(marker), term: 0 }), refused);
});

const shard = suite('decodeShardEntry: a shard holds VoteCast, PollClosed and CommitMarked');

shard('a chained entry gets its seq and hash from their own fields, and its id', () => {
  const entry = decodeShardEntry([
    '1-0',
    ['type', 'VoteCast', 'seq', '1', 'hash', hash, 'data', payload],
  ]);
  assert.equal(entry, { type: 'VoteCast', v: 1, ...vote, seq: 1, hash, id: '1-0' });
});

shard('a marker keeps its own seq and hash, and gets its id', () => {
  const entry = decodeShardEntry(['2-0', ['type', 'CommitMarked', 'data', marker]]);
  assert.equal(entry, { ...JSON.parse(marker), id: '2-0' });
});

shard('a valid event of another stream is refused as no event of a shard', () => {
  assert.throws(
    () => decodeShardEntry(['3-0', ['type', 'PollCreated', 'data', pollCreated]]),
    (error: Error) =>
      error instanceof EventSchemaError && /not an event of a shard/.test(error.message),
  );
});

const catalogue = suite('decodeCatalogueEntry: the catalogue holds PollCreated and PollClosed');

catalogue('a PollCreated is decoded with its id', () => {
  const entry = decodeCatalogueEntry(['4-0', ['type', 'PollCreated', 'data', pollCreated]]);
  assert.equal(entry, { ...JSON.parse(pollCreated), id: '4-0' });
});

catalogue('a valid event of another stream is refused as no event of the catalogue', () => {
  const voteData = JSON.stringify({ type: 'VoteCast', v: 1, ...vote });
  assert.throws(
    () => decodeCatalogueEntry(['5-0', ['type', 'VoteCast', 'data', voteData]]),
    (error: Error) =>
      error instanceof EventSchemaError && /not an event of the catalogue/.test(error.message),
  );
});

types.run();
shard.run();
catalogue.run();
