import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
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
    RollChanged: true,
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

shard('a ranking that names an option twice is refused, wherever the repeat is', () => {
  for (const choices of [
    ['a', 'a'],
    ['a', 'b', 'c', 'b'],
    ['c', 'b', 'a', 'd', 'c'],
  ]) {
    const data = voteCastPayload({ ...vote, choices });
    const fields = ['type', 'VoteCast', 'seq', '1', 'hash', chainHash(GENESIS_HASH, 1, data)];
    assert.throws(
      () => decodeShardEntry(['1-0', [...fields, 'data', data]]),
      (error: Error) =>
        error instanceof EventSchemaError &&
        /choices must NOT have duplicate items/.test(error.message),
      choices.join(),
    );
  }
});

const distinct = suite('uniqueItems, checked by hand, accepts and refuses what ajv does');

distinct(
  'every schema array with uniqueItems: the same verdict and message as ajv on the file',
  () => {
    // The reference: ajv compiling the schema files as they are, uniqueItems included.
    const reference = new Ajv({ strict: true, unicodeRegExp: false });
    const dir = fileURLToPath(new URL('../../streams/schemas/', import.meta.url));
    const items = ['a', 'b', 'c', 'd'];
    let checked = 0;
    for (const file of readdirSync(dir)) {
      const schema = JSON.parse(readFileSync(dir + file, 'utf8'));
      const arrays = Object.entries(schema.properties as Record<string, { uniqueItems?: true }>)
        .filter(([, property]) => property.uniqueItems)
        .map(([name]) => name);
      const valid = {
        VoteCast: { type: 'VoteCast', v: 1, ...vote },
        MembershipChanged: {
          type: 'MembershipChanged',
          v: 1,
          members: ['n1'],
          by: 'n1',
          at: 1,
        },
      }[schema.title as string];
      if (arrays.length === 0) continue;
      assert.ok(valid, `a valid ${schema.title} for this test`);
      const validate = reference.compile(schema);
      for (const name of arrays) {
        // Every array of 1–4 items drawn from four values, repeats included (340 arrays).
        for (let length = 1; length <= 4; length++) {
          for (let code = 0; code < items.length ** length; code++) {
            const array = Array.from({ length }, (_, k) => items[Math.floor(code / 4 ** k) % 4]!);
            const event = { ...valid, [name]: array };
            const expected = validate(event)
              ? 'valid'
              : `${schema.title}: ${reference.errorsText(validate.errors)}`;
            let got = 'valid';
            try {
              eventOf(schema.title, event);
            } catch (error) {
              got = (error as Error).message;
            }
            assert.is(got, expected, `${schema.title}.${name} = ${JSON.stringify(array)}`);
            checked++;
          }
        }
      }
    }
    assert.is(checked, 2 * 340);
  },
);

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
distinct.run();
catalogue.run();
